// The libjpeg-turbo decoder of the face pipeline: colour, grey and progressive JPEGs decode to
// RGBA close to jpeg-js; a header claiming too many pixels is refused before decoding;
// truncated and bit-flipped JPEGs give FACE_IMAGE_UNREADABLE or an image, never another
// throw, and leave the decoder decoding as before; a fault or a grown wasm heap costs the
// instance; a decoder that cannot be loaded says so and is loaded again on the next call.
import type * as FileSystem from 'node:fs';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatehouseError } from '../../../../main/errors.js';
import { decodeJpeg } from '../../../../main/face/jpeg-decoder.js';

const LIMIT = { maxPixels: 40_000_000 };
const UNREADABLE = expect.objectContaining({ name: 'GatehouseError', code: 'FACE_IMAGE_UNREADABLE' });

/** A baseline colour JPEG from jpeg-js, pixels from a small linear congruential generator. */
function noiseJpeg(width: number, height: number, quality = 90): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  let state = 7;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[i] = state >>> 24;
  }
  return new Uint8Array(jpeg.encode({ width, height, data }, quality).data); // a copy: a Buffer's slice() would share it
}

/** `cjpeg -grayscale -quality 100` of a 16×8 PGM whose pixel (x, y) is (16x + 2y) mod 256. */
const GREY_16X8 = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQH/wAALCAAIABABAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/AP59/wDgm34a/wCQB+7/AOfbt/u1/oAf8E2/DX/IA/d/8+3b/dr/2Q==',
  'base64',
);

/** `cjpeg -progressive -quality 100` of a 16×8 PPM whose pixel (x, y) is (16x, 32y, 200); chroma halved both ways. */
const PROGRESSIVE_16X8 = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQH/2wBDAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQH/wgARCAAIABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAAAAcI/8QAFAEBAAAAAAAAAAAAAAAAAAAAB//aAAwDAQACEAMQAAABkmmRrIf/xAAWEAADAAAAAAAAAAAAAAAAAAAABQf/2gAIAQEAAQUCVSoVSo//xAAeEQAABAcAAAAAAAAAAAAAAAAAAwYHCCQlQlNiY//aAAgBAwEBPwGG14l5IVXFaZp2H//EABwRAAEDBQAAAAAAAAAAAAAAAAYAAgcjJUFS0//aAAgBAgEBPwExk0vq3HbD+i//xAAXEAADAQAAAAAAAAAAAAAAAAAAAiSi/9oACAEBAAY/AlmyLNk//8QAFxAAAwEAAAAAAAAAAAAAAAAAACGh8P/aAAgBAQABPyGZqJmo/9oADAMBAAIAAwAAABD3/8QAGREAAQUAAAAAAAAAAAAAAAAAAQBBkaHw/9oACAEDAQE/EGFgsZK//8QAGREAAgMBAAAAAAAAAAAAAAAAAYEAIXGx/9oACAECAQE/EHwM67Ln/8QAHhAAAQQBBQAAAAAAAAAAAAAAEQEhMVFxYYGRsfD/2gAIAQEAAT8Q1o78MlfZFdxwyX6yR//Z',
  'base64',
);

/** A big-endian 16-bit length or size. */
const u16 = (value: number): number[] => [value >> 8, value & 0xff];

/**
 * A baseline JPEG of `width`×`height` with `components` components, every sample 128: each
 * 8×8 block is a DC difference of 0 and an end of block, one bit each under two one-code
 * Huffman tables, so any size costs a quarter byte per block.
 */
function flatJpeg(width: number, height: number, components: 1 | 3): Uint8Array {
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8) * components;
  const ids = Array.from({ length: components }, (_, c) => c + 1);
  const segment = (marker: number, body: number[]): number[] => [0xff, marker, ...u16(body.length + 2), ...body];
  const oneCode = (tableClass: number): number[] => [tableClass << 4, 1, ...new Array<number>(15).fill(0), 0x00];
  return Uint8Array.from([
    0xff, 0xd8,
    ...segment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, ...u16(height), ...u16(width), components, ...ids.flatMap((id) => [id, 0x11, 0])]),
    ...segment(0xc4, [...oneCode(0), ...oneCode(1)]),
    ...segment(0xda, [components, ...ids.flatMap((id) => [id, 0x00]), 0, 63, 0]),
    ...new Array<number>(Math.ceil(blocks / 4)).fill(0),
    0xff, 0xd9,
  ]);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** The global WebAssembly API (which @types/node 20 does not declare), to count instantiations. */
const wasmApi = (globalThis as unknown as { WebAssembly: { Instance: new (module: object, imports: object) => object } }).WebAssembly;

/** How many wasm instances `run` made. */
function countInstances(run: () => void): number {
  const { Instance } = wasmApi;
  let made = 0;
  wasmApi.Instance = class extends Instance {
    constructor(module: object, imports: object) {
      super(module, imports);
      made++;
    }
  };
  try {
    run();
  } finally {
    wasmApi.Instance = Instance;
  }
  return made;
}

describe('decodeJpeg', () => {
  it('decodes a colour JPEG to RGBA within 3 levels of jpeg-js', () => {
    const bytes = noiseJpeg(40, 24);
    const decoded = decodeJpeg(bytes, LIMIT);
    const reference = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    expect([decoded.width, decoded.height, decoded.data.length]).toEqual([40, 24, 40 * 24 * 4]);
    expect(maxDifference(decoded.data, reference.data)).toBeLessThanOrEqual(3);
  });

  it('decodes a greyscale JPEG to grey RGBA', () => {
    const decoded = decodeJpeg(GREY_16X8, LIMIT);
    expect([decoded.width, decoded.height]).toEqual([16, 8]);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 16; x++) {
        const [red, green, blue, alpha] = decoded.data.subarray((y * 16 + x) * 4, (y * 16 + x + 1) * 4);
        expect([green, blue, alpha]).toEqual([red, red, 255]);
        expect(Math.abs(red! - ((16 * x + 2 * y) % 256)), `(${x}, ${y})`).toBeLessThanOrEqual(2);
      }
    }
  });

  it('decodes a progressive JPEG with subsampled chroma', () => {
    const decoded = decodeJpeg(PROGRESSIVE_16X8, LIMIT);
    expect([decoded.width, decoded.height]).toEqual([16, 8]);
    // Chroma halved both ways blurs the colour a little; each sample stays near its source.
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 16; x++) {
        const pixel = [...decoded.data.subarray((y * 16 + x) * 4, (y * 16 + x + 1) * 4)];
        expect(maxDifference(pixel, [16 * x, 32 * y, 200, 255]), `(${x}, ${y})`).toBeLessThanOrEqual(16);
      }
    }
  });

  it('decodes a large image, and after it (a fresh instance, the heap having grown) small ones as before', () => {
    const small = noiseJpeg(24, 16);
    const before = decodeJpeg(small, LIMIT);
    const instances = countInstances(() => {
      const large = decodeJpeg(flatJpeg(5000, 4000, 3), LIMIT);
      expect([large.width, large.height]).toEqual([5000, 4000]);
      expect(large.data.every((value, i) => value === (i % 4 === 3 ? 255 : 128))).toBe(true);
    });
    expect(instances).toBe(0);
    expect(countInstances(() => expect(decodeJpeg(small, LIMIT)).toEqual(before))).toBe(1);
    expect(countInstances(() => expect(decodeJpeg(small, LIMIT)).toEqual(before))).toBe(0);
  });

  it('starts a fresh instance after libjpeg-turbo stopped inside wasm, not after a refused header', () => {
    const bytes = noiseJpeg(24, 16);
    const before = decodeJpeg(bytes, LIMIT);
    expect(countInstances(() => expect(() => decodeJpeg(bytes, { maxPixels: 10 })).toThrow(UNREADABLE))).toBe(0);
    expect(countInstances(() => expect(decodeJpeg(bytes, LIMIT)).toEqual(before))).toBe(0);
    expect(countInstances(() => expect(() => decodeJpeg(bytes.subarray(0, 100), LIMIT)).toThrow(UNREADABLE))).toBe(0);
    expect(countInstances(() => expect(decodeJpeg(bytes, LIMIT)).toEqual(before))).toBe(1);
  });

  it('refuses, before decoding, a header that claims more pixels than allowed', () => {
    const bytes = flatJpeg(64, 48, 3);
    expect(decodeJpeg(bytes, { maxPixels: 64 * 48 }).width).toBe(64);
    expect(() => decodeJpeg(bytes, { maxPixels: 64 * 48 - 1 })).toThrow(expect.objectContaining({
      code: 'FACE_IMAGE_UNREADABLE',
      details: expect.objectContaining({ width: 64, height: 48, maxPixels: 64 * 48 - 1 }),
    }));
    // The frame header (after the start marker and the 69-byte quantisation table) rewritten to
    // claim 60 000 × 60 000, 10.8 GB of RGB, over the data of 8×8.
    const absurd = flatJpeg(8, 8, 3);
    absurd.set([...u16(60_000), ...u16(60_000)], 2 + 69 + 5);
    expect(() => decodeJpeg(absurd, LIMIT)).toThrow(expect.objectContaining({ details: expect.objectContaining({ width: 60_000, height: 60_000 }) }));
  });

  it('refuses a second frame header, so the size checked is the size decoded', () => {
    const small = flatJpeg(8, 8, 3);
    const large = flatJpeg(6000, 6600, 3);
    const frame = (bytes: Uint8Array) => bytes.subarray(71, 71 + 2 + 17); // SOF0 with 3 components: 2 + 17 bytes
    expect([...frame(small).subarray(0, 2)]).toEqual([0xff, 0xc0]);
    const twoFrames = Uint8Array.from([...small.subarray(0, 71 + 19), ...frame(large), ...small.subarray(71 + 19)]);
    // Refused by libjpeg itself ("two SOF markers"), not by the size check, which would name 6000×6600.
    const refusal = (() => {
      try {
        return decodeJpeg(twoFrames, { maxPixels: 64 });
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toEqual(UNREADABLE);
    expect((refusal as GatehouseError).details).not.toHaveProperty('width');
  });

  it('gives FACE_IMAGE_UNREADABLE or an image for truncated and bit-flipped JPEGs, and decodes as before afterwards', () => {
    const original = noiseJpeg(32, 24, 75);
    const expected = decodeJpeg(original, LIMIT);
    const truncated = fc.integer({ min: 4, max: original.length - 1 }).map((length) => original.slice(0, length));
    const flipped = fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const bytes = original.slice();
      for (const [at, bit] of flips) if (at >= 3) bytes[at]! ^= 1 << bit; // the signature stays, as decodeImage checks it
      return bytes;
    });
    let refused = 0;
    fc.assert(fc.property(fc.oneof(truncated, flipped), (bytes) => {
      try {
        const image = decodeJpeg(bytes, { maxPixels: 4096 });
        expect(image.data.length).toBe(image.width * image.height * 4);
        expect(image.width * image.height).toBeLessThanOrEqual(4096);
      } catch (error) {
        expect(error).toBeInstanceOf(GatehouseError);
        expect(error).toEqual(UNREADABLE);
        refused++;
      }
      expect(decodeJpeg(original, LIMIT)).toEqual(expected);
    }), { numRuns: 100 });
    expect(refused).toBeGreaterThan(0);
  });
});

describe('decodeJpeg without its wasm', () => {
  afterEach(() => {
    vi.doUnmock('node:fs');
    vi.resetModules();
  });

  it('says the decoder cannot be loaded, and loads it on the next call', async () => {
    vi.resetModules();
    vi.doMock('node:fs', async (importOriginal) => {
      const fs = await importOriginal<typeof FileSystem>();
      const readFileSync = vi.fn(fs.readFileSync).mockImplementationOnce(() => {
        throw new Error('ENOENT: no such file or directory');
      });
      return { ...fs, default: { ...fs, readFileSync }, readFileSync };
    });
    const fresh = await import('../../../../main/face/jpeg-decoder.js');
    const bytes = noiseJpeg(16, 16);
    expect(() => fresh.decodeJpeg(bytes, LIMIT)).toThrow(expect.objectContaining({
      code: 'FACE_JPEG_DECODER_UNAVAILABLE',
      message: expect.stringContaining('ENOENT') as unknown,
    }));
    expect(fresh.decodeJpeg(bytes, LIMIT)).toEqual(decodeJpeg(bytes, LIMIT));
  });
});
