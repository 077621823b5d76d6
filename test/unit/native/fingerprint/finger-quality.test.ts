// The quality estimate ranks a clean synthetic finger above the same finger blurred,
// drowned in noise or half missing, and scores an empty sensor near zero.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateFingerQuality, FINGER_QUALITY_METHOD } from '../../../../native/fingerprint/finger-quality.js';
import { packR30xImage, unpackR30xImage, type GreyImage } from '../../../../native/fingerprint/finger-image.js';
import { renderSyntheticFinger, seededRandom } from '../../../../native/sim/synthetic-finger.js';

const clamp = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
const map = (image: GreyImage, f: (grey: number, x: number, y: number) => number): GreyImage => ({
  ...image,
  pixels: image.pixels.map((grey, i) => clamp(f(grey, i % image.width, Math.floor(i / image.width)))),
});

/** Box blur of the given radius, applied three times (close to a Gaussian). */
function blurred(image: GreyImage, radius: number): GreyImage {
  let current = image;
  for (let pass = 0; pass < 3; pass++) {
    const source = current;
    current = map(source, (_, x, y) => {
      let sum = 0;
      let n = 0;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const sx = x + dx;
          const sy = y + dy;
          if (sx < 0 || sy < 0 || sx >= source.width || sy >= source.height) continue;
          sum += source.pixels[sy * source.width + sx]!;
          n++;
        }
      }
      return sum / n;
    });
  }
  return current;
}

function noised(image: GreyImage, seed: number, amplitude: number): GreyImage {
  const random = seededRandom(seed);
  return map(image, (grey) => grey + (random() + random() + random() - 1.5) * amplitude);
}

const halfErased = (image: GreyImage) => map(image, (grey, _, y) => (y >= image.height / 2 ? 238 : grey));

/** What the kiosk sees: the sensor's 4-bit image expanded to 8 bits. */
const sensorImage = (seed: number) => unpackR30xImage(packR30xImage(renderSyntheticFinger(seed, 1)));

describe('estimateFingerQuality', () => {
  it('names itself honestly and keeps every component within 0…1', () => {
    const estimate = estimateFingerQuality(sensorImage(7));
    expect(estimate.method).toBe(FINGER_QUALITY_METHOD);
    expect(estimate.method).toMatch(/not a certified NFIQ 2 score/);
    for (const value of Object.values(estimate.components)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  });

  it('scores a clean synthetic finger well and an empty sensor near zero', () => {
    expect(estimateFingerQuality(sensorImage(11)).score).toBeGreaterThanOrEqual(70);
    const empty = sensorImage(11);
    empty.pixels.fill(238);
    expect(estimateFingerQuality(empty).score).toBeLessThanOrEqual(5);
  });

  it('ranks a clean finger above the same finger blurred, noised or half erased', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
      const clean = sensorImage(seed);
      const quality = estimateFingerQuality(clean);
      const worse = {
        blurred: estimateFingerQuality(blurred(clean, 2)),
        noised: estimateFingerQuality(noised(clean, seed, 160)),
        halfErased: estimateFingerQuality(halfErased(clean)),
      };
      expect(worse.blurred.score).toBeLessThan(quality.score);
      expect(worse.blurred.components.contrast).toBeLessThan(quality.components.contrast);
      expect(worse.noised.score).toBeLessThan(quality.score);
      expect(worse.noised.components.orientationCoherence).toBeLessThan(quality.components.orientationCoherence);
      expect(worse.halfErased.score).toBeLessThan(quality.score);
      expect(worse.halfErased.components.usableArea).toBeLessThan(quality.components.usableArea);
    }), { numRuns: 5 });
  });
});
