// The chip portrait as the face check can use it. DG2 holds a JPEG or a JPEG 2000 image (a
// JP2 file or a bare codestream), but the face check decodes only JPEG (libjpeg-turbo in
// main/face/jpeg-decoder.ts, which native/ may not import); so a JPEG that jpeg-js decodes (baseline
// or progressive, all of which libjpeg-turbo reads too) is passed through untouched and
// JPEG 2000 is decoded with OpenJPEG (the decoder-only wasm build of
// @cornerstonejs/codec-openjpeg, loaded once on first use) and re-encoded as a baseline JPEG.
//
// The bytes come from a chip anyone can program, so nothing is decoded before its header has
// been read here: the size (JPEG SOF; JP2 ihdr box and codestream SIZ; J2K SIZ) is checked
// against a pixel budget, and the JPEG 2000 structure against what this OpenJPEG build
// converts correctly — 1 (greyscale) or 3 components, unsigned, 1–16 bits (more than 8 only
// for greyscale), no subsampling of the first component, chroma at most halved, at most
// MAX_TILES tiles. Every failure is a DeviceError: CHIP_PORTRAIT_UNREADABLE or
// CHIP_PORTRAIT_TOO_LARGE for the chip's data, CHIP_PORTRAIT_DECODER_UNAVAILABLE when the wasm
// itself cannot be loaded (the next call tries again). Each decode frees its decoder;
// OpenJPEG's messages are collected into the error instead of reaching stdout; after a wasm
// fault, or when a decode has grown the wasm heap (it never shrinks; a 480×640 portrait fits in
// the initial 50 MiB, 4 MP does not), the instance is dropped and the next call starts a fresh
// one (about 15 ms).

import jpeg from 'jpeg-js';
import type { FrameInfo, OpenJpegDecoderModule } from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import { DeviceError } from '../device-error.js';
import type { PortraitFormat } from './chip-reading.js';
import { sniffFaceImageFormat } from './lds/iso19794-5.js';

export interface PortraitImage {
  readonly format: PortraitFormat;
  readonly bytes: Uint8Array;
}

export interface PortraitJpegOptions {
  /** Images whose header claims more pixels are refused before decoding. Default 4 000 000. */
  readonly maxPixels?: number;
}

export interface PortraitJpeg {
  /** A JPEG jpeg-js decodes: the chip's own bytes, or a baseline re-encoding of a JPEG 2000 portrait. */
  readonly jpeg: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** False when `jpeg` is the chip's JPEG unchanged. */
  readonly converted: boolean;
}

const DEFAULT_MAX_PORTRAIT_PIXELS = 4_000_000;
const JPEG_QUALITY = 92;
/** jpeg-js's own ceiling for one decode; a 4 MP image needs about 40 MB. */
const JPEG_DECODE_MEMORY_MB = 256;
/** Portraits are one tile or a few dozen; OpenJPEG allocates per tile before decoding any. */
const MAX_TILES = 4096;
/** OpenJPEG's last error lines kept in an error's details. */
const DECODER_MESSAGES_KEPT = 5;

/** What a portrait's bytes are, from their signature; null when neither JPEG nor JPEG 2000. */
export function portraitFormat(bytes: Uint8Array): PortraitFormat | null {
  const format = sniffFaceImageFormat(bytes);
  return format === null ? null : format === 'jpeg' ? 'jpeg' : 'jpeg2000';
}

/** The portrait as a JPEG the face check decodes, with its size. */
export async function portraitJpeg(image: PortraitImage, options: PortraitJpegOptions = {}): Promise<PortraitJpeg> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PORTRAIT_PIXELS;
  if (!(maxPixels > 0)) throw new RangeError(`maxPixels must be positive, not ${maxPixels}`);
  const { bytes } = image;
  const actual = portraitFormat(bytes);
  if (actual !== image.format) {
    const found = actual === null ? 'neither JPEG nor JPEG 2000' : formatName(actual);
    throw unreadable(image, `DG2 declares it ${formatName(image.format)} but its bytes are ${found}`);
  }
  if (image.format === 'jpeg') return checkedJpeg(image, maxPixels);
  const header = jpeg2000Header(image, maxPixels);
  const frame = await decodeJpeg2000(image, header);
  const encoded = jpeg.encode({ width: header.width, height: header.height, data: frame }, JPEG_QUALITY).data;
  return {
    jpeg: new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength),
    width: header.width,
    height: header.height,
    converted: true,
  };
}

const formatName = (format: PortraitFormat): string => (format === 'jpeg' ? 'JPEG' : 'JPEG 2000');

function unreadable(image: PortraitImage, reason: string, details: Record<string, unknown> = {}): DeviceError {
  return new DeviceError(
    'CHIP_PORTRAIT_UNREADABLE',
    `The portrait on the document's chip cannot be read: ${reason}. The chip may be damaged or not genuine.`,
    { format: image.format, bytes: image.bytes.length, reason, ...details },
  );
}

function checkPixels(image: PortraitImage, width: number, height: number, maxPixels: number, source: string): void {
  if (width * height <= maxPixels) return;
  throw new DeviceError(
    'CHIP_PORTRAIT_TOO_LARGE',
    `The portrait on the document's chip claims ${width}×${height} pixels (${source}), more than the ${maxPixels} a portrait may have; it was not decoded. The chip may be damaged or not genuine.`,
    { format: image.format, bytes: image.bytes.length, width, height, maxPixels },
  );
}

const viewOf = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

// ---- JPEG -------------------------------------------------------------------------------

/** Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** The size in the JPEG's frame header, found by walking the marker segments before the first scan. */
function jpegFrameSize(image: PortraitImage): { width: number; height: number } {
  const { bytes } = image;
  const view = viewOf(bytes);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw unreadable(image, `a JPEG marker is missing at byte ${at}`);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break;
    const length = view.getUint16(at + 2);
    if (length < 2) throw unreadable(image, `the JPEG segment at byte ${at} has length ${length}`);
    if (isStartOfFrame(marker)) {
      if (length < 8 || at + 9 > bytes.length) throw unreadable(image, 'its JPEG frame header is cut short');
      const height = view.getUint16(at + 5);
      const width = view.getUint16(at + 7);
      if (width === 0 || height === 0) throw unreadable(image, `its JPEG frame header gives a size of ${width}×${height}`);
      return { width, height };
    }
    at += 2 + length;
  }
  throw unreadable(image, 'the JPEG has no frame header before its image data');
}

function checkedJpeg(image: PortraitImage, maxPixels: number): PortraitJpeg {
  const size = jpegFrameSize(image);
  checkPixels(image, size.width, size.height, maxPixels, 'JPEG frame header');
  try {
    const decoded = jpeg.decode(image.bytes, { useTArray: true, maxResolutionInMP: maxPixels / 1_000_000, maxMemoryUsageInMB: JPEG_DECODE_MEMORY_MB });
    return { jpeg: image.bytes, width: decoded.width, height: decoded.height, converted: false };
  } catch (error) {
    throw unreadable(image, `the JPEG does not decode (${error instanceof Error ? error.message : String(error)})`);
  }
}

// ---- JPEG 2000 header -------------------------------------------------------------------

interface Jpeg2000Header {
  readonly width: number;
  readonly height: number;
  /** 1 (greyscale) or 3. */
  readonly components: number;
  /** Bits per sample, the same for every component. */
  readonly precision: number;
}

interface Box {
  readonly type: string;
  readonly body: Uint8Array;
}

/** ISO/IEC 15444-1 Annex I boxes: length 4 + type 4; length 1 = an 8-byte length follows, 0 = to the end. */
function* boxes(image: PortraitImage, bytes: Uint8Array): Generator<Box> {
  const view = viewOf(bytes);
  for (let at = 0; at < bytes.length;) {
    if (at + 8 > bytes.length) throw unreadable(image, `the JP2 file ends inside a box header at byte ${at}`);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    let length = view.getUint32(at);
    let header = 8;
    if (length === 1) {
      if (at + 16 > bytes.length) throw unreadable(image, `the JP2 file ends inside the "${type}" box header`);
      length = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (length === 0) {
      length = bytes.length - at;
    }
    if (length < header || at + length > bytes.length) {
      throw unreadable(image, `the JP2 "${type}" box (${length} bytes at byte ${at}) does not fit in the file`);
    }
    yield { type, body: bytes.subarray(at + header, at + length) };
    at += length;
  }
}

/** The size a JP2 file claims in its header box (jp2h ⊃ ihdr) and its codestream (jp2c). */
function jp2Parts(image: PortraitImage): { width: number; height: number; codestream: Uint8Array } {
  let size: { width: number; height: number } | null = null;
  for (const box of boxes(image, image.bytes)) {
    if (box.type === 'jp2h') {
      const ihdr = [...boxes(image, box.body)].find((child) => child.type === 'ihdr');
      if (!ihdr || ihdr.body.length < 14) throw unreadable(image, 'the JP2 header box has no image header (ihdr)');
      const view = viewOf(ihdr.body);
      size = { height: view.getUint32(0), width: view.getUint32(4) };
    } else if (box.type === 'jp2c') {
      if (!size) throw unreadable(image, 'the JP2 codestream comes before any image header (jp2h/ihdr)');
      return { ...size, codestream: box.body };
    }
  }
  throw unreadable(image, 'the JP2 file has no codestream box (jp2c)');
}

/**
 * The image and tile size (SIZ, ISO/IEC 15444-1 A.5.1), which must follow the start of
 * codestream (FF4F) directly: FF51, Lsiz 2, Rsiz 2, Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz,
 * XTOsiz, YTOsiz 4 each, Csiz 2, then per component Ssiz (bit 7 signed, bits 0–6 precision − 1),
 * XRsiz, YRsiz (subsampling) 1 each.
 */
function sizHeader(image: PortraitImage, codestream: Uint8Array, maxPixels: number): Jpeg2000Header {
  const view = viewOf(codestream);
  if (codestream.length < 42 || view.getUint32(0) !== 0xff4fff51) {
    throw unreadable(image, 'the JPEG 2000 codestream does not start with a complete image size marker (SIZ)');
  }
  const u32 = (at: number): number => view.getUint32(at);
  const [xSize, ySize, xOffset, yOffset] = [u32(8), u32(12), u32(16), u32(20)];
  const [xTile, yTile, xTileOffset, yTileOffset] = [u32(24), u32(28), u32(32), u32(36)];
  if (xSize <= xOffset || ySize <= yOffset) throw unreadable(image, `the JPEG 2000 image area ${xOffset}–${xSize} × ${yOffset}–${ySize} is empty`);
  const width = xSize - xOffset;
  const height = ySize - yOffset;
  checkPixels(image, width, height, maxPixels, 'JPEG 2000 SIZ marker');
  if (xTile === 0 || yTile === 0 || xTileOffset > xOffset || yTileOffset > yOffset) {
    throw unreadable(image, `the JPEG 2000 tiling (${xTile}×${yTile} from ${xTileOffset},${yTileOffset}) is invalid`);
  }
  const tiles = Math.ceil((xSize - xTileOffset) / xTile) * Math.ceil((ySize - yTileOffset) / yTile);
  if (tiles > MAX_TILES) throw unreadable(image, `the JPEG 2000 image is cut into ${tiles} tiles, more than the ${MAX_TILES} accepted`);
  const components = view.getUint16(40);
  if (components !== 1 && components !== 3) {
    throw unreadable(image, `the JPEG 2000 image has ${components} components; a portrait has 1 (greyscale) or 3 (colour)`);
  }
  if (view.getUint16(4) !== 38 + 3 * components || codestream.length < 42 + 3 * components) {
    throw unreadable(image, 'the JPEG 2000 image size marker (SIZ) has the wrong length');
  }
  const depths = Array.from({ length: components }, (_, i) => codestream[42 + 3 * i]!);
  const sampling = (i: number): Subsampling => ({ dx: codestream[43 + 3 * i]!, dy: codestream[44 + 3 * i]! });
  if (depths.some((depth) => depth & 0x80)) throw unreadable(image, 'the JPEG 2000 samples are signed');
  if (depths.some((depth) => depth !== depths[0])) throw unreadable(image, 'the JPEG 2000 components differ in precision');
  const precision = depths[0]! + 1;
  if (precision > 16 || (components === 3 && precision > 8)) {
    const kind = components === 3 ? 'colour' : 'greyscale';
    throw unreadable(image, `the JPEG 2000 image has ${precision}-bit ${kind} samples; up to ${components === 3 ? 8 : 16} are supported`);
  }
  const full = (s: Subsampling): boolean => s.dx === 1 && s.dy === 1;
  if (!full(sampling(0)) || (components === 3 && !chromaConvertible(sampling(1), sampling(2)))) {
    throw unreadable(image, 'the JPEG 2000 components are subsampled in a way the decoder cannot convert');
  }
  return { width, height, components, precision };
}

interface Subsampling {
  readonly dx: number;
  readonly dy: number;
}

/** Chroma as OpenJPEG converts it to RGB: full (4:4:4), halved across (4:2:2) or both ways (4:2:0), the same for both. */
function chromaConvertible(cb: Subsampling, cr: Subsampling): boolean {
  const supported = (cb.dx === 1 && cb.dy === 1) || (cb.dx === 2 && (cb.dy === 1 || cb.dy === 2));
  return supported && cb.dx === cr.dx && cb.dy === cr.dy;
}

function jpeg2000Header(image: PortraitImage, maxPixels: number): Jpeg2000Header {
  if (sniffFaceImageFormat(image.bytes) === 'j2k') return sizHeader(image, image.bytes, maxPixels);
  const jp2 = jp2Parts(image);
  checkPixels(image, jp2.width, jp2.height, maxPixels, 'JP2 image header box');
  const header = sizHeader(image, jp2.codestream, maxPixels);
  if (header.width !== jp2.width || header.height !== jp2.height) {
    throw unreadable(image, `the JP2 image header says ${jp2.width}×${jp2.height} but its codestream ${header.width}×${header.height}`);
  }
  return header;
}

// ---- JPEG 2000 decoding -----------------------------------------------------------------

interface LoadedDecoder {
  readonly codec: OpenJpegDecoderModule;
  /** The heap size at instantiation; an instance whose heap has grown is dropped. */
  readonly heapBytes: number;
}

let decoderModule: Promise<LoadedDecoder> | null = null;
/** Where OpenJPEG's printed lines go while a decode runs (decoding is synchronous). */
let decoderMessages: string[] | null = null;

function collectMessage(line: string): void {
  if (line.startsWith('[ERROR]')) decoderMessages?.push(line.slice('[ERROR]'.length).trim());
}

/** The decoder module, instantiated on first use and shared by every later call. */
function openJpegDecoder(): Promise<LoadedDecoder> {
  decoderModule ??= import('@cornerstonejs/codec-openjpeg/decodewasmjs')
    .then(({ default: create }) => create({ print: collectMessage, printErr: collectMessage }))
    .then((codec) => ({ codec, heapBytes: codec.HEAPU8.length }))
    .catch((error: unknown) => {
      decoderModule = null;
      throw new DeviceError(
        'CHIP_PORTRAIT_DECODER_UNAVAILABLE',
        `The JPEG 2000 decoder (@cornerstonejs/codec-openjpeg) could not be loaded: ${error instanceof Error ? error.message : String(error)}. Check the installation.`,
      );
    });
  return decoderModule;
}

function runDecoder(codec: OpenJpegDecoderModule, bytes: Uint8Array): { frame: FrameInfo; samples: Uint8ClampedArray } {
  const decoder = new codec.J2KDecoder();
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    return { frame: decoder.getFrameInfo(), samples: decoder.getDecodedBuffer() };
  } finally {
    decoder.delete();
  }
}

/** RGBA pixels of a JPEG 2000 portrait whose header has been checked. */
async function decodeJpeg2000(image: PortraitImage, header: Jpeg2000Header): Promise<Uint8Array> {
  const { codec, heapBytes } = await openJpegDecoder();
  const messages: string[] = [];
  decoderMessages = messages;
  let decoded: { frame: FrameInfo; samples: Uint8ClampedArray };
  try {
    decoded = runDecoder(codec, image.bytes);
  } catch (error) {
    decoderModule = null; // a fault inside wasm leaves the instance in an unknown state
    throw unreadable(image, `the JPEG 2000 decoder failed (${error instanceof Error ? error.message : String(error)})`, { decoder: messages.slice(-DECODER_MESSAGES_KEPT) });
  } finally {
    decoderMessages = null;
    if (codec.HEAPU8.length > heapBytes) decoderModule = null;
  }
  const { frame, samples } = decoded;
  if (samples.length === 0) {
    throw unreadable(image, `the JPEG 2000 data does not decode${messages.length ? ` (${messages.at(-1)})` : ''}`, { decoder: messages.slice(-DECODER_MESSAGES_KEPT) });
  }
  const bytesPerSample = header.precision > 8 ? 2 : 1;
  const matches = frame.width === header.width && frame.height === header.height && frame.componentCount === header.components
    && frame.bitsPerSample === header.precision && !frame.isSigned
    && samples.length === header.width * header.height * header.components * bytesPerSample;
  if (!matches) {
    throw unreadable(image, `the decoded JPEG 2000 image (${frame.width}×${frame.height}, ${frame.componentCount} × ${frame.bitsPerSample} bits) does not match its header`);
  }
  return toRgba(samples, header);
}

/** Interleaved 1- or 3-component samples of any precision up to 16 bits → 8-bit RGBA. */
function toRgba(samples: Uint8ClampedArray, header: Jpeg2000Header): Uint8Array {
  const { width, height, components, precision } = header;
  const top = 2 ** precision - 1;
  const level = Uint8Array.from({ length: top + 1 }, (_, v) => Math.round((v * 255) / top));
  const view = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
  const sample = precision > 8
    ? (i: number): number => level[Math.min(view.getUint16(2 * i, true), top)]!
    : (i: number): number => level[Math.min(samples[i]!, top)]!;
  const pixels = width * height;
  const rgba = new Uint8Array(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const s = p * components;
    const red = sample(s);
    rgba[4 * p] = red;
    rgba[4 * p + 1] = components === 3 ? sample(s + 1) : red;
    rgba[4 * p + 2] = components === 3 ? sample(s + 2) : red;
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}
