// The size gate in front of an exception photo's decoding. `jpegSize` reads the frame size a
// JPEG declares in its start-of-frame header: a property over real JPEGs of random sizes from
// jpeg-js, every prefix of one (the size once the header is whole, null before), and garbage
// (null or a size, never a throw). `exceptionPhoto` refuses, without decoding it, a JPEG that
// declares more than 4 megapixels (a 1×1 JPEG whose header is patched to 6000×6600, exactly
// at and just over the bound), one larger than 1.5 MB, and a PNG; a camera-sized JPEG decodes
// and is kept. The decoder is wrapped in a spy to see whether it ran.

import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exceptionPhoto, jpegSize } from '../../../../main/enrollment/exception-evidence.js';
import { GatehouseError } from '../../../../main/errors.js';
import { decodeImage } from '../../../../main/face/rgba-image.js';
import type * as RgbaImage from '../../../../main/face/rgba-image.js';

vi.mock('../../../../main/face/rgba-image.js', async (importOriginal) => {
  const original = await importOriginal<typeof RgbaImage>();
  return { ...original, decodeImage: vi.fn(original.decodeImage) };
});
const decoded = vi.mocked(decodeImage);

afterEach(() => {
  decoded.mockClear();
});

/** A genuine baseline JPEG of `width`×`height` from jpeg-js, pixels from `seed`. */
function realJpeg(width: number, height: number, { quality = 80, seed = 7 } = {}): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 1) data[i] = (i % 4 === 3) ? 255 : (seed * 31 + i * 7) % 256;
  return Buffer.from(jpeg.encode({ width, height, data }, quality).data);
}

/** The segments before the scan: marker and where each starts and ends. */
function segments(bytes: Buffer): Array<{ marker: number; start: number; end: number }> {
  const found = [];
  for (let at = 2; at + 3 < bytes.length;) {
    const marker = bytes[at + 1]!;
    const end = at + 2 + bytes.readUInt16BE(at + 2);
    found.push({ marker, start: at, end });
    if (marker === 0xda) break;
    at = end;
  }
  return found;
}

const frameHeader = (bytes: Buffer) => segments(bytes).find((segment) => segment.marker === 0xc0)!;

/** `bytes` with the frame header claiming `width`×`height` (what it encodes stays 1×1). */
function declaring(bytes: Buffer, width: number, height: number): Buffer {
  const patched = Buffer.from(bytes);
  const { start } = frameHeader(patched);
  patched.writeUInt16BE(height, start + 5);
  patched.writeUInt16BE(width, start + 7);
  return patched;
}

/** `bytes` with comment segments added after the start marker until it is `size` bytes long. */
function paddedTo(bytes: Buffer, size: number): Buffer {
  const comments: Buffer[] = [];
  let missing = size - bytes.length;
  while (missing > 0) {
    const body = Math.min(missing - 4, 65533);
    const segment = Buffer.alloc(4 + Math.max(body, 0), 0x78);
    segment.writeUInt16BE(0xfffe, 0);
    segment.writeUInt16BE(Math.max(body, 0) + 2, 2);
    comments.push(segment);
    missing -= segment.length;
  }
  return Buffer.concat([bytes.subarray(0, 2), ...comments, bytes.subarray(2)]);
}

const refusal = (bytes: Uint8Array) => () => exceptionPhoto(Buffer.from(bytes).toString('base64'));
const UNREADABLE = expect.objectContaining({ name: 'GatehouseError', code: 'EXCEPTION_PHOTO_UNREADABLE' });

describe('jpegSize', () => {
  it('reads the size of any JPEG jpeg-js writes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 160 }), fc.integer({ min: 1, max: 160 }), fc.integer({ min: 1, max: 100 }), fc.nat(),
      (width, height, quality, seed) => {
        expect(jpegSize(realJpeg(width, height, { quality, seed }))).toEqual({ width, height });
      },
    ), { numRuns: 80 });
  });

  it('reads the size from any prefix that holds the whole frame header, and nothing from a shorter one', () => {
    const whole = realJpeg(48, 32);
    const sizeEnds = frameHeader(whole).start + 9; // FF C0, length, precision, height, width
    for (let length = 0; length <= whole.length; length += 1) {
      expect(jpegSize(whole.subarray(0, length))).toEqual(length >= sizeEnds ? { width: 48, height: 32 } : null);
    }
  });

  it('never throws on garbage, with or without a JPEG start: null, or a size it declares', () => {
    const whole = realJpeg(9, 5);
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.uint8Array({ maxLength: 600 }).map((tail) => Uint8Array.from([0xff, 0xd8, 0xff, ...tail])),
      // Real segments, cut and spliced at random.
      fc.tuple(fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 40 })).map(([cut, from, noise]) => Uint8Array.from([...whole.subarray(0, cut % whole.length), ...noise, ...whole.subarray(from % whole.length)])),
    );
    fc.assert(fc.property(garbage, (bytes) => {
      const size = jpegSize(bytes);
      if (size !== null) {
        for (const side of [size.width, size.height]) expect(Number.isInteger(side) && side >= 0 && side <= 0xffff).toBe(true);
      }
    }), { numRuns: 400 });
  });

  it('finds nothing when the scan or the end comes before any frame header', () => {
    expect(jpegSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 0xff, 0xc0, 0, 17, 8, 0, 9, 0, 9]))).toBeNull();
    expect(jpegSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9, 0xff, 0xc0, 0, 17, 8, 0, 9, 0, 9, 1, 1]))).toBeNull();
  });
});

describe('exceptionPhoto', () => {
  const tiny = realJpeg(1, 1);

  it('keeps a camera-sized JPEG after decoding it', () => {
    const photo = realJpeg(640, 480, { quality: 60 });
    expect(Buffer.from(exceptionPhoto(photo.toString('base64')))).toEqual(photo);
    expect(decoded).toHaveBeenCalledTimes(1);
  });

  it('refuses a small JPEG whose header declares 6000×6600 pixels, before decoding it', () => {
    const huge = declaring(tiny, 6000, 6600);
    expect(huge.length).toBeLessThan(1000);
    expect(jpegSize(huge)).toEqual({ width: 6000, height: 6600 });
    expect(refusal(huge)).toThrow(UNREADABLE);
    expect(decoded).not.toHaveBeenCalled();
  });

  it('lets a JPEG of exactly 4 megapixels through to the decoder, and refuses one line more before it', () => {
    // The 1×1 picture cannot fill that frame: the decoder (its stand-in here) refuses it.
    decoded.mockImplementationOnce(() => { throw new GatehouseError('FACE_IMAGE_UNREADABLE', 'cut short'); });
    expect(refusal(declaring(tiny, 2000, 2000))).toThrow(UNREADABLE);
    expect(decoded).toHaveBeenCalledTimes(1);
    decoded.mockClear();
    expect(refusal(declaring(tiny, 2000, 2001))).toThrow(UNREADABLE);
    expect(decoded).not.toHaveBeenCalled();
  });

  it('refuses a JPEG of more than 1.5 MB before decoding it, and keeps one just under', () => {
    const under = paddedTo(tiny, 1_500_000);
    expect(under.length).toBe(1_500_000);
    // Only whether the gate lets it through matters here: the decoder's stand-in reads it at once.
    decoded.mockImplementationOnce(() => ({ width: 1, height: 1, data: new Uint8Array(4) }));
    expect(Buffer.from(exceptionPhoto(under.toString('base64'))).equals(under)).toBe(true);
    expect(decoded).toHaveBeenCalledTimes(1);
    decoded.mockClear();
    const over = paddedTo(tiny, 1_500_001);
    expect(jpegSize(over)).toEqual({ width: 1, height: 1 });
    expect(refusal(over)).toThrow(UNREADABLE);
    expect(decoded).not.toHaveBeenCalled();
  });

  it('refuses a PNG, which is no camera JPEG, without decoding it', () => {
    const png = PNG.sync.write(Object.assign(new PNG({ width: 4, height: 4 }), { data: Buffer.alloc(64, 200) }));
    expect(() => decodeImage(png)).not.toThrow(); // a picture the decoder would read
    decoded.mockClear();
    expect(refusal(png)).toThrow(UNREADABLE);
    expect(decoded).not.toHaveBeenCalled();
  });

  // jpeg-js decodes with the last frame header: a 1×1 header followed by a 6000×6600 one must not
  // pass the gate on its first (it cost ~3.7 s and +1.1 GB before the gate counted frames).
  it('refuses, before decoding, a JPEG with a small frame header followed by a 6000×6600 one', () => {
    const first = frameHeader(tiny);
    const large = declaring(tiny, 6000, 6600).subarray(first.start, first.end);
    const twoFrames = Buffer.concat([tiny.subarray(0, first.end), large, tiny.subarray(first.end)]);
    decoded.mockImplementationOnce(() => { throw new GatehouseError('FACE_IMAGE_UNREADABLE', 'only single frame JPEGs supported'); });
    expect(refusal(twoFrames)).toThrow(UNREADABLE);
    expect(decoded).not.toHaveBeenCalled();
  });
});
