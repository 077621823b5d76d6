// The chip portrait made fit for the face check: JPEG 2000 (JP2 file or bare codestream, made
// here with OpenJPEG's encoder) decoded and re-encoded as a baseline JPEG close to the original
// pixels, a decodable JPEG passed through untouched, and hostile images — wrong format, cut
// short, bit-flipped, claiming 60000×60000 pixels, shapes the decoder cannot convert — refused
// with a DeviceError, the size before anything is decoded. The OpenJPEG factory is wrapped to
// count instances and decoders, so the tests also show the module is loaded once and every
// decoder freed.

import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { describe, expect, it, vi } from 'vitest';
import type createOpenJpegDecoder from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import type { J2KDecoder, OpenJpegDecoderModule, OpenJpegModuleOptions } from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import { DeviceError } from '../../../../native/device-error.js';
import { portraitFormat, portraitJpeg, type PortraitImage } from '../../../../native/emrtd/portrait-image.js';
import { encodeJpeg2000 } from '../../../../native/sim/emrtd/jpeg2000-encoder.js';
import { failure } from './emrtd-fixtures.js';

const openJpeg = vi.hoisted(() => ({ instances: 0, decoders: 0, freed: 0, heapBytes: 0, failingLoads: 0 }));

vi.mock('@cornerstonejs/codec-openjpeg/decodewasmjs', async (importOriginal) => {
  const real = await importOriginal<{ default: typeof createOpenJpegDecoder }>();
  return {
    default: async (options?: OpenJpegModuleOptions): Promise<OpenJpegDecoderModule> => {
      if (openJpeg.failingLoads > 0) {
        openJpeg.failingLoads -= 1;
        throw new Error('openjpegwasm_decode.wasm: no such file');
      }
      const module = await real.default(options);
      openJpeg.instances += 1;
      class CountedDecoder implements J2KDecoder {
        readonly #inner = new module.J2KDecoder();
        constructor() {
          openJpeg.decoders += 1;
        }
        getEncodedBuffer(length: number) { return this.#inner.getEncodedBuffer(length); }
        decode() { this.#inner.decode(); }
        getDecodedBuffer() { return this.#inner.getDecodedBuffer(); }
        getFrameInfo() { return this.#inner.getFrameInfo(); }
        delete() {
          openJpeg.freed += 1;
          this.#inner.delete();
        }
      }
      return {
        J2KDecoder: CountedDecoder,
        get HEAPU8() {
          openJpeg.heapBytes = module.HEAPU8.length;
          return module.HEAPU8;
        },
      };
    },
  };
});

/** A smooth head-and-shoulders test card: background gradient, skin ellipse, hair, eyes, mouth. RGB. */
function faceLike(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const inside = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) => ((x / width - cx) / rx) ** 2 + ((y / height - cy) / ry) ** 2 <= 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let pixel = [150 + Math.round((40 * y) / height), 170, 190 - Math.round((30 * x) / width)];
      if (inside(x, y, 0.5, 1.05, 0.45, 0.25)) pixel = [60, 70, 110]; // shoulders
      if (inside(x, y, 0.5, 0.45, 0.3, 0.36)) {
        const shade = Math.round(30 * (x / width - 0.5));
        pixel = [222 - shade, 172 - shade, 140 - shade];
        if (y < height * 0.22) pixel = [70, 45, 30]; // hair
        if (inside(x, y, 0.38, 0.42, 0.05, 0.025) || inside(x, y, 0.62, 0.42, 0.05, 0.025)) pixel = [40, 30, 30];
        if (inside(x, y, 0.5, 0.66, 0.11, 0.03)) pixel = [160, 60, 70];
      }
      rgb.set(pixel, (y * width + x) * 3);
    }
  }
  return rgb;
}

const toGrey = (rgb: Uint8Array): Uint8Array => Uint8Array.from({ length: rgb.length / 3 }, (_, i) => Math.round((rgb[3 * i]! + rgb[3 * i + 1]! + rgb[3 * i + 2]!) / 3));

/** Mean absolute difference per channel between RGB (or grey) samples and decoded RGBA pixels. */
function meanAbsoluteError(expected: Uint8Array, components: 1 | 3, rgba: Uint8Array): number {
  let sum = 0;
  const pixels = expected.length / components;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) sum += Math.abs(expected[p * components + (components === 3 ? c : 0)]! - rgba[p * 4 + c]!);
  }
  return sum / (pixels * 3);
}

const decodeJpeg = (bytes: Uint8Array) => jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });

/** The start-of-frame marker of a JPEG (C0 baseline, C2 progressive, …), from walking its segments. */
function frameMarker(bytes: Uint8Array): number {
  for (let at = 2; at + 4 <= bytes.length; at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!)) {
    const marker = bytes[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return marker;
  }
  return -1;
}


/** Offset of the SIZ marker segment: right after SOC in a codestream, inside jp2c in a JP2 file. */
const sizOffset = (image: Uint8Array): number => (image[0] === 0xff ? 2 : Buffer.from(image).indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51])) + 2);

function patched(image: Uint8Array, edit: (view: DataView, siz: number) => void): Uint8Array {
  const copy = Uint8Array.from(image);
  edit(new DataView(copy.buffer), sizOffset(copy));
  return copy;
}

const WIDTH = 240;
const HEIGHT = 320;
const face = faceLike(WIDTH, HEIGHT);
const faceJp2 = await encodeJpeg2000(face, WIDTH, HEIGHT);
const faceJ2k = await encodeJpeg2000(face, WIDTH, HEIGHT, { container: 'j2k' });
const faceJpeg = new Uint8Array(jpeg.encode({ width: WIDTH, height: HEIGHT, data: rgbaOf(face) }, 90).data);
const small = faceLike(48, 64);
const smallJp2 = await encodeJpeg2000(small, 48, 64, { compressionRatio: 0 });
const smallJpeg = new Uint8Array(jpeg.encode({ width: 48, height: 64, data: rgbaOf(small) }, 80).data);

function rgbaOf(rgb: Uint8Array): Uint8Array {
  const rgba = new Uint8Array((rgb.length / 3) * 4).fill(255);
  for (let p = 0; p < rgb.length / 3; p++) rgba.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p);
  return rgba;
}

const jpeg2000 = (bytes: Uint8Array): PortraitImage => ({ format: 'jpeg2000', bytes });

/** Either a JPEG that decodes or a DeviceError with a portrait code, within two seconds. */
async function expectResultOrDeviceError(image: PortraitImage): Promise<void> {
  const started = performance.now();
  try {
    const result = await portraitJpeg(image);
    expect(decodeJpeg(result.jpeg).width).toBe(result.width);
  } catch (error) {
    expect(error).toBeInstanceOf(DeviceError);
    expect(['CHIP_PORTRAIT_UNREADABLE', 'CHIP_PORTRAIT_TOO_LARGE']).toContain((error as DeviceError).code);
  }
  expect(performance.now() - started).toBeLessThan(2000);
}

describe('portraitFormat', () => {
  it('tells JPEG, JP2 files and bare JPEG 2000 codestreams apart by their signatures', () => {
    expect(portraitFormat(faceJpeg)).toBe('jpeg');
    expect(portraitFormat(faceJp2)).toBe('jpeg2000');
    expect(portraitFormat(faceJ2k)).toBe('jpeg2000');
    expect(Buffer.from(faceJp2.subarray(0, 12)).toString('hex')).toBe('0000000c6a5020200d0a870a');
    expect(Buffer.from(faceJ2k.subarray(0, 4)).toString('hex')).toBe('ff4fff51');
  });

  it('returns null for anything else, empty and cut-short signatures included', () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0xff, 0xd8), Uint8Array.of(0xff, 0x4f, 0xff), faceJp2.subarray(0, 11), Buffer.from('GIF89a'), Uint8Array.of(0x89, 0x50, 0x4e, 0x47)]) {
      expect(portraitFormat(bytes)).toBeNull();
    }
  });
});

describe('portraitJpeg: JPEG 2000', () => {
  it('decodes a JP2 colour portrait into a baseline JPEG close to the original pixels', async () => {
    const result = await portraitJpeg(jpeg2000(faceJp2));
    expect(result).toMatchObject({ width: WIDTH, height: HEIGHT, converted: true });
    expect(frameMarker(result.jpeg)).toBe(0xc0);
    const decoded = decodeJpeg(result.jpeg);
    expect([decoded.width, decoded.height]).toEqual([WIDTH, HEIGHT]);
    expect(meanAbsoluteError(face, 3, decoded.data)).toBeLessThan(3);
  });

  it('gives the same JPEG for the bare codestream as for the JP2 file around it', async () => {
    const [fromJp2, fromJ2k] = await Promise.all([portraitJpeg(jpeg2000(faceJp2)), portraitJpeg(jpeg2000(faceJ2k))]);
    expect(fromJ2k.converted).toBe(true);
    expect(Buffer.from(fromJ2k.jpeg).equals(Buffer.from(fromJp2.jpeg))).toBe(true);
  });

  it('decodes greyscale portraits into a grey JPEG', async () => {
    const grey = toGrey(face);
    for (const container of ['jp2', 'j2k'] as const) {
      const result = await portraitJpeg(jpeg2000(await encodeJpeg2000(grey, WIDTH, HEIGHT, { components: 1, container })));
      const decoded = decodeJpeg(result.jpeg);
      expect(meanAbsoluteError(grey, 1, decoded.data)).toBeLessThan(3);
      const chroma = Array.from({ length: WIDTH * HEIGHT }, (_, p) => Math.abs(decoded.data[4 * p]! - decoded.data[4 * p + 2]!));
      expect(Math.max(...chroma)).toBeLessThanOrEqual(2);
    }
  });

  it('scales 16-bit and 12-bit greyscale down to 8 bits', async () => {
    const grey = toGrey(face);
    for (const bits of [16, 12]) {
      const top = 2 ** bits - 1;
      const samples = Uint16Array.from(grey, (v) => Math.round((v * top) / 255));
      const image = await encodeJpeg2000(samples, WIDTH, HEIGHT, { components: 1, bitsPerSample: bits, compressionRatio: 0 });
      const decoded = decodeJpeg((await portraitJpeg(jpeg2000(image))).jpeg);
      expect(meanAbsoluteError(grey, 1, decoded.data)).toBeLessThan(2);
    }
  });

  it('scales colour of fewer than 8 bits up to the full range', async () => {
    const fiveBit = face.map((v) => v >> 3);
    const image = await encodeJpeg2000(fiveBit, WIDTH, HEIGHT, { bitsPerSample: 5, compressionRatio: 0 });
    const decoded = decodeJpeg((await portraitJpeg(jpeg2000(image))).jpeg);
    expect(meanAbsoluteError(face, 3, decoded.data)).toBeLessThan(6);
  });
});

describe('portraitJpeg: JPEG', () => {
  it('passes a JPEG that decodes through untouched, with its size', async () => {
    const result = await portraitJpeg({ format: 'jpeg', bytes: faceJpeg });
    expect(result).toEqual({ jpeg: faceJpeg, width: WIDTH, height: HEIGHT, converted: false });
    expect(result.jpeg).toBe(faceJpeg);
  });

  it('refuses a JPEG that does not decode', async () => {
    const broken = Uint8Array.from([...faceJpeg.subarray(0, 200), 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9]);
    const error = await failure(portraitJpeg({ format: 'jpeg', bytes: Uint8Array.of(0xff, 0xd8, 0xff, 0xd9) }));
    expect(error.code).toBe('CHIP_PORTRAIT_UNREADABLE');
    expect((await failure(portraitJpeg({ format: 'jpeg', bytes: broken }))).code).toBe('CHIP_PORTRAIT_UNREADABLE');
  });
});

describe('portraitJpeg: hostile images', () => {
  it('refuses an image whose bytes are not the format DG2 declares', async () => {
    const asJpeg = await failure(portraitJpeg({ format: 'jpeg', bytes: faceJp2 }));
    expect(asJpeg.code).toBe('CHIP_PORTRAIT_UNREADABLE');
    expect(asJpeg.message).toMatch(/declares it JPEG but its bytes are JPEG 2000/);
    expect((await failure(portraitJpeg(jpeg2000(faceJpeg)))).code).toBe('CHIP_PORTRAIT_UNREADABLE');
    expect((await failure(portraitJpeg(jpeg2000(Buffer.from('not an image at all'))))).message).toMatch(/neither JPEG nor JPEG 2000/);
  });

  it('refuses truncated JPEG 2000 with OpenJPEG\'s reason in the details', async () => {
    const cut = await failure(portraitJpeg(jpeg2000(faceJ2k.subarray(0, faceJ2k.length >> 1))));
    expect(cut.code).toBe('CHIP_PORTRAIT_UNREADABLE');
    expect(cut.details['decoder']).toEqual(expect.arrayContaining([expect.any(String)]));
    expect((await failure(portraitJpeg(jpeg2000(faceJp2.subarray(0, faceJp2.length - 10))))).message).toMatch(/jp2c.*does not fit/);
    expect((await failure(portraitJpeg(jpeg2000(faceJ2k.subarray(0, 30))))).message).toMatch(/SIZ/);
  });

  it('refuses a header claiming 60000×60000 pixels before decoding: JPEG SOF, JP2 ihdr, J2K SIZ', async () => {
    const decoders = openJpeg.decoders;
    const huge = (image: Uint8Array) => patched(image, (view, siz) => {
      view.setUint32(siz + 6, 60000);
      view.setUint32(siz + 10, 60000);
    });
    const ihdr = Buffer.from(faceJp2).indexOf('ihdr') + 4;
    const hugeIhdr = Uint8Array.from(faceJp2);
    new DataView(hugeIhdr.buffer).setUint32(ihdr, 60000);
    new DataView(hugeIhdr.buffer).setUint32(ihdr + 4, 60000);
    const sof = Buffer.from(faceJpeg).indexOf(Buffer.from([0xff, 0xc0]));
    const hugeJpeg = Uint8Array.from(faceJpeg);
    new DataView(hugeJpeg.buffer).setUint16(sof + 5, 60000);
    new DataView(hugeJpeg.buffer).setUint16(sof + 7, 60000);
    for (const image of [jpeg2000(huge(faceJ2k)), jpeg2000(huge(faceJp2)), jpeg2000(hugeIhdr), { format: 'jpeg' as const, bytes: hugeJpeg }]) {
      const started = performance.now();
      const error = await failure(portraitJpeg(image));
      expect(error.code).toBe('CHIP_PORTRAIT_TOO_LARGE');
      expect(error.details).toMatchObject({ width: 60000, height: 60000, maxPixels: 4_000_000 });
      expect(performance.now() - started).toBeLessThan(50);
    }
    expect(openJpeg.decoders).toBe(decoders);
  });

  it('applies the maxPixels option to JPEG and JPEG 2000 alike', async () => {
    for (const image of [jpeg2000(faceJp2), { format: 'jpeg' as const, bytes: faceJpeg }]) {
      expect((await failure(portraitJpeg(image, { maxPixels: WIDTH * HEIGHT - 1 }))).code).toBe('CHIP_PORTRAIT_TOO_LARGE');
      expect((await portraitJpeg(image, { maxPixels: WIDTH * HEIGHT })).width).toBe(WIDTH);
    }
  });

  it('refuses, from the SIZ marker, shapes this OpenJPEG build would not convert correctly', async () => {
    const grey = await encodeJpeg2000(toGrey(small), 48, 64, { components: 1, container: 'j2k' });
    // Offsets from the SIZ marker: Xsiz 6, Ysiz 10, XOsiz 14, YOsiz 18, XTsiz 22, YTsiz 26, Csiz 38, then Ssiz/XRsiz/YRsiz per component.
    const depth = (c: number) => 40 + 3 * c;
    const cases: [Uint8Array, RegExp][] = [
      [patched(faceJ2k, (view, siz) => [0, 1, 2].forEach((c) => view.setUint8(siz + depth(c), 15))), /16-bit colour/],
      [patched(faceJ2k, (view, siz) => [0, 1, 2].forEach((c) => view.setUint8(siz + depth(c), 0x87))), /signed/],
      [patched(faceJ2k, (view, siz) => view.setUint8(siz + depth(1), 11)), /differ in precision/],
      [patched(grey, (view, siz) => view.setUint8(siz + depth(0), 23)), /24-bit greyscale/],
      [patched(grey, (view, siz) => [1, 2].forEach((at) => view.setUint8(siz + depth(0) + at, 2))), /subsampled/],
      [patched(faceJ2k, (view, siz) => [1, 2].forEach((c) => view.setUint8(siz + depth(c) + 2, 2))), /subsampled/],
      [patched(faceJ2k, (view, siz) => view.setUint16(siz + 38, 4)), /4 components/],
      [patched(faceJ2k, (view, siz) => [22, 26].forEach((at) => view.setUint32(siz + at, 2))), /tiles, more than/],
      [patched(faceJ2k, (view, siz) => view.setUint32(siz + 22, 0)), /tiling/],
      [patched(faceJ2k, (view, siz) => view.setUint32(siz + 14, WIDTH)), /empty/],
    ];
    for (const [bytes, reason] of cases) {
      const error = await failure(portraitJpeg(jpeg2000(bytes)));
      expect(error.code).toBe('CHIP_PORTRAIT_UNREADABLE');
      expect(error.message).toMatch(reason);
    }
  });

  it('refuses a JP2 file whose image header and codestream disagree on the size', async () => {
    const ihdr = Buffer.from(faceJp2).indexOf('ihdr') + 4;
    const lying = Uint8Array.from(faceJp2);
    new DataView(lying.buffer).setUint32(ihdr, HEIGHT / 2);
    expect((await failure(portraitJpeg(jpeg2000(lying)))).message).toMatch(/says 240×160 but its codestream 240×320/);
  });

  it('gives a result or a DeviceError for random bytes behind any signature, claimed as either format', async () => {
    const signature = fc.constantFrom([], [0xff, 0xd8, 0xff], [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a], [0xff, 0x4f, 0xff, 0x51]);
    await fc.assert(fc.asyncProperty(signature, fc.uint8Array({ maxLength: 300 }), fc.constantFrom('jpeg' as const, 'jpeg2000' as const), async (head, tail, format) => {
      await expectResultOrDeviceError({ format, bytes: Uint8Array.from([...head, ...tail]) });
    }), { numRuns: 300 });
  });

  it('gives a result or a DeviceError for truncations and bit flips of a valid JP2 file, codestream and JPEG', async () => {
    const sources = [smallJp2, faceJ2k, smallJpeg];
    const mutation = fc.constantFrom(...sources).chain((source) => fc.record({
      source: fc.constant(source),
      cut: fc.option(fc.integer({ min: 0, max: source.length }), { nil: undefined }),
      flips: fc.array(fc.tuple(fc.integer({ min: 0, max: source.length - 1 }), fc.integer({ min: 0, max: 7 })), { maxLength: 8 }),
    }));
    const decoders = openJpeg.decoders;
    await fc.assert(fc.asyncProperty(mutation, async ({ source, cut, flips }) => {
      const bytes = Uint8Array.from(source.subarray(0, cut));
      for (const [at, bit] of flips) if (at < bytes.length) bytes[at]! ^= 1 << bit;
      await expectResultOrDeviceError({ format: source === smallJpeg ? 'jpeg' : 'jpeg2000', bytes });
    }), { numRuns: 400 });
    expect(openJpeg.decoders - decoders).toBeGreaterThan(50); // many mutations get past the header checks into OpenJPEG
  });
});

describe('portraitJpeg: the OpenJPEG module', () => {
  it('frees every decoder it creates, whether the image decodes or not', async () => {
    await portraitJpeg(jpeg2000(faceJp2));
    await failure(portraitJpeg(jpeg2000(faceJ2k.subarray(0, 400))));
    expect(openJpeg.decoders).toBeGreaterThan(0);
    expect(openJpeg.freed).toBe(openJpeg.decoders);
  });

  it('is instantiated once and shared, its heap not growing over repeated decodes', async () => {
    await portraitJpeg(jpeg2000(faceJp2));
    const [instances, heap] = [openJpeg.instances, openJpeg.heapBytes];
    for (let i = 0; i < 30; i++) await portraitJpeg(jpeg2000(i % 2 ? faceJp2 : faceJ2k));
    expect(openJpeg.instances).toBe(instances);
    expect(openJpeg.heapBytes).toBe(heap);
  });

  it('is loaded once by calls that arrive together', async () => {
    vi.resetModules();
    const fresh = await import('../../../../native/emrtd/portrait-image.js');
    const before = openJpeg.instances;
    await Promise.all([faceJp2, faceJ2k, smallJp2, faceJp2].map((bytes) => fresh.portraitJpeg(jpeg2000(bytes))));
    expect(openJpeg.instances).toBe(before + 1);
  });

  it('drops an instance whose heap a decode has grown (here a 4 MP portrait), and starts a fresh one for the next image', async () => {
    await portraitJpeg(jpeg2000(faceJp2));
    const initialHeap = openJpeg.heapBytes;
    const big = await portraitJpeg(jpeg2000(await encodeJpeg2000(faceLike(2000, 2000), 2000, 2000, { container: 'j2k' })));
    expect(big.width * big.height).toBe(4_000_000);
    expect(openJpeg.heapBytes).toBeGreaterThan(initialHeap);
    const before = openJpeg.instances;
    await portraitJpeg(jpeg2000(faceJp2));
    expect(openJpeg.instances).toBe(before + 1);
  });

  it('reports a decoder that cannot be loaded, and tries again on the next call', async () => {
    vi.resetModules();
    const fresh = await import('../../../../native/emrtd/portrait-image.js');
    openJpeg.failingLoads = 1;
    // A fresh module graph has its own DeviceError class, so the error is matched by shape.
    await expect(fresh.portraitJpeg(jpeg2000(faceJp2))).rejects.toMatchObject({
      name: 'DeviceError',
      code: 'CHIP_PORTRAIT_DECODER_UNAVAILABLE',
      message: expect.stringMatching(/no such file/),
    });
    expect((await fresh.portraitJpeg(jpeg2000(faceJp2))).converted).toBe(true);
  });
});
