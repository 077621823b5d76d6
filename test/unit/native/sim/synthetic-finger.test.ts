// Synthetic fingers are deterministic per seed and impression, look like fingers to the
// quality estimate, and differ between fingers and between impressions of one finger.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderSyntheticFinger, seededRandom, syntheticImpression } from '../../../../native/sim/synthetic-finger.js';
import { estimateFingerQuality } from '../../../../native/fingerprint/finger-quality.js';

const differingPixels = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v === b[i] ? 0 : 1), 0);

describe('synthetic fingers', () => {
  it('draws the same pixels for the same seed and impression', () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 0, max: 50 }), (seed, impression) => {
      expect(renderSyntheticFinger(seed, impression)).toEqual(renderSyntheticFinger(seed, impression));
    }), { numRuns: 4 });
  });

  it('draws a 256 × 288 finger on a light background with a plausible quality', () => {
    const image = renderSyntheticFinger(42, 3);
    expect([image.width, image.height, image.pixels.length]).toEqual([256, 288, 256 * 288]);
    expect(image.pixels[0]).toBeGreaterThan(200);
    expect(estimateFingerQuality(image).score).toBeGreaterThanOrEqual(70);
  });

  it('varies between fingers and between impressions of one finger', () => {
    const first = renderSyntheticFinger(1, 1).pixels;
    expect(differingPixels(first, renderSyntheticFinger(2, 1).pixels)).toBeGreaterThan(first.length / 4);
    expect(differingPixels(first, renderSyntheticFinger(1, 2).pixels)).toBeGreaterThan(first.length / 4);
  });

  it('keeps impressions small: a shift of at most 10 px, a turn of at most 0.1 rad', () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
      const { dx, dy, rotation, pressure } = syntheticImpression(seed, n);
      expect(Math.max(Math.abs(dx), Math.abs(dy))).toBeLessThanOrEqual(10);
      expect(Math.abs(rotation)).toBeLessThanOrEqual(0.1);
      expect(pressure).toBeGreaterThanOrEqual(0.85);
      expect(pressure).toBeLessThanOrEqual(1.15);
    }));
  });

  it('seeds a generator that stays in [0, 1) and depends on every seed', () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), (a, b) => {
      const values = Array.from({ length: 20 }, seededRandom(a, b));
      expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
      expect(Array.from({ length: 20 }, seededRandom(a, b))).toEqual(values);
      expect(Array.from({ length: 20 }, seededRandom(a, b + 1))).not.toEqual(values);
    }));
  });
});
