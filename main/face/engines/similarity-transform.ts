// 2-D similarity transforms (rotation, uniform scale, translation; no reflection or shear) and
// their least-squares fit to point correspondences, as used to align a face to an engine's
// landmark template. Pure arithmetic: x' = a·x − b·y + tx, y' = b·x + a·y + ty.
import { centroid, type Point } from '../landmarks.js';

export interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

/** The transform that undoes `t`; throws for a degenerate one (scale 0). */
export function invertSimilarity(t: Similarity): Similarity {
  const norm = t.a * t.a + t.b * t.b;
  if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError('a similarity of scale 0 has no inverse');
  const a = t.a / norm;
  const b = -t.b / norm;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/**
 * The similarity that maps `from` onto `to` with the least sum of squared distances (closed
 * form: with both sets centred, a = Σ(f·t)/Σ|f|², b = Σ(f×t)/Σ|f|², then the translation that
 * maps one centroid onto the other). Needs at least two points of `from` that differ.
 */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  if (from.length !== to.length || from.length < 2) throw new RangeError(`a similarity fit needs two or more point pairs, got ${from.length} and ${to.length}`);
  const cf = centroid(from);
  const ct = centroid(to);
  let spread = 0;
  let dot = 0;
  let cross = 0;
  for (let i = 0; i < from.length; i++) {
    const fx = from[i].x - cf.x;
    const fy = from[i].y - cf.y;
    const tx = to[i].x - ct.x;
    const ty = to[i].y - ct.y;
    spread += fx * fx + fy * fy;
    dot += fx * tx + fy * ty;
    cross += fx * ty - fy * tx;
  }
  if (!(spread > 0)) throw new RangeError('the source points of a similarity fit all coincide');
  const a = dot / spread;
  const b = cross / spread;
  return { a, b, tx: ct.x - (a * cf.x - b * cf.y), ty: ct.y - (b * cf.x + a * cf.y) };
}

/** Σ |t(from_i) − to_i|²: what the fit minimises. */
export function squaredResidual(t: Similarity, from: readonly Point[], to: readonly Point[]): number {
  let sum = 0;
  for (let i = 0; i < from.length; i++) {
    const p = applySimilarity(t, from[i]);
    sum += (p.x - to[i].x) ** 2 + (p.y - to[i].y) ** 2;
  }
  return sum;
}
