// 1:1 verification as pure decisions: which live frames count, how their distances to the
// portrait combine into one, and which band (match / review / no-match / no-face) it falls in.
import type { DescribedFace } from './face-analyzer.js';
import type { VerificationThresholds } from './verification-thresholds.js';
import type { Rect } from './rgba-image.js';
import type { QualityReport } from './quality.js';
import { descriptorDistance } from './engines/descriptor-distance.js';
import type { EngineFacts } from './engines/recognition-engine.js';

export { euclideanDistance } from './engines/descriptor-distance.js';

export type VerificationDecision = 'match' | 'review' | 'no-match' | 'no-face';

/** How many live frames, best by quality, are compared with the portrait. */
export const LIVE_FRAMES_USED = 3;

export interface FaceSummary {
  readonly state: DescribedFace['state'];
  readonly box: Rect | null;
  readonly quality: QualityReport | null;
}

export interface VerificationResult {
  readonly decision: VerificationDecision;
  /** Mean of the engine's distances (its metric) between each used live frame and the portrait; null without faces. */
  readonly distance: number | null;
  readonly distances: readonly number[];
  readonly aggregate: 'mean';
  readonly thresholds: VerificationThresholds;
  readonly live: readonly FaceSummary[];
  readonly portrait: FaceSummary;
  /** Indices into `live` of the frames that were compared. */
  readonly liveFramesUsed: readonly number[];
  readonly modelHash: string;
  readonly backend: string;
  /** The recognition engine that computed the descriptors, with its model's hash and distance metric. */
  readonly engine: EngineFacts;
}

/** What a verification decides with and names: the engine's bands and facts, the shared models' hash, the backend. */
export interface VerificationContext {
  readonly thresholds: VerificationThresholds;
  readonly engine: EngineFacts;
  readonly modelHash: string;
  readonly backend: string;
}

export function decideBand(distance: number | null, thresholds: VerificationThresholds): VerificationDecision {
  if (distance === null || !Number.isFinite(distance)) return 'no-face';
  if (distance <= thresholds.match) return 'match';
  if (distance <= thresholds.review) return 'review';
  return 'no-match';
}

/** Indices of the `count` described live frames with the best quality score (ties: earlier frame). */
export function bestFrames(live: readonly DescribedFace[], count: number = LIVE_FRAMES_USED): number[] {
  return live
    .map((frame, index) => ({ index, score: frame.descriptor && frame.face ? frame.face.quality.score : -1 }))
    .filter((frame) => frame.score >= 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .map((frame) => frame.index);
}

/**
 * The live frames worth verifying, best first: `kept` plus `candidate`, cut to `count` by score.
 * For the capture step to hold the best guidance frames (by `quality.score`) until capture.
 */
export function keepBestFrames<T>(kept: readonly T[], candidate: T, score: (frame: T) => number, count: number = LIVE_FRAMES_USED): T[] {
  return [...kept, candidate].sort((a, b) => score(b) - score(a)).slice(0, count);
}

function summarise(face: DescribedFace): FaceSummary {
  return { state: face.state, box: face.face?.box ?? null, quality: face.face?.quality ?? null };
}

/**
 * The mean, not the minimum, of the per-frame distances: a minimum lets one lucky frame of an
 * impostor decide, while the mean keeps the per-frame noise down without moving its centre,
 * so thresholds calibrated on single image pairs stay conservative.
 */
export function verifyDescribed(
  live: readonly DescribedFace[],
  portrait: DescribedFace,
  context: VerificationContext,
): VerificationResult {
  const reference = portrait.descriptor;
  const used = reference ? bestFrames(live) : [];
  const distances = used.flatMap((index) => {
    const descriptor = live[index].descriptor;
    return descriptor && reference ? [descriptorDistance(context.engine.metric, descriptor, reference)] : [];
  });
  const distance = distances.length > 0 ? distances.reduce((sum, d) => sum + d, 0) / distances.length : null;
  return {
    decision: decideBand(distance, context.thresholds),
    distance,
    distances,
    aggregate: 'mean',
    thresholds: context.thresholds,
    live: live.map(summarise),
    portrait: summarise(portrait),
    liveFramesUsed: used,
    modelHash: context.modelHash,
    backend: context.backend,
    engine: context.engine,
  };
}
