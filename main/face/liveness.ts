// The liveness challenge before capture: blink, then turn the head to a randomly chosen side,
// then face the camera again, within a time limit. A challenge-response check that makes a
// still photo held up to the camera fail; it is not a certified presentation-attack detector
// (ISO/IEC 30107-3) and a replayed video or a mask can pass it. Pure: a reducer over frames.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { FrameAnalysis } from './face-analyzer.js';
import { INSTRUCTIONS, type Instruction } from './quality.js';

export const livenessConfigSchema = z.object({
  timeLimitMs: z.number().int().positive().default(20_000),
  /** Frames with open eyes needed to learn the person's open-eye aspect ratio before a blink counts. */
  baselineFrames: z.number().int().positive().default(3),
  /** Eyes count as closed below this share of the open-eye baseline … */
  closedRatio: z.number().positive().max(1).default(0.75),
  /** … and as open again above this share. */
  reopenedRatio: z.number().positive().max(1).default(0.9),
  /** A closure longer than this is not a blink. */
  maxBlinkMs: z.number().int().positive().default(1500),
  /** Yaw (degrees) past which the head counts as turned. */
  turnYawDeg: z.number().positive().default(20),
  /** Yaw (degrees) within which the head counts as facing the camera again. */
  frontalYawDeg: z.number().positive().default(10),
});

export type LivenessConfig = z.infer<typeof livenessConfigSchema>;
export const DEFAULT_LIVENESS_CONFIG: LivenessConfig = livenessConfigSchema.parse({});

export type LivenessStep = 'blink' | 'turn' | 'face-camera' | 'passed' | 'failed';
export type TurnDirection = 'left' | 'right';

/** What the challenge needs from each analysed frame. */
export interface LivenessFrame {
  /** Milliseconds, monotonic. */
  readonly at: number;
  readonly faces: number;
  /** Degrees, positive when the subject has turned to their own left; present when one face is in view. */
  readonly yaw?: number;
  readonly eyeAspectRatio?: number;
}

export interface LivenessState {
  readonly step: LivenessStep;
  /** The side the person is asked to turn to (their own left or right). */
  readonly turn: TurnDirection;
  readonly startedAt: number | null;
  readonly deadlineAt: number | null;
  readonly openEyeSamples: readonly number[];
  readonly closedSince: number | null;
  readonly failure: 'timeout' | 'several-faces' | null;
  /** What to tell the person now; null once passed. */
  readonly prompt: Instruction | null;
}

const RECENT_OPEN_SAMPLES = 15;

/** The liveness view of one guidance result, taken at `at` ms (e.g. `performance.now()`). */
export function livenessFrameOf(analysis: FrameAnalysis, at: number): LivenessFrame {
  const measures = analysis.quality?.measures;
  return { at, faces: analysis.faces.length, yaw: measures?.yaw, eyeAspectRatio: measures?.eyeAspectRatio };
}

export const LIVENESS_PROMPTS = {
  blink: { code: 'liveness-blink', text: 'Blink once, slowly' },
  turnLeft: { code: 'liveness-turn-left', text: 'Turn your head to your left' },
  turnRight: { code: 'liveness-turn-right', text: 'Turn your head to your right' },
  timeout: { code: 'liveness-timeout', text: 'Time is up. Let us try again' },
} as const satisfies Record<string, Instruction>;

function turnPrompt(turn: TurnDirection): Instruction {
  return turn === 'left' ? LIVENESS_PROMPTS.turnLeft : LIVENESS_PROMPTS.turnRight;
}

/** A new challenge; `random` (0 ≤ r < 1) picks the side, from the system's secure source by default. */
export function startLiveness(random: () => number = () => randomInt(2) / 2): LivenessState {
  return {
    step: 'blink',
    turn: random() < 0.5 ? 'left' : 'right',
    startedAt: null,
    deadlineAt: null,
    openEyeSamples: [],
    closedSince: null,
    failure: null,
    prompt: LIVENESS_PROMPTS.blink,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function advanceBlink(state: LivenessState, at: number, ear: number, config: LivenessConfig): LivenessState {
  const baseline = median(state.openEyeSamples);
  if (state.closedSince === null) {
    const learnt = state.openEyeSamples.length >= config.baselineFrames;
    if (learnt && ear < config.closedRatio * baseline) return { ...state, closedSince: at };
    return { ...state, openEyeSamples: [...state.openEyeSamples, ear].slice(-RECENT_OPEN_SAMPLES) };
  }
  if (ear < config.reopenedRatio * baseline) return state;
  if (at - state.closedSince <= config.maxBlinkMs) return { ...state, step: 'turn', closedSince: null, prompt: turnPrompt(state.turn) };
  return { ...state, closedSince: null };
}

function advanceTurn(state: LivenessState, yaw: number, config: LivenessConfig): LivenessState {
  const turned = state.turn === 'left' ? yaw >= config.turnYawDeg : yaw <= -config.turnYawDeg;
  return turned ? { ...state, step: 'face-camera', prompt: INSTRUCTIONS.lookAtCamera } : state;
}

/** The challenge after one more frame. Frames without exactly one face make no progress; several faces fail it. */
export function advanceLiveness(state: LivenessState, frame: LivenessFrame, config: LivenessConfig = DEFAULT_LIVENESS_CONFIG): LivenessState {
  if (state.step === 'passed' || state.step === 'failed') return state;
  const startedAt = state.startedAt ?? frame.at;
  const started = { ...state, startedAt, deadlineAt: startedAt + config.timeLimitMs };
  if (frame.at > started.deadlineAt) return { ...started, step: 'failed', failure: 'timeout', prompt: LIVENESS_PROMPTS.timeout };
  if (frame.faces > 1) return { ...started, step: 'failed', failure: 'several-faces', prompt: INSTRUCTIONS.onePerson };
  const { yaw, eyeAspectRatio } = frame;
  if (frame.faces === 0 || yaw === undefined || eyeAspectRatio === undefined) return started;
  switch (state.step) {
    case 'blink':
      return advanceBlink(started, frame.at, eyeAspectRatio, config);
    case 'turn':
      return advanceTurn(started, yaw, config);
    case 'face-camera':
      return Math.abs(yaw) <= config.frontalYawDeg ? { ...started, step: 'passed', prompt: null } : started;
  }
}
