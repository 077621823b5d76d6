// The 68-point face landmark layout (iBUG 300-W order, as face-api returns it) and the small
// geometry the quality and pose measures share. "Right" and "left" are the subject's own sides.
export interface Point {
  readonly x: number;
  readonly y: number;
}

export const LANDMARK_COUNT = 68;

/** Index ranges of the landmark groups; in a camera image that is not mirrored, the subject's right eye is on the image's left. */
export const LANDMARKS = {
  jaw: { first: 0, chin: 8, last: 16 },
  noseBridgeTop: 27,
  noseTip: 30,
  /** p1..p6 of the eye aspect ratio: outer corner, two upper lid points, inner corner, two lower lid points. */
  rightEye: [36, 37, 38, 39, 40, 41],
  leftEye: [45, 44, 43, 42, 47, 46],
  mouthCorners: [48, 54],
  innerUpperLip: [61, 62, 63],
  innerLowerLip: [67, 66, 65],
  browTops: [19, 24],
} as const;

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

export function centroid(points: readonly Point[]): Point {
  let x = 0;
  let y = 0;
  for (const point of points) {
    x += point.x;
    y += point.y;
  }
  return { x: x / points.length, y: y / points.length };
}

export function pick(landmarks: readonly Point[], indices: readonly number[]): Point[] {
  return indices.map((index) => landmarks[index]);
}
