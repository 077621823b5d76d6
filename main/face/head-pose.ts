// Head pose (yaw, pitch, roll) from 2-D landmarks: fits a generic 3-D face to them under a
// scaled orthographic camera and reads the angles from the fitted rotation. Approximate by
// nature (one average face shape for everyone); good for guidance, not for measurement.
import type { Point } from './landmarks.js';

export interface HeadPose {
  /** Degrees; positive when the subject has turned to their own left. */
  readonly yaw: number;
  /** Degrees; positive when the subject looks down (chin lowered). */
  readonly pitch: number;
  /** Degrees; positive when the head is tilted towards the subject's right shoulder (counter-clockwise on screen). */
  readonly roll: number;
}

type Vec3 = readonly [number, number, number];

/**
 * An average adult face in millimetres, nose tip at the origin, x towards the subject's left
 * (the image's right), y up, z towards the camera. Rounded anthropometric estimates.
 */
export const GENERIC_FACE: ReadonlyMap<number, Vec3> = new Map<number, Vec3>([
  [8, [0, -72, -28]], // chin
  [27, [0, 42, -24]], // top of the nose bridge
  [30, [0, 0, 0]], // nose tip
  [31, [-15, -4, -17]], // nostril wings
  [35, [15, -4, -17]],
  [36, [-44, 38, -38]], // eye corners, outer and inner
  [39, [-15, 36, -30]],
  [42, [15, 36, -30]],
  [45, [44, 38, -38]],
  [48, [-25, -32, -28]], // mouth corners
  [54, [25, -32, -28]],
]);

const DEG = 180 / Math.PI;

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function scale(a: Vec3, k: number): Vec3 {
  return [a[0] * k, a[1] * k, a[2] * k];
}

function minus(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

function plus(a: Vec3, b: Vec3): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

function unit(a: Vec3): Vec3 {
  return scale(a, 1 / Math.sqrt(dot(a, a)));
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function invert3(m: readonly Vec3[]): Vec3[] {
  const [a, b, c] = m;
  const cofactors = [cross(b, c), cross(c, a), cross(a, b)];
  const det = dot(a, cofactors[0]);
  // The inverse is the transposed cofactor matrix over the determinant.
  return [0, 1, 2].map((i) => scale([cofactors[0][i], cofactors[1][i], cofactors[2][i]], 1 / det));
}

function mean3(points: readonly Vec3[]): Vec3 {
  return scale(points.reduce((sum, p) => [sum[0] + p[0], sum[1] + p[1], sum[2] + p[2]], [0, 0, 0]), 1 / points.length);
}

/** Least-squares affine camera rows m (2×3) with image ≈ m · model, both centred. */
function fitAffineRows(image: readonly Point[], model: readonly Vec3[]): [Vec3, Vec3] {
  const modelMean = mean3(model);
  const imageMean = mean3(image.map((p) => [p.x, p.y, 0]));
  const gram: Vec3[] = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  let bx: Vec3 = [0, 0, 0];
  let by: Vec3 = [0, 0, 0];
  model.forEach((point, i) => {
    const X = minus(point, modelMean);
    const ux = image[i].x - imageMean[0];
    const uy = imageMean[1] - image[i].y; // image y grows downwards, the model's upwards
    for (let r = 0; r < 3; r++) gram[r] = plus(gram[r], scale(X, X[r]));
    bx = plus(bx, scale(X, ux));
    by = plus(by, scale(X, uy));
  });
  const inverse = invert3(gram);
  const times = (b: Vec3): Vec3 => [dot(b, inverse[0]), dot(b, inverse[1]), dot(b, inverse[2])];
  return [times(bx), times(by)];
}

/** The pose of the head whose 68 landmarks (image pixels) are given. */
export function estimateHeadPose(landmarks: readonly Point[]): HeadPose {
  const indices = [...GENERIC_FACE.keys()];
  const [m1, m2] = fitAffineRows(
    indices.map((index) => landmarks[index]),
    [...GENERIC_FACE.values()],
  );
  // Nearest pair of orthonormal rows to the fitted ones, then the third row completes the rotation.
  let r1 = unit(m1);
  let r2 = unit(m2);
  const skew = dot(r1, r2) / 2;
  [r1, r2] = [unit(minus(r1, scale(r2, skew))), unit(minus(r2, scale(r1, skew)))];
  const r3 = cross(r1, r2);
  // R = Rz(roll) · Ry(yaw) · Rx(pitch); pitch is positive when the nose moves down.
  const yaw = Math.asin(Math.max(-1, Math.min(1, -r3[0]))) * DEG;
  const pitch = Math.atan2(r3[1], r3[2]) * DEG;
  const roll = Math.atan2(r2[0], r1[0]) * DEG;
  return { yaw, pitch, roll };
}
