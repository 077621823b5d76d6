// The face step's check with a fake face worker client (one good face per frame, a blink and a
// head turn, verification in the band asked for): who took part is kept in the outcome. An
// officer's capture by hand names them (capturedBy) and skips the challenge; an automatic one,
// after the challenge, names nobody; the officer who decides a review band is named (decidedBy)
// beside the one who took it; a result that needs no decision takes none. Capture verifies
// guidance's crops of the best frames, not their JPEGs.

import { describe, expect, it } from 'vitest';
import type { OperatorRefView } from '../../../../main/enrollment/exception-evidence.js';
import { FaceCheck } from '../../../../main/enrollment/face-check.js';
import type { FaceWorkerClient } from '../../../../main/face/face-worker-client.js';
import { VERIFICATION_THRESHOLDS } from '../../../../main/face/verification-thresholds.js';
import { labelBytes, OFFICER, SUPERVISOR } from './sample-enrollments.js';

/** Eyes open, a blink, a turn to either side, then facing the camera: [yaw, eye aspect ratio]. */
const CHALLENGE = [[0, 0.3], [0, 0.3], [0, 0.3], [0, 0.1], [0, 0.3], [25, 0.3], [-25, 0.3], [0, 0.3], [0, 0.3]] as const;

/** A face worker that sees one good face in every frame, moving as CHALLENGE says, and verifies in `decision`'s band. */
function fakeWorker(decision: 'match' | 'review') {
  let frame = 0;
  const distance = decision === 'match' ? 0.41 : 0.57;
  return {
    preparePortrait: () => Promise.resolve({ state: 'one-face', descriptor: new Float32Array(128), faces: [] }),
    analyzeFrame: () => {
      const [yaw, eyeAspectRatio] = CHALLENGE[Math.min(frame++, CHALLENGE.length - 1)]!;
      return Promise.resolve({
        status: 'analyzed',
        analysis: {
          state: 'one-face', width: 640, height: 480, faces: [{ box: { x: 100, y: 100, width: 200, height: 200 }, score: 0.99 }],
          quality: { ok: true, score: 0.9, measures: { yaw, eyeAspectRatio } }, guidance: [],
        },
      });
    },
    verify: () => Promise.resolve({
      decision, distance, distances: [distance], aggregate: 'mean', thresholds: VERIFICATION_THRESHOLDS,
      live: [], portrait: { state: 'one-face', box: null, quality: null }, liveFramesUsed: [0], modelHash: 'c0ffee', backend: 'fake',
    }),
  } as unknown as FaceWorkerClient;
}

async function withFrames(client: FaceWorkerClient, frames: number): Promise<FaceCheck> {
  const check = new FaceCheck();
  await check.setPortrait(client, labelBytes('D'), 'camera-photo-page');
  for (let i = 0; i < frames; i += 1) await check.frame(client, labelBytes(`${i % 10}`), 1_000 + i * 100);
  return check;
}

describe('FaceCheck: who took part', () => {
  it('names the officer who captured by hand, without the challenge passed', async () => {
    const client = fakeWorker('match');
    const check = await withFrames(client, 1);
    expect(check.readyToCapture).toBe(false);
    await expect(check.capture(client, null)).rejects.toMatchObject({ code: 'FACE_NOT_READY' });
    const outcome = await check.capture(client, OFFICER);
    expect(outcome).toMatchObject({ capture: 'officer', livenessPassed: false, capturedBy: OFFICER, decidedBy: null, officerDecision: null });
    expect(check.accepted).toBe(true);
  });

  it('names nobody for an automatic capture after the challenge', async () => {
    const client = fakeWorker('match');
    const check = await withFrames(client, CHALLENGE.length);
    expect(check.readyToCapture).toBe(true);
    expect(await check.capture(client, null)).toMatchObject({ capture: 'automatic', livenessPassed: true, capturedBy: null, decidedBy: null });
  });

  it.each<[string, OperatorRefView | null]>([['automatic', null], ['by hand', OFFICER]])(
    'names the officer who decided a review band (capture %s), keeping who took it',
    async (_capture, capturer) => {
      const client = fakeWorker('review');
      const check = await withFrames(client, CHALLENGE.length);
      await check.capture(client, capturer);
      expect(check.accepted).toBe(false);
      expect(check.decide(true, SUPERVISOR)).toMatchObject({ officerDecision: 'same-person', capturedBy: capturer, decidedBy: SUPERVISOR });
      expect(check.accepted).toBe(true);
      expect(check.decide(false, OFFICER)).toMatchObject({ officerDecision: 'not-same-person', decidedBy: OFFICER });
      expect(check.accepted).toBe(false);
    },
  );

  it('takes no decision on a match, and none before a capture', async () => {
    const client = fakeWorker('match');
    const check = await withFrames(client, 1);
    expect(() => check.decide(true, SUPERVISOR)).toThrow(expect.objectContaining({ code: 'FACE_NOTHING_TO_DECIDE' }));
    await check.capture(client, OFFICER);
    expect(() => check.decide(true, SUPERVISOR)).toThrow(expect.objectContaining({ code: 'FACE_NOTHING_TO_DECIDE' }));
    expect(check.outcome?.decidedBy).toBeNull();
  });
});

describe('FaceCheck: what capture verifies', () => {
  it('passes guidance\'s crops of the best frames, best first, and keeps the best frame\'s JPEG', async () => {
    const verified: unknown[][] = [];
    let frame = 0;
    const client = {
      ...fakeWorker('match'),
      analyzeFrame: () => {
        const score = [0.5, 0.9, 0.7, 0.8][frame++]!;
        return Promise.resolve({
          status: 'analyzed',
          analysis: {
            state: 'one-face', width: 640, height: 480, faces: [], guidance: [],
            quality: { ok: true, score, measures: { yaw: 0, eyeAspectRatio: 0.3 } },
            crop: { tag: `crop ${score}` },
          },
        });
      },
      verify: (live: unknown[]) => {
        verified.push(live);
        return fakeWorker('match').verify([], {} as never);
      },
    } as unknown as FaceWorkerClient;
    const check = await withFrames(client, 4);
    const outcome = await check.capture(client, OFFICER);
    expect(verified).toEqual([[{ tag: 'crop 0.9' }, { tag: 'crop 0.8' }, { tag: 'crop 0.7' }]]);
    expect(outcome.livePortrait).toEqual(labelBytes('1'));
  });
});
