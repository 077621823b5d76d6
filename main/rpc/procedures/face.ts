// The face step's procedures: the document portrait (read from the chip, or the photo page
// captured by the camera), live guidance
// frames, the capture (automatic once quality and the liveness challenge hold, or taken
// by the officer), the officer's call on a review result, and accepting the outcome.

import { z } from 'zod';
import { event, officerPresent, procedure } from '../define.js';
import { Empty, JpegBase64, LivenessExceptionInput } from '../schemas.js';

export const PortraitSource = z.enum(['chip', 'camera-photo-page']);

const Instruction = z.object({ code: z.string(), text: z.string() });
const Box = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

export const FaceGuidance = z.object({
  /** 'dropped': a newer frame replaced this one before it was analysed. */
  status: z.enum(['analyzed', 'dropped']),
  state: z.enum(['no-face', 'one-face', 'several-faces']).nullable(),
  width: z.number(),
  height: z.number(),
  boxes: z.array(Box),
  /** What to tell the person, most important first. */
  instructions: z.array(Instruction),
  liveness: z.object({
    step: z.enum(['blink', 'turn', 'face-camera', 'passed', 'failed']),
    prompt: Instruction.nullable(),
    secondsLeft: z.number().nullable(),
  }),
  readyToCapture: z.boolean(),
});

export const FaceResult = z.object({
  decision: z.enum(['match', 'review', 'no-match', 'no-face']),
  distance: z.number().nullable(),
  thresholds: z.object({ match: z.number(), review: z.number() }),
  modelHash: z.string(),
  backend: z.string(),
  capture: z.enum(['automatic', 'officer']),
  livenessPassed: z.boolean(),
  officerDecision: z.enum(['same-person', 'not-same-person']).nullable(),
  /** Where the reference portrait came from: the document's chip, or the camera's photo of the photo page. */
  portraitSource: PortraitSource,
  accepted: z.boolean(),
  /** data: URLs for showing the two faces side by side on this screen. */
  livePortrait: z.string(),
  documentPortrait: z.string(),
});

export const faceProcedures = {
  'face.chipPortrait': procedure({
    summary: "The portrait read from the document's chip becomes the reference portrait (documents whose chip was read).",
    input: Empty,
    output: z.object({ documentPortrait: z.string() }),
    access: 'anyone',
  }),
  'face.portrait': procedure({
    summary: 'The document photo page as the camera sees it; its face becomes the reference portrait.',
    input: z.object({ image: JpegBase64 }).strict(),
    output: z.object({ documentPortrait: z.string() }),
    access: 'anyone',
  }),
  'face.frame': procedure({
    summary: 'One live camera frame: face box, quality guidance and the liveness challenge.',
    input: z.object({ image: JpegBase64, at: z.number().finite().nonnegative() }).strict(),
    output: FaceGuidance,
    access: 'anyone',
  }),
  'face.capture': procedure({
    summary: 'Verify the best live frames against the portrait (manual capture: an officer at the screen only).',
    input: z.object({ manual: z.boolean() }).strict(),
    output: FaceResult,
    access: 'anyone',
    authorise: ({ manual }, caller) => (manual ? officerPresent(caller, 'Only an officer may take the picture without the challenge: call one.') : null),
    /** Written for an officer's capture only. */
    audit: 'enrollment.face-captured-by-officer',
  }),
  'face.decide': procedure({
    summary: 'The officer decides a result in the review band: same person or not.',
    input: z.object({ samePerson: z.boolean() }).strict(),
    output: FaceResult,
    access: 'anyone',
    authorise: (_input, caller) => officerPresent(caller, 'Only an officer may decide whether the faces are the same person: call one.'),
    audit: 'enrollment.face-decided',
  }),
  'face.retry': procedure({
    summary: 'Start the live capture again (new challenge, frames and result dropped).',
    input: Empty,
    output: Empty,
    access: 'anyone',
  }),
  'face.accept': procedure({
    summary: 'Keep the accepted face result and go on; a face taken without a passed challenge needs an officer\'s liveness exception.',
    input: z.strictObject({ livenessException: LivenessExceptionInput.optional() }),
    output: z.object({ step: z.string() }),
    access: 'anyone',
    authorise: ({ livenessException }, caller) => (livenessException
      ? officerPresent(caller, 'Only an officer may record why the challenge was not passed: call one.')
      : null),
    audit: 'enrollment.face-accepted',
  }),
} as const;

export const faceEvents = {
  'face.ready': event({
    summary: 'The face engine is loaded (backend and model hash) or failed to start.',
    payload: z.object({ ok: z.boolean(), backend: z.string().nullable(), message: z.string().nullable() }),
  }),
} as const;
