// The least-squares similarity fit that aligns a face to an engine's template: it recovers a
// known transform exactly, its inverse undoes it, and no nearby transform fits noisy points better.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Point } from '../../../../../main/face/landmarks.js';
import {
  applySimilarity, fitSimilarity, invertSimilarity, squaredResidual, type Similarity,
} from '../../../../../main/face/engines/similarity-transform.js';

const coordinate = fc.double({ min: -500, max: 500, noNaN: true });
const point = fc.record({ x: coordinate, y: coordinate });
/** Five points that do not all coincide (spread at least a pixel). */
const points = fc.array(point, { minLength: 5, maxLength: 5 }).filter((ps) => ps.some((p) => Math.hypot(p.x - ps[0].x, p.y - ps[0].y) > 1));
const similarity = fc.record({
  scale: fc.double({ min: 0.05, max: 20, noNaN: true }),
  angle: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
  tx: coordinate,
  ty: coordinate,
}).map(({ scale, angle, tx, ty }): Similarity => ({ a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx, ty }));

const close = (a: Point, b: Point, tolerance: number) => Math.hypot(a.x - b.x, a.y - b.y) <= tolerance;

describe('fitSimilarity', () => {
  it('recovers the similarity that produced the points', () => {
    fc.assert(fc.property(points, similarity, (from, t) => {
      const to = from.map((p) => applySimilarity(t, p));
      const fitted = fitSimilarity(from, to);
      const scale = Math.hypot(t.a, t.b);
      return from.every((p, i) => close(applySimilarity(fitted, p), to[i], 1e-6 * (1 + scale) * 1000));
    }));
  });

  it('fits no worse than any transform near it, on noisy points', () => {
    fc.assert(fc.property(points, points, fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { minLength: 4, maxLength: 4 }), (from, to, nudge) => {
      const fitted = fitSimilarity(from, to);
      const best = squaredResidual(fitted, from, to);
      const [da, db, dx, dy] = nudge;
      const moved = { a: fitted.a + da * 0.01, b: fitted.b + db * 0.01, tx: fitted.tx + dx, ty: fitted.ty + dy };
      return squaredResidual(moved, from, to) >= best - 1e-6 * (1 + best);
    }));
  });

  it('maps the centroid onto the centroid', () => {
    fc.assert(fc.property(points, points, (from, to) => {
      const mean = (ps: Point[]) => ({ x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length });
      return close(applySimilarity(fitSimilarity(from, to), mean(from)), mean(to), 1e-6 * 1000);
    }));
  });

  it('refuses fewer than two pairs, unequal counts and coinciding source points', () => {
    expect(() => fitSimilarity([{ x: 0, y: 0 }], [{ x: 1, y: 1 }])).toThrow(RangeError);
    expect(() => fitSimilarity([{ x: 0, y: 0 }, { x: 1, y: 0 }], [{ x: 1, y: 1 }])).toThrow(RangeError);
    expect(() => fitSimilarity([{ x: 2, y: 2 }, { x: 2, y: 2 }], [{ x: 0, y: 0 }, { x: 1, y: 0 }])).toThrow(RangeError);
  });

  it('gives the identity for points onto themselves', () => {
    const ps = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 5, y: 8 }];
    const fitted = fitSimilarity(ps, ps);
    expect(fitted.a).toBeCloseTo(1, 12);
    expect(fitted.b).toBeCloseTo(0, 12);
    expect(fitted.tx).toBeCloseTo(0, 10);
    expect(fitted.ty).toBeCloseTo(0, 10);
  });
});

describe('invertSimilarity', () => {
  it('undoes the transform', () => {
    fc.assert(fc.property(similarity, point, (t, p) => {
      const there = applySimilarity(t, p);
      return close(applySimilarity(invertSimilarity(t), there), p, 1e-6 * (1 + Math.hypot(p.x, p.y)));
    }));
  });

  it('refuses a transform of scale 0', () => {
    expect(() => invertSimilarity({ a: 0, b: 0, tx: 1, ty: 1 })).toThrow(RangeError);
    expect(invertSimilarity({ a: 1, b: 0, tx: 0, ty: 0 })).toEqual({ a: 1, b: -0, tx: -0, ty: -0 });
  });
});
