// JPEG 2000 portraits for the virtual chip and the tests: pixels encoded with OpenJPEG (the
// full wasm build of @cornerstonejs/codec-openjpeg, the one with J2KEncoder, loaded on first
// use), as a bare codestream or wrapped in a minimal JP2 file (ISO/IEC 15444-1 Annex I:
// signature, file type, header with image header and colour specification, codestream).

import type { OpenJpegModule } from '@cornerstonejs/codec-openjpeg/wasmjs';

export interface Jpeg2000EncodeOptions {
  /** 3 (RGB, the default) or 1 (greyscale). */
  readonly components?: 1 | 3;
  /** 1–8, or up to 16 for greyscale (samples then in a Uint16Array). Default 8. */
  readonly bitsPerSample?: number;
  /** Target compression ratio with the irreversible 9/7 wavelet, or 0 for lossless (5/3). Default 10. */
  readonly compressionRatio?: number;
  /** A JP2 file (the default) or the bare J2K codestream. */
  readonly container?: 'jp2' | 'j2k';
}

let encoderModule: Promise<OpenJpegModule> | null = null;

function openJpeg(): Promise<OpenJpegModule> {
  encoderModule ??= import('@cornerstonejs/codec-openjpeg/wasmjs').then(({ default: create }) => create({ print: () => {}, printErr: () => {} }));
  return encoderModule;
}

/** Encodes interleaved samples (RGB or grey, row by row) as JPEG 2000. */
export async function encodeJpeg2000(
  pixels: Uint8Array | Uint16Array,
  width: number,
  height: number,
  options: Jpeg2000EncodeOptions = {},
): Promise<Uint8Array> {
  const { components = 3, bitsPerSample = 8, compressionRatio = 10, container = 'jp2' } = options;
  const wide = bitsPerSample > 8;
  if (!Number.isInteger(bitsPerSample) || bitsPerSample < 1 || bitsPerSample > 16 || (wide && components !== 1)) {
    throw new RangeError(`${bitsPerSample}-bit samples cannot be encoded with ${components} components`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || pixels.length !== width * height * components) {
    throw new RangeError(`${pixels.length} samples are not ${width}×${height}×${components}`);
  }
  if (wide !== (pixels instanceof Uint16Array)) throw new RangeError(`${bitsPerSample}-bit samples come in a ${wide ? 'Uint16Array' : 'Uint8Array'}`);
  const codec = await openJpeg();
  const encoder = new codec.J2KEncoder();
  let codestream: Uint8Array;
  try {
    const input = encoder.getDecodedBuffer({ width, height, bitsPerSample, componentCount: components, isSigned: false });
    input.set(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
    encoder.setDecompositions(Math.min(5, Math.floor(Math.log2(Math.min(width, height)))));
    encoder.setQuality(compressionRatio === 0, 1);
    encoder.setCompressionRatio(0, compressionRatio);
    encoder.encode();
    codestream = encoder.getEncodedBuffer().slice();
  } catch (error) {
    // OpenJPEG's C++ exceptions arrive as bare numbers.
    throw new Error(`OpenJPEG cannot encode this ${width}×${height} image (${error instanceof Error ? error.message : 'exception ' + String(error)})`);
  } finally {
    encoder.delete();
  }
  return container === 'j2k' ? codestream : jp2File(codestream, width, height, components, bitsPerSample);
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const body = concat(parts);
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, 8 + body.length);
  header.set(ascii(type), 4);
  return concat([header, body]);
}

function jp2File(codestream: Uint8Array, width: number, height: number, components: number, bitsPerSample: number): Uint8Array {
  const ihdr = new Uint8Array(14);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, height);
  view.setUint32(4, width);
  view.setUint16(8, components);
  ihdr[10] = bitsPerSample - 1; // unsigned
  ihdr[11] = 7; // compression type: JPEG 2000
  const colour = new Uint8Array(7);
  colour[0] = 1; // enumerated colour space
  new DataView(colour.buffer).setUint32(3, components === 3 ? 16 : 17); // sRGB : greyscale
  return concat([
    box('jP  ', Uint8Array.of(0x0d, 0x0a, 0x87, 0x0a)),
    box('ftyp', ascii('jp2 '), new Uint8Array(4), ascii('jp2 ')),
    box('jp2h', box('ihdr', ihdr), box('colr', colour)),
    box('jp2c', codestream),
  ]);
}
