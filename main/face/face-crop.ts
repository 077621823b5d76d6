// What live guidance found of the one face in a frame, kept with the pixels around it, so that
// verification describes that face from guidance's box and landmarks instead of decoding the
// frame and detecting the face again (docs/FACE.md, "Verification").
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import { LANDMARK_COUNT, type Point } from './landmarks.js';
import type { QualityReport } from './quality.js';
import { checkRgba, type Rect, type RgbaImage } from './rgba-image.js';

/** Biometric data (a face image): hold it in memory only, never log it. */
export interface FaceCrop {
  /** The face and a margin around it, cut from the frame (never beyond the frame's edges). */
  readonly image: RgbaImage;
  /** Where `image`'s top-left pixel lies in the frame. */
  readonly origin: Point;
  /** Guidance's face box and 68 landmarks, in `image`'s pixels. */
  readonly box: Rect;
  readonly landmarks: readonly Point[];
  /** The detector's score, and the quality guidance measured on the whole frame. */
  readonly score: number;
  readonly quality: QualityReport;
}

const point = z.object({ x: z.number().finite(), y: z.number().finite() });

/** Checks a crop that crossed a thread boundary: shape, landmark count, box inside the crop. */
const faceCropSchema = z.object({
  image: z.custom<RgbaImage>((value) => typeof value === 'object' && value !== null && 'data' in value),
  origin: point,
  box: z.object({ x: z.number().finite(), y: z.number().finite(), width: z.number().positive(), height: z.number().positive() }),
  landmarks: z.array(point).length(LANDMARK_COUNT),
  score: z.number().min(0).max(1),
  quality: z.custom<QualityReport>((value) => typeof value === 'object' && value !== null && 'score' in value),
});

export function isFaceCrop(value: object): value is FaceCrop {
  return 'landmarks' in value && 'origin' in value;
}

export function checkFaceCrop(value: unknown): FaceCrop {
  const parsed = faceCropSchema.safeParse(value);
  if (!parsed.success) {
    throw new GatehouseError('FACE_CROP_INVALID', 'A face crop from guidance is malformed.', { issues: parsed.error.issues.length });
  }
  const crop = parsed.data;
  checkRgba(crop.image);
  return crop;
}

/**
 * The region of `frame` around `box`, `margin` × the box's larger side on every side, clipped to
 * the frame, with box and landmarks moved into the crop's pixels. The margin leaves room for the
 * alignment box (about 1.1 × the face) and for enlarging a small face as the accurate path does.
 */
export function cropAroundFace(
  frame: RgbaImage,
  { box, landmarks, score }: { box: Rect; landmarks: readonly Point[]; score: number },
  quality: QualityReport,
  margin: number,
): FaceCrop {
  const pad = margin * Math.max(box.width, box.height);
  const left = Math.max(0, Math.floor(box.x - pad));
  const top = Math.max(0, Math.floor(box.y - pad));
  const right = Math.min(frame.width, Math.ceil(box.x + box.width + pad));
  const bottom = Math.min(frame.height, Math.ceil(box.y + box.height + pad));
  const width = Math.max(1, right - left);
  const height = Math.max(1, bottom - top);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height && top + y < frame.height; y++) {
    const start = ((top + y) * frame.width + left) * 4;
    data.set(frame.data.subarray(start, start + Math.min(width, frame.width - left) * 4), y * width * 4);
  }
  const shift = (p: Point): Point => ({ x: p.x - left, y: p.y - top });
  return {
    image: { width, height, data },
    origin: { x: left, y: top },
    box: { ...box, ...shift(box) },
    landmarks: landmarks.map(shift),
    score,
    quality,
  };
}
