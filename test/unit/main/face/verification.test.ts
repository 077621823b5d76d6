// Verification decisions as pure functions: bands at and around the thresholds, the mean of
// the best three frames, and no-face when either side has no usable face.
import { describe, expect, it } from 'vitest';
import type { DescribedFace } from '../../../../main/face/face-analyzer.js';
import type { QualityReport } from '../../../../main/face/quality.js';
import { bestFrames, decideBand, euclideanDistance, keepBestFrames, verifyDescribed } from '../../../../main/face/verification.js';
import { VERIFICATION_THRESHOLDS, verificationThresholdsSchema } from '../../../../main/face/verification-thresholds.js';

const THRESHOLDS = { match: 0.5, review: 0.6 };
const CONTEXT = { thresholds: THRESHOLDS, modelHash: 'f'.repeat(64), backend: 'wasm', engine: { id: 'test-engine', modelSha256: 'e'.repeat(64), metric: 'euclidean' as const } };

/** A described face whose descriptor is `value` in the first dimension and 0 elsewhere. */
function face(value: number, score = 0.5): DescribedFace {
  const descriptor = new Float32Array(128);
  descriptor[0] = value;
  const quality = { score, ok: true, checks: [], measures: {} } as unknown as QualityReport;
  return { state: 'one-face', faces: [], face: { box: { x: 0, y: 0, width: 10, height: 10 }, score: 0.9, quality }, descriptor };
}

const NONE: DescribedFace = { state: 'no-face', faces: [], face: null, descriptor: null };
const CROWD: DescribedFace = { state: 'several-faces', faces: [], face: null, descriptor: null };

describe('decideBand', () => {
  it('puts distances at a threshold in the stricter band', () => {
    expect(decideBand(0, THRESHOLDS)).toBe('match');
    expect(decideBand(0.5, THRESHOLDS)).toBe('match');
    expect(decideBand(0.5000001, THRESHOLDS)).toBe('review');
    expect(decideBand(0.6, THRESHOLDS)).toBe('review');
    expect(decideBand(0.61, THRESHOLDS)).toBe('no-match');
    expect(decideBand(null, THRESHOLDS)).toBe('no-face');
    expect(decideBand(Number.NaN, THRESHOLDS)).toBe('no-face');
  });

  it('refuses thresholds where match exceeds review', () => {
    expect(() => verificationThresholdsSchema.parse({ match: 0.7, review: 0.6 })).toThrow();
    expect(VERIFICATION_THRESHOLDS.match).toBeLessThanOrEqual(VERIFICATION_THRESHOLDS.review);
  });
});

describe('euclideanDistance', () => {
  it('is the straight-line distance and refuses mismatched lengths', () => {
    expect(euclideanDistance([0, 3], [4, 0])).toBe(5);
    expect(() => euclideanDistance([1], [1, 2])).toThrow(RangeError);
  });
});

describe('bestFrames', () => {
  it('takes the three best-scored frames that have a descriptor, earlier first on ties', () => {
    const frames = [face(0, 0.2), NONE, face(0, 0.9), face(0, 0.5), CROWD, face(0, 0.5), face(0, 0.1)];
    expect(bestFrames(frames)).toEqual([2, 3, 5]);
    expect(bestFrames([NONE, CROWD])).toEqual([]);
  });
});

describe('verifyDescribed', () => {
  it('averages the distances of the best three frames', () => {
    const portrait = face(0);
    const live = [face(0.3, 0.9), face(0.5, 0.8), face(0.6, 0.7), face(0.05, 0.1)];
    const result = verifyDescribed(live, portrait, CONTEXT);
    expect(result.liveFramesUsed).toEqual([0, 1, 2]);
    expect(result.distances.map((d) => Number(d.toFixed(6)))).toEqual([0.3, 0.5, 0.6]);
    expect(result.distance).toBeCloseTo(1.4 / 3, 6);
    expect(result.decision).toBe('match');
    expect(result).toMatchObject({ aggregate: 'mean', thresholds: THRESHOLDS, modelHash: CONTEXT.modelHash, backend: 'wasm' });
  });

  it('says no-match and review by the mean, not the closest frame', () => {
    const portrait = face(0);
    expect(verifyDescribed([face(0.3), face(0.9), face(0.9)], portrait, CONTEXT).decision).toBe('no-match');
    expect(verifyDescribed([face(0.55), face(0.58), face(0.62)], portrait, CONTEXT).decision).toBe('review');
  });

  it('says no-face without a portrait face or without a usable live frame', () => {
    expect(verifyDescribed([face(0.1)], NONE, CONTEXT)).toMatchObject({ decision: 'no-face', distance: null, distances: [] });
    const crowd = verifyDescribed([CROWD, NONE], face(0), CONTEXT);
    expect(crowd).toMatchObject({ decision: 'no-face', distance: null });
    expect(crowd.live.map((l) => l.state)).toEqual(['several-faces', 'no-face']);
  });

  it('never carries a descriptor in its result', () => {
    const result = verifyDescribed([face(0.1)], face(0), CONTEXT);
    expect(JSON.stringify(result)).not.toContain('descriptor');
  });
});

describe('keepBestFrames', () => {
  it('keeps the best-scored frames, best first, at most three by default', () => {
    const score = (frame: { score: number }): number => frame.score;
    let kept: Array<{ id: string; score: number }> = [];
    for (const [id, s] of [['a', 0.2], ['b', 0.9], ['c', 0.5], ['d', 0.1], ['e', 0.7]] as const) kept = keepBestFrames(kept, { id, score: s }, score);
    expect(kept.map((frame) => frame.id)).toEqual(['b', 'e', 'c']);
    expect(keepBestFrames([], { id: 'x', score: 0 }, score, 0)).toEqual([]);
  });
});
