// The aligned face crop an ONNX recognition model is given: five points taken from the shared
// 68 landmarks (eye centres, nose tip, mouth corners) are fitted by a least-squares similarity
// onto the model's template, and the image is warped (bilinear, black outside) into a
// size × size crop. Coordinates are pixel indices: output pixel (u, v) is sampled at the source
// point the inverse transform gives for (u, v).
import { centroid, LANDMARKS, LANDMARK_COUNT, type Point } from '../landmarks.js';
import type { RgbaImage } from '../rgba-image.js';
import { applySimilarity, fitSimilarity, invertSimilarity, type Similarity } from './similarity-transform.js';

/**
 * The standard five-point template of ArcFace-style models for a 112 × 112 crop, in image order:
 * the eye on the image's left, the eye on the image's right, the nose tip, the mouth corner on the
 * image's left, the mouth corner on the image's right.
 */
export const ARCFACE_112_TEMPLATE: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/**
 * The five template points from 68 landmarks of an unmirrored image, in the template's order:
 * the subject's right eye and mouth corner appear on the image's left.
 */
export function fivePointsOf(landmarks: readonly Point[]): Point[] {
  if (landmarks.length !== LANDMARK_COUNT) throw new RangeError(`expected ${LANDMARK_COUNT} landmarks, got ${landmarks.length}`);
  const eye = (indices: readonly number[]) => centroid(indices.map((index) => landmarks[index]));
  const [rightMouth, leftMouth] = LANDMARKS.mouthCorners;
  return [eye(LANDMARKS.rightEye), eye(LANDMARKS.leftEye), landmarks[LANDMARKS.noseTip], landmarks[rightMouth], landmarks[leftMouth]];
}

/** The size × size crop whose pixel (u, v) shows the image at `toCrop`⁻¹(u, v); black (alpha 255) outside the image. */
export function warpSimilarity(image: RgbaImage, toCrop: Similarity, size: number): RgbaImage {
  const back = invertSimilarity(toCrop);
  const data = new Uint8Array(size * size * 4);
  const { width, height } = image;
  const at = (x: number, y: number, k: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : image.data[(y * width + x) * 4 + k]);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const source = applySimilarity(back, { x: u, y: v });
      const x0 = Math.floor(source.x);
      const y0 = Math.floor(source.y);
      const fx = source.x - x0;
      const fy = source.y - y0;
      const out = (v * size + u) * 4;
      for (let k = 0; k < 3; k++) {
        const top = at(x0, y0, k) * (1 - fx) + at(x0 + 1, y0, k) * fx;
        const bottom = at(x0, y0 + 1, k) * (1 - fx) + at(x0 + 1, y0 + 1, k) * fx;
        data[out + k] = Math.round(top * (1 - fy) + bottom * fy);
      }
      data[out + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

/** The face of `landmarks` aligned onto `template` in a size × size crop. */
export function alignedCrop(image: RgbaImage, landmarks: readonly Point[], template: readonly Point[], size: number): RgbaImage {
  return warpSimilarity(image, fitSimilarity(fivePointsOf(landmarks), template), size);
}
