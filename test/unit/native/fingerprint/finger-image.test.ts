// The module's 4-bit image format (high nibble first, grey = nibble × 17) and PNG.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeGreyPng, encodeGreyPng, packR30xImage, unpackR30xImage,
} from '../../../../native/fingerprint/finger-image.js';
import { R30X_IMAGE_BYTES } from '../../../../native/fingerprint/r30x-protocol.js';

describe('finger images', () => {
  it('expands the high nibble first, each nibble × 17', () => {
    const packed = new Uint8Array(R30X_IMAGE_BYTES);
    packed[0] = 0xf0;
    packed[1] = 0x3c;
    packed[R30X_IMAGE_BYTES - 1] = 0x0f;
    const image = unpackR30xImage(packed);
    expect([image.width, image.height]).toEqual([256, 288]);
    expect([...image.pixels.subarray(0, 4)]).toEqual([255, 0, 51, 204]);
    expect(image.pixels.at(-1)).toBe(255);
  });

  it('packs back what it unpacked, and round-trips through PNG', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: R30X_IMAGE_BYTES, maxLength: R30X_IMAGE_BYTES }), (packed) => {
      const image = unpackR30xImage(packed);
      expect(Buffer.from(packR30xImage(image)).equals(Buffer.from(packed))).toBe(true);
      expect(decodeGreyPng(encodeGreyPng(image))).toEqual(image);
    }), { numRuns: 5 });
  });

  it('refuses images of the wrong size and bytes that are not PNG', () => {
    expect(() => unpackR30xImage(new Uint8Array(100))).toThrow(expect.objectContaining({ code: 'R30X_BAD_IMAGE' }));
    expect(() => packR30xImage({ width: 2, height: 2, pixels: new Uint8Array(4) }))
      .toThrow(expect.objectContaining({ code: 'R30X_BAD_IMAGE' }));
    expect(() => decodeGreyPng(Uint8Array.of(1, 2, 3))).toThrow(expect.objectContaining({ code: 'FINGER_IMAGE_BAD_PNG' }));
  });
});
