// The liveness challenge as a state machine over synthetic frame sequences: blink, turn to the
// chosen side, face the camera, all within the time limit; what must not pass does not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceLiveness, DEFAULT_LIVENESS_CONFIG, livenessFrameOf, startLiveness, type LivenessFrame, type LivenessState } from '../../../../main/face/liveness.js';
import type { FaceQualityMeasures } from '../../../../main/face/quality.js';

const OPEN = 0.3;
const CLOSED = 0.15;

/** One face every 100 ms with the given eye aspect ratio and yaw. */
function frames(...steps: Array<[ear: number, yaw: number]>): LivenessFrame[] {
  return steps.map(([eyeAspectRatio, yaw], i) => ({ at: 1000 + i * 100, faces: 1, eyeAspectRatio, yaw }));
}

function run(state: LivenessState, sequence: readonly LivenessFrame[]): LivenessState {
  return sequence.reduce((s, frame) => advanceLiveness(s, frame), state);
}

const left = (): LivenessState => startLiveness(() => 0.1);
const right = (): LivenessState => startLiveness(() => 0.9);
const settle: Array<[number, number]> = [[OPEN, 0], [OPEN, 0], [OPEN, 0], [OPEN, 0]];
const blink: Array<[number, number]> = [[CLOSED, 0], [CLOSED, 0], [OPEN, 0]];

describe('liveness challenge', () => {
  it('picks the side to turn to from the random source', () => {
    expect(left().turn).toBe('left');
    expect(right().turn).toBe('right');
    expect(['left', 'right']).toContain(startLiveness().turn);
  });

  it('passes after a blink, the asked turn and facing the camera again', () => {
    let state = run(left(), frames(...settle));
    expect(state.step).toBe('blink');
    expect(state.prompt?.code).toBe('liveness-blink');
    state = run(left(), frames(...settle, ...blink));
    expect(state.step).toBe('turn');
    expect(state.prompt?.code).toBe('liveness-turn-left');
    state = run(left(), frames(...settle, ...blink, [OPEN, 10], [OPEN, 25]));
    expect(state.step).toBe('face-camera');
    state = run(left(), frames(...settle, ...blink, [OPEN, 10], [OPEN, 25], [OPEN, 15], [OPEN, 4]));
    expect(state.step).toBe('passed');
    expect(state.prompt).toBeNull();
    expect(state.failure).toBeNull();
  });

  it('does not count a turn to the other side', () => {
    const state = run(left(), frames(...settle, ...blink, [OPEN, -30], [OPEN, -30], [OPEN, 0]));
    expect(state.step).toBe('turn');
    expect(run(right(), frames(...settle, ...blink, [OPEN, -30], [OPEN, 0])).step).toBe('passed');
  });

  it('does not count a turn made before the blink', () => {
    const state = run(left(), frames(...settle, [OPEN, 30], [OPEN, 0], ...blink));
    expect(state.step).toBe('turn');
  });

  it('needs open-eye frames first: starting with closed eyes is not a blink', () => {
    expect(run(left(), frames([CLOSED, 0], [CLOSED, 0], [OPEN, 0])).step).toBe('blink');
  });

  it('does not take eyes kept closed for longer than a blink', () => {
    const long = Array.from({ length: 20 }, (): [number, number] => [CLOSED, 0]);
    expect(run(left(), frames(...settle, ...long, [OPEN, 0])).step).toBe('blink');
  });

  it('adapts to the person: a small absolute aspect ratio still blinks relative to its baseline', () => {
    const narrow = frames([0.2, 0], [0.2, 0], [0.21, 0], [0.2, 0], [0.1, 0], [0.2, 0]);
    expect(run(left(), narrow).step).toBe('turn');
  });

  it('makes no progress without a face and fails when the time limit passes', () => {
    const gap: LivenessFrame = { at: 1200, faces: 0 };
    expect(run(left(), [...frames(...settle), gap]).step).toBe('blink');
    const late: LivenessFrame = { at: 1000 + DEFAULT_LIVENESS_CONFIG.timeLimitMs + 1, faces: 1, eyeAspectRatio: OPEN, yaw: 0 };
    const state = run(left(), [...frames(...settle), late]);
    expect(state.step).toBe('failed');
    expect(state.failure).toBe('timeout');
    expect(state.deadlineAt).toBe(1000 + DEFAULT_LIVENESS_CONFIG.timeLimitMs);
  });

  it('fails when a second face appears, and stays failed', () => {
    const crowd: LivenessFrame = { at: 1500, faces: 2 };
    const state = run(left(), [...frames(...settle), crowd, ...frames(...blink)]);
    expect(state.step).toBe('failed');
    expect(state.failure).toBe('several-faces');
    expect(state.prompt?.code).toBe('one-person');
  });

  it('never passes when the eyes never close, whatever the head does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0.28, max: 0.32, noNaN: true }), fc.double({ min: -60, max: 60, noNaN: true })), { maxLength: 80 }), (steps) => {
        expect(run(left(), frames(...steps)).step).not.toBe('passed');
      }),
    );
  });
});

describe('livenessFrameOf', () => {
  it('takes the face count, yaw and eye aspect ratio from a guidance result', () => {
    const none = livenessFrameOf({ state: 'no-face', width: 1, height: 1, faces: [], quality: null, guidance: [], crop: null }, 5);
    expect(none).toEqual({ at: 5, faces: 0, yaw: undefined, eyeAspectRatio: undefined });
    const one = livenessFrameOf(
      {
        state: 'one-face',
        width: 1,
        height: 1,
        faces: [{ box: { x: 0, y: 0, width: 1, height: 1 }, score: 1 }],
        quality: { measures: { yaw: 12, eyeAspectRatio: 0.3 } as FaceQualityMeasures, checks: [], ok: true, score: 1 },
        guidance: [],
        crop: null,
      },
      7,
    );
    expect(one).toEqual({ at: 7, faces: 1, yaw: 12, eyeAspectRatio: 0.3 });
  });
});
