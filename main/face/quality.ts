// ICAO / ISO 19794-5-style capture quality of one face, from its 68 landmarks and the pixels:
// each measure, its threshold (configurable) and the plain instruction a person can follow when
// it fails. Pure functions, so every measure can be checked on images whose answer is known.
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import { estimateHeadPose } from './head-pose.js';
import { centroid, distance, LANDMARK_COUNT, LANDMARKS, pick, type Point } from './landmarks.js';
import type { Rect, RgbaImage } from './rgba-image.js';

export const faceQualityConfigSchema = z.object({
  maxYawDeg: z.number().positive().default(12),
  maxPitchDeg: z.number().positive().default(15),
  maxRollDeg: z.number().positive().default(8),
  /** ISO/IEC 19794-5 asks at least 60 px between the eye centres for a usable frontal image. */
  minInterEyePx: z.number().positive().default(60),
  minEyeAspectRatio: z.number().positive().default(0.2),
  maxMouthOpenRatio: z.number().positive().default(0.12),
  /** Face box width as a fraction of the frame width. */
  minFaceWidthRatio: z.number().positive().default(0.2),
  maxFaceWidthRatio: z.number().positive().default(0.65),
  /** Distance of the face box centre from the frame centre, as a fraction of the frame width / height. */
  maxCentreOffsetX: z.number().positive().default(0.15),
  maxCentreOffsetY: z.number().positive().default(0.2),
  /** Mean luma of the face, 0 (black) to 1 (white). */
  minExposure: z.number().min(0).max(1).default(0.25),
  maxExposure: z.number().min(0).max(1).default(0.85),
  /** Mean luma of the darker half of the face over that of the brighter half. */
  minUniformity: z.number().min(0).max(1).default(0.75),
  /** Laplacian energy relative to contrast, measured near the recogniser's working resolution. */
  minSharpness: z.number().positive().default(0.3),
});

export type FaceQualityConfig = z.infer<typeof faceQualityConfigSchema>;
export const DEFAULT_QUALITY_CONFIG: FaceQualityConfig = faceQualityConfigSchema.parse({});

export interface FaceQualityMeasures {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
  readonly interEyePx: number;
  /** Mean eye aspect ratio of both eyes: about 0.3 open, below 0.2 closed. */
  readonly eyeAspectRatio: number;
  /** Gap between the inner lips over the mouth width. */
  readonly mouthOpenRatio: number;
  readonly faceWidthRatio: number;
  /** Signed: negative when the face is left of / above the frame centre. */
  readonly centreOffsetX: number;
  readonly centreOffsetY: number;
  readonly exposure: number;
  readonly uniformity: number;
  /** Which of the subject's own sides is darker. */
  readonly darkerSide: 'left' | 'right';
  readonly sharpness: number;
}

export interface Instruction {
  /** Stable key for translations. */
  readonly code: string;
  readonly text: string;
}

export interface QualityCheck {
  readonly measure: keyof FaceQualityMeasures;
  readonly ok: boolean;
  /** What to say when the check fails. */
  readonly instruction: Instruction | null;
}

export interface QualityReport {
  readonly measures: FaceQualityMeasures;
  /** In the order a person should fix them: distance and position first, light and stillness last. */
  readonly checks: readonly QualityCheck[];
  readonly ok: boolean;
  /** 0–1, for ranking frames: the share of passed checks, ties broken by frontality and sharpness. */
  readonly score: number;
}

export interface FaceQualityInput {
  readonly image: RgbaImage;
  /** The detector's face box in image pixels. */
  readonly box: Rect;
  readonly landmarks: readonly Point[];
}

const say = (code: string, text: string): Instruction => ({ code, text });
export const INSTRUCTIONS = {
  lookAtCamera: say('look-at-camera', 'Look into the camera'),
  onePerson: say('one-person', 'Only one person in front of the camera, please'),
  comeCloser: say('come-closer', 'Come closer to the camera'),
  moveBack: say('move-back', 'Move back a little'),
  moveLeft: say('move-left', 'Move slightly to your left'),
  moveRight: say('move-right', 'Move slightly to your right'),
  moveUp: say('move-up', 'Raise your face slightly in the picture'),
  moveDown: say('move-down', 'Lower your face slightly in the picture'),
  turnLeft: say('turn-left', 'Turn your head slightly left'),
  turnRight: say('turn-right', 'Turn your head slightly right'),
  chinUp: say('chin-up', 'Raise your chin slightly'),
  chinDown: say('chin-down', 'Lower your chin slightly'),
  headStraight: say('head-straight', 'Hold your head straight, not tilted'),
  openEyes: say('open-eyes', 'Open your eyes and look at the camera'),
  closeMouth: say('close-mouth', 'Close your mouth'),
  moreLight: say('more-light', 'More light on your face'),
  lessLight: say('less-light', 'Less light on your face: avoid a lamp shining at it'),
  lightLeft: say('light-left', 'More light on the left side of your face'),
  lightRight: say('light-right', 'More light on the right side of your face'),
  holdStill: say('hold-still', 'Hold still: the picture is blurred'),
} as const;

/** (|p2−p6| + |p3−p5|) / (2 |p1−p4|) for one eye's six landmarks. */
export function eyeAspectRatio(eye: readonly Point[]): number {
  const [p1, p2, p3, p4, p5, p6] = eye;
  return (distance(p2, p6) + distance(p3, p5)) / (2 * distance(p1, p4));
}

interface FaceRegion {
  readonly rect: Rect;
  /** x of the face's vertical midline. */
  readonly midline: number;
}

/** From the brows to the chin and across the jaw: the face without hair or background. */
function faceRegion(landmarks: readonly Point[], image: RgbaImage): FaceRegion {
  const jaw = landmarks.slice(LANDMARKS.jaw.first, LANDMARKS.jaw.last + 1);
  const left = Math.max(0, Math.min(...jaw.map((p) => p.x)));
  const right = Math.min(image.width, Math.max(...jaw.map((p) => p.x)));
  const top = Math.max(0, Math.min(...pick(landmarks, LANDMARKS.browTops).map((p) => p.y)));
  const bottom = Math.min(image.height, landmarks[LANDMARKS.jaw.chin].y);
  const midline = centroid(pick(landmarks, [LANDMARKS.noseBridgeTop, LANDMARKS.noseTip, LANDMARKS.jaw.chin])).x;
  return { rect: { x: left, y: top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) }, midline };
}

interface GrayPatch {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array;
}

/** Luma (0–1) of `rect`, averaged over `block` × `block` pixels. */
function grayPatch(image: RgbaImage, rect: Rect, block: number): GrayPatch {
  const x0 = Math.floor(rect.x);
  const y0 = Math.floor(rect.y);
  const width = Math.max(1, Math.floor(Math.min(rect.width, image.width - x0) / block));
  const height = Math.max(1, Math.floor(Math.min(rect.height, image.height - y0) / block));
  const values = new Float32Array(width * height);
  const { data } = image;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < block; dy++) {
        let p = ((y0 + y * block + dy) * image.width + x0 + x * block) * 4;
        for (let dx = 0; dx < block; dx++, p += 4) sum += 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
      }
      values[y * width + x] = sum / (block * block * 255);
    }
  }
  return { width, height, values };
}

function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length === 0 ? 0 : sum / values.length;
}

function varianceOf(values: ArrayLike<number>): number {
  const mean = meanOf(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - mean) ** 2;
  return values.length === 0 ? 0 : sum / values.length;
}

/** Width the sharpness is measured at, close to the 150 px face chips the recogniser sees. */
const SHARPNESS_WIDTH = 112;

/** Standard deviation of the 4-neighbour Laplacian over that of the luma: blur lowers it, contrast and brightness do not. */
function sharpnessOf(patch: GrayPatch): number {
  const { width, height, values } = patch;
  if (width < 3 || height < 3) return 0;
  const laplacian = new Float32Array((width - 2) * (height - 2));
  let i = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const c = y * width + x;
      laplacian[i++] = values[c - 1] + values[c + 1] + values[c - width] + values[c + width] - 4 * values[c];
    }
  }
  const contrast = Math.sqrt(varianceOf(values));
  return contrast === 0 ? 0 : Math.sqrt(varianceOf(laplacian)) / contrast;
}

/** Mean of the columns left of `split` and of the rest. */
function halfMeans(patch: GrayPatch, split: number): [number, number] {
  if (split <= 0 || split >= patch.width) return [meanOf(patch.values), meanOf(patch.values)];
  let left = 0;
  let right = 0;
  for (let y = 0; y < patch.height; y++) {
    for (let x = 0; x < patch.width; x++) {
      if (x < split) left += patch.values[y * patch.width + x];
      else right += patch.values[y * patch.width + x];
    }
  }
  return [left / (split * patch.height), right / ((patch.width - split) * patch.height)];
}

function lightMeasures(image: RgbaImage, region: FaceRegion): Pick<FaceQualityMeasures, 'exposure' | 'uniformity' | 'darkerSide' | 'sharpness'> {
  const { rect, midline } = region;
  const whole = grayPatch(image, rect, 1);
  const split = Math.min(whole.width - 1, Math.max(1, Math.round(midline - rect.x)));
  // Image left is the subject's right in a camera picture that is not mirrored.
  const [subjectRight, subjectLeft] = halfMeans(whole, split);
  const brighter = Math.max(subjectLeft, subjectRight);
  const block = Math.max(1, Math.floor(rect.width / SHARPNESS_WIDTH));
  return {
    exposure: meanOf(whole.values),
    uniformity: brighter === 0 ? 0 : Math.min(subjectLeft, subjectRight) / brighter,
    darkerSide: subjectLeft < subjectRight ? 'left' : 'right',
    sharpness: sharpnessOf(block === 1 ? whole : grayPatch(image, rect, block)),
  };
}

/** Every measure for one face. */
export function measureFaceQuality(input: FaceQualityInput): FaceQualityMeasures {
  const { image, box, landmarks } = input;
  if (landmarks.length !== LANDMARK_COUNT) {
    throw new GatehouseError('FACE_LANDMARKS_INVALID', `Expected ${LANDMARK_COUNT} face landmarks, got ${landmarks.length}.`);
  }
  const rightEye = pick(landmarks, LANDMARKS.rightEye);
  const leftEye = pick(landmarks, LANDMARKS.leftEye);
  const [mouthRight, mouthLeft] = pick(landmarks, LANDMARKS.mouthCorners);
  const lipGap = distance(centroid(pick(landmarks, LANDMARKS.innerUpperLip)), centroid(pick(landmarks, LANDMARKS.innerLowerLip)));
  return {
    ...estimateHeadPose(landmarks),
    interEyePx: distance(centroid(rightEye), centroid(leftEye)),
    eyeAspectRatio: (eyeAspectRatio(rightEye) + eyeAspectRatio(leftEye)) / 2,
    mouthOpenRatio: lipGap / distance(mouthRight, mouthLeft),
    faceWidthRatio: box.width / image.width,
    centreOffsetX: (box.x + box.width / 2) / image.width - 0.5,
    centreOffsetY: (box.y + box.height / 2) / image.height - 0.5,
    ...lightMeasures(image, faceRegion(landmarks, image)),
  };
}

/** A two-sided check: too low says `low`, too high says `high`. */
function within(measure: keyof FaceQualityMeasures, value: number, min: number, max: number, low: Instruction, high: Instruction): QualityCheck {
  if (value < min) return { measure, ok: false, instruction: low };
  if (value > max) return { measure, ok: false, instruction: high };
  return { measure, ok: true, instruction: null };
}

export function checkFaceQuality(m: FaceQualityMeasures, config: FaceQualityConfig = DEFAULT_QUALITY_CONFIG): QualityCheck[] {
  const c = config;
  const i = INSTRUCTIONS;
  const uniformityHint = m.darkerSide === 'left' ? i.lightLeft : i.lightRight;
  return [
    within('interEyePx', m.interEyePx, c.minInterEyePx, Infinity, i.comeCloser, i.moveBack),
    within('faceWidthRatio', m.faceWidthRatio, c.minFaceWidthRatio, c.maxFaceWidthRatio, i.comeCloser, i.moveBack),
    // A face left of the centre in an unmirrored picture stands to the subject's right.
    within('centreOffsetX', m.centreOffsetX, -c.maxCentreOffsetX, c.maxCentreOffsetX, i.moveLeft, i.moveRight),
    within('centreOffsetY', m.centreOffsetY, -c.maxCentreOffsetY, c.maxCentreOffsetY, i.moveDown, i.moveUp),
    within('yaw', m.yaw, -c.maxYawDeg, c.maxYawDeg, i.turnLeft, i.turnRight),
    within('pitch', m.pitch, -c.maxPitchDeg, c.maxPitchDeg, i.chinDown, i.chinUp),
    within('roll', m.roll, -c.maxRollDeg, c.maxRollDeg, i.headStraight, i.headStraight),
    within('eyeAspectRatio', m.eyeAspectRatio, c.minEyeAspectRatio, Infinity, i.openEyes, i.openEyes),
    within('mouthOpenRatio', m.mouthOpenRatio, -Infinity, c.maxMouthOpenRatio, i.closeMouth, i.closeMouth),
    within('exposure', m.exposure, c.minExposure, c.maxExposure, i.moreLight, i.lessLight),
    within('uniformity', m.uniformity, c.minUniformity, Infinity, uniformityHint, uniformityHint),
    within('sharpness', m.sharpness, c.minSharpness, Infinity, i.holdStill, i.holdStill),
  ];
}

export function assessFaceQuality(input: FaceQualityInput, config: FaceQualityConfig = DEFAULT_QUALITY_CONFIG): QualityReport {
  const measures = measureFaceQuality(input);
  const checks = checkFaceQuality(measures, config);
  const passed = checks.filter((check) => check.ok).length;
  const frontality = Math.max(0, 1 - (Math.abs(measures.yaw) + Math.abs(measures.pitch) + Math.abs(measures.roll)) / 90);
  const sharp = Math.min(1, measures.sharpness / (2 * config.minSharpness));
  return { measures, checks, ok: passed === checks.length, score: (passed + frontality * sharp) / (checks.length + 1) };
}
