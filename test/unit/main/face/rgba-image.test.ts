// Decoding JPEG and PNG by signature, clear errors for anything else, and the crop and resize
// the accurate path uses.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { checkRgba, cropPadded, decodeImage, resizeBilinear, type RgbaImage } from '../../../../main/face/rgba-image.js';

function gradient(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x * 10, y * 10, 50, 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

function png(image: RgbaImage): Uint8Array {
  const encoded = new PNG({ width: image.width, height: image.height });
  encoded.data = Buffer.from(image.data);
  return PNG.sync.write(encoded);
}

describe('decodeImage', () => {
  it('decodes PNG exactly and JPEG closely', () => {
    const image = gradient(12, 8);
    expect(decodeImage(png(image))).toMatchObject({ width: 12, height: 8, data: Buffer.from(image.data) });
    const decoded = decodeImage(jpeg.encode({ ...image, data: Buffer.from(image.data) }, 95).data);
    expect([decoded.width, decoded.height]).toEqual([12, 8]);
    expect(Math.abs(decoded.data[(3 * 12 + 5) * 4] - 50)).toBeLessThan(12);
  });

  it('refuses bytes that are neither, and a truncated JPEG, with codes', () => {
    expect(() => decodeImage(new TextEncoder().encode('GIF89a not supported'))).toThrow(expect.objectContaining({ code: 'FACE_IMAGE_UNSUPPORTED' }));
    const truncated = jpeg.encode({ ...gradient(16, 16), data: Buffer.from(gradient(16, 16).data) }, 90).data.subarray(0, 40);
    expect(() => decodeImage(truncated)).toThrow(expect.objectContaining({ code: 'FACE_IMAGE_UNREADABLE' }));
  });

  it('checks the size of raw frames', () => {
    expect(() => checkRgba({ width: 2, height: 2, data: new Uint8Array(15) })).toThrow(expect.objectContaining({ code: 'FACE_IMAGE_UNREADABLE' }));
    expect(checkRgba({ width: 2, height: 2, data: new Uint8Array(16) }).width).toBe(2);
  });
});

describe('cropPadded and resizeBilinear', () => {
  it('crops, filling what lies outside the image with mid grey', () => {
    const crop = cropPadded(gradient(4, 4), { x: -1, y: 2, width: 3, height: 3 });
    expect([crop.width, crop.height]).toEqual([3, 3]);
    expect([...crop.data.subarray(0, 4)]).toEqual([128, 128, 128, 128]);
    expect([...crop.data.subarray(4, 8)]).toEqual([0, 20, 50, 255]); // pixel (0, 2)
    expect([...crop.data.subarray((2 * 3 + 1) * 4, (2 * 3 + 2) * 4)]).toEqual([128, 128, 128, 128]); // row 4 is outside
  });

  it('keeps a flat image flat and a gradient monotonic', () => {
    const flat = { width: 5, height: 3, data: new Uint8Array(60).fill(77) };
    expect(resizeBilinear(flat, 11, 7).data.every((v) => v === 77)).toBe(true);
    const up = resizeBilinear(gradient(4, 1), 8, 1);
    const reds = Array.from({ length: 8 }, (_, x) => up.data[x * 4]);
    expect(reds).toEqual([...reds].sort((a, b) => a - b));
    expect([reds[0], reds[7]]).toEqual([0, 30]);
  });
});
