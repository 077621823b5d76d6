// The aligned crop of the ONNX engine: the five points come from the right landmarks in the
// template's order, the warp copies pixels under a pure translation and blacks out what lies
// outside the image, and a face whose five points sit on the template is cut out unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignedCrop, ARCFACE_112_TEMPLATE, fivePointsOf, warpSimilarity } from '../../../../../main/face/engines/aligned-crop.js';
import type { Point } from '../../../../../main/face/landmarks.js';
import type { RgbaImage } from '../../../../../main/face/rgba-image.js';

function noise(width: number, height: number, seed: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = i % 4 === 3 ? 255 : state >>> 24;
  }
  return { width, height, data };
}

const IDENTITY = { a: 1, b: 0, tx: 0, ty: 0 };
const pixel = (image: RgbaImage, x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

/** 68 landmarks whose eyes, nose tip and mouth corners are the given five points (the rest at the origin). */
function landmarksWith(five: readonly Point[]): Point[] {
  const landmarks: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  for (let i = 36; i < 42; i++) landmarks[i] = five[0];
  for (let i = 42; i < 48; i++) landmarks[i] = five[1];
  landmarks[30] = five[2];
  landmarks[48] = five[3];
  landmarks[54] = five[4];
  return landmarks;
}

describe('fivePointsOf', () => {
  it('takes the eye centres, the nose tip and the mouth corners, image-left first', () => {
    const landmarks = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i }));
    expect(fivePointsOf(landmarks)).toEqual([{ x: 38.5, y: 77 }, { x: 44.5, y: 89 }, { x: 30, y: 60 }, { x: 48, y: 96 }, { x: 54, y: 108 }]);
    expect(() => fivePointsOf(landmarks.slice(1))).toThrow(RangeError);
  });
});

describe('warpSimilarity', () => {
  it('copies the pixels of an integer translation and is black outside the image', () => {
    fc.assert(fc.property(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }), fc.integer({ min: 0, max: 1000 }), (dx, dy, seed) => {
      const image = noise(24, 20, seed);
      const size = 16;
      // The crop shows the image shifted so that image (x, y) lands on crop (x + dx, y + dy).
      const crop = warpSimilarity(image, { ...IDENTITY, tx: dx, ty: dy }, size);
      for (let v = 0; v < size; v++) {
        for (let u = 0; u < size; u++) {
          const [x, y] = [u - dx, v - dy];
          const expected = x < 0 || y < 0 || x >= image.width || y >= image.height ? [0, 0, 0, 255] : pixel(image, x, y);
          if (pixel(crop, u, v).join() !== expected.join()) return false;
        }
      }
      return true;
    }));
  });

  it('averages neighbours half-way between pixels', () => {
    const image: RgbaImage = { width: 2, height: 1, data: new Uint8Array([0, 100, 200, 255, 100, 200, 0, 255]) };
    const crop = warpSimilarity(image, { ...IDENTITY, tx: -0.5 }, 1);
    expect(pixel(crop, 0, 0)).toEqual([50, 150, 100, 255]);
  });

  it('always gives size × size opaque pixels', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0.2, max: 5, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (size, scale, angle) => {
      const crop = warpSimilarity(noise(9, 7, 1), { a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx: 3, ty: -2 }, size);
      return crop.width === size && crop.height === size && crop.data.length === size * size * 4 && crop.data.every((v, i) => i % 4 !== 3 || v === 255);
    }));
  });
});

describe('alignedCrop', () => {
  it('cuts a face whose five points already sit on the template out unchanged', () => {
    const image = noise(112, 112, 7);
    const crop = alignedCrop(image, landmarksWith(ARCFACE_112_TEMPLATE), ARCFACE_112_TEMPLATE, 112);
    expect(Buffer.from(crop.data).equals(Buffer.from(image.data))).toBe(true);
  });

  it('undoes a doubling of the image around the face', () => {
    const small = noise(112, 112, 3);
    // The same picture at twice the size, nearest neighbour, its landmarks doubled too.
    const big = { width: 224, height: 224, data: new Uint8Array(224 * 224 * 4) };
    for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) big.data.set(pixel(small, x >> 1, y >> 1), (y * 224 + x) * 4);
    const doubled = ARCFACE_112_TEMPLATE.map((p) => ({ x: 2 * p.x + 0.5, y: 2 * p.y + 0.5 }));
    const crop = alignedCrop(big, landmarksWith(doubled), ARCFACE_112_TEMPLATE, 112);
    expect(Buffer.from(crop.data).equals(Buffer.from(small.data))).toBe(true);
  });
});
