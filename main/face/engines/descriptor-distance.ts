// How far apart two face descriptors are, in the metric a recognition engine was trained and
// calibrated for: Euclidean (face-api's 128-d net) or cosine distance (1 − cosine similarity,
// as ArcFace-style models are compared). Lower is more alike in both.
export type DistanceMetric = 'euclidean' | 'cosine';

export function euclideanDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkLengths(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}

/** 1 − cos(a, b), in [0, 2]; a zero descriptor is as far as can be (2) from everything. */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkLengths(a, b);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa === 0 || bb === 0) return 2;
  return 1 - Math.min(1, Math.max(-1, dot / Math.sqrt(aa * bb)));
}

export function descriptorDistance(metric: DistanceMetric, a: ArrayLike<number>, b: ArrayLike<number>): number {
  return metric === 'cosine' ? cosineDistance(a, b) : euclideanDistance(a, b);
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`descriptor lengths differ: ${a.length} and ${b.length}`);
}
