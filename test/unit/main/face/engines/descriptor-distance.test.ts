// The two distance metrics an engine may be calibrated in: Euclidean, and cosine distance,
// which ignores a descriptor's length, is 0 for the same direction and 2 for the opposite one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosineDistance, descriptorDistance, euclideanDistance } from '../../../../../main/face/engines/descriptor-distance.js';

const vector = (length: number) => fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: length, maxLength: length });
const nonZero = vector(8).filter((v) => v.some((x) => Math.abs(x) > 1e-3));

describe('descriptor distances', () => {
  it('cosine: symmetric, within [0, 2], blind to length, 0 to itself and 2 to its opposite', () => {
    fc.assert(fc.property(nonZero, nonZero, fc.double({ min: 0.01, max: 100, noNaN: true }), (a, b, k) => {
      const d = cosineDistance(a, b);
      return d >= 0 && d <= 2 && Math.abs(d - cosineDistance(b, a)) < 1e-12
        && Math.abs(cosineDistance(a, b.map((x) => x * k)) - d) < 1e-9
        && cosineDistance(a, a) < 1e-12 && Math.abs(cosineDistance(a, a.map((x) => -x)) - 2) < 1e-12;
    }));
  });

  it('cosine: orthogonal is 1, a zero descriptor is 2, unequal lengths are refused', () => {
    expect(cosineDistance([1, 0], [0, 3])).toBe(1);
    expect(cosineDistance([0, 0], [1, 0])).toBe(2);
    expect(() => cosineDistance([1], [1, 2])).toThrow(RangeError);
  });

  it('chooses by metric', () => {
    expect(descriptorDistance('euclidean', [0, 3], [4, 0])).toBe(5);
    expect(euclideanDistance([0, 3], [4, 0])).toBe(5);
    expect(descriptorDistance('cosine', [1, 0], [0, 1])).toBe(1);
  });
});
