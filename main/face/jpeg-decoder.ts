// JPEG decoding for the face pipeline: libjpeg-turbo compiled to WebAssembly (the decoder-only
// build of @cornerstonejs/codec-libjpeg-turbo-8bit), three to four times faster than jpeg-js
// on a 640×480 camera frame here. Each thread compiles the .wasm once, on its first JPEG, and
// instantiates it synchronously (Emscripten's `instantiateWasm` hook), so decoding stays a
// plain function call.
//
// The bytes may come from anywhere (a camera, a chip anyone can program), so the frame header
// is read first and a JPEG claiming more than the pixel budget is refused before any pixel is
// decoded (libjpeg refuses a second frame header, so the size checked is the size decoded).
// Failures are GatehouseErrors: FACE_IMAGE_UNREADABLE for the data, FACE_JPEG_DECODER_UNAVAILABLE
// when the wasm cannot be loaded (the next call tries again). libjpeg-turbo stops on corrupt
// data by throwing a C++ exception out of wasm, which leaves the instance holding what the
// decode had allocated; so after any fault, and after a decode that grew the wasm heap (it
// never shrinks), the instance is dropped and the next JPEG gets a fresh one from the compiled
// module (a few milliseconds).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GatehouseError } from '../errors.js';

const require = createRequire(import.meta.url);

/** What a decoder returns: interleaved samples, 1 (grey) or 3 (RGB) per pixel. */
interface FrameInfo {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly componentCount: number;
}

/** An Embind object in wasm memory: `delete()` frees it. */
interface JpegDecoderObject {
  /** Sizes the input buffer inside wasm memory and returns a view of it to copy the JPEG into. */
  getEncodedBuffer(length: number): Uint8Array;
  /** Reads the markers up to the first scan; getFrameInfo() then holds the frame's size. */
  readHeader(): void;
  decode(): void;
  /** A copy of the decoded samples. */
  getDecodedBuffer(): Uint8ClampedArray;
  getFrameInfo(): FrameInfo;
  delete(): void;
}

interface LibJpegTurboModule {
  JPEGDecoder: new () => JpegDecoderObject;
  /** The whole wasm heap; it only ever grows. */
  HEAPU8: Uint8Array;
}

/** The part of the WebAssembly JavaScript API used here: Node has it, @types/node 20 does not declare it. */
interface WasmInstance {
  readonly exports: object;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}
const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: WasmApi };

/** The Emscripten module options Gatehouse sets; the factory fills the object in as the module. */
interface ModuleOptions {
  print(line: string): void;
  printErr(line: string): void;
  instantiateWasm(imports: object, receive: (instance: WasmInstance, module: object) => void): object;
  onRuntimeInitialized(): void;
}

type CreateModule = (options: ModuleOptions) => Promise<LibJpegTurboModule>;

interface LoadedDecoder {
  readonly codec: LibJpegTurboModule;
  /** The heap size at instantiation; an instance whose heap has grown is dropped. */
  readonly heapBytes: number;
}

export interface JpegDecodeOptions {
  /** A JPEG whose header claims more pixels is refused before decoding. */
  readonly maxPixels: number;
}

export interface DecodedJpeg {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes, row by row, alpha 255. */
  readonly data: Uint8Array;
}

/** The compiled .wasm, kept for the thread's later instances. */
let compiled: object | null = null;
let loaded: LoadedDecoder | null = null;

const ignore = (): void => {};

/** A fresh instance of the decoder, compiling the .wasm on the thread's first call. */
function instantiate(): LoadedDecoder {
  try {
    // Literal names, so that the package builder's import graph finds the package (the .wasm ships inside it).
    const create = require('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as CreateModule;
    compiled ??= new wasmApi.Module(readFileSync(require.resolve('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm')));
    const wasm = compiled;
    let initialized = false;
    const options: ModuleOptions = {
      print: ignore,
      printErr: ignore,
      instantiateWasm(imports, receive) {
        const instance = new wasmApi.Instance(wasm, imports);
        receive(instance, wasm);
        return instance.exports;
      },
      onRuntimeInitialized: () => (initialized = true),
    };
    // With the instance made synchronously the runtime starts before the factory returns, and
    // the options object has become the module. A failure also rejects the promise, which is
    // left unheard: it is reported here.
    create(options).catch(ignore);
    const codec = options as unknown as LibJpegTurboModule;
    if (!initialized || typeof codec.JPEGDecoder !== 'function') throw new Error('the wasm runtime did not start synchronously');
    return { codec, heapBytes: codec.HEAPU8.length };
  } catch (error) {
    throw new GatehouseError(
      'FACE_JPEG_DECODER_UNAVAILABLE',
      `The JPEG decoder (@cornerstonejs/codec-libjpeg-turbo-8bit) could not be loaded: ${error instanceof Error ? error.message : String(error)}. Check the installation.`,
    );
  }
}

function unreadable(bytes: Uint8Array, reason: string, details: Record<string, unknown> = {}): GatehouseError {
  return new GatehouseError('FACE_IMAGE_UNREADABLE', `The JPEG image cannot be decoded: ${reason}.`, { format: 'JPEG', bytes: bytes.length, ...details });
}

/** A failure inside wasm, after which the instance is not reused. */
class CodecFault extends Error {
  constructor(readonly refusal: GatehouseError) {
    super(refusal.message);
  }
}

/** Runs a step inside wasm; whatever it throws (a C++ exception arrives as a number) is the data's fault. */
function inCodec<T>(bytes: Uint8Array, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw new CodecFault(unreadable(bytes, error instanceof Error ? `libjpeg-turbo failed (${error.message})` : 'libjpeg-turbo stopped on an error in the data'));
  }
}

/** Interleaved grey or RGB samples → RGBA (alpha 255). */
function toRgba(samples: Uint8ClampedArray, pixels: number, components: 1 | 3): Uint8Array {
  const rgba = new Uint8Array(pixels * 4).fill(255);
  if (components === 3) {
    for (let s = 0, o = 0; s < samples.length; s += 3, o += 4) {
      rgba[o] = samples[s]!;
      rgba[o + 1] = samples[s + 1]!;
      rgba[o + 2] = samples[s + 2]!;
    }
  } else {
    for (let s = 0, o = 0; s < samples.length; s++, o += 4) {
      const grey = samples[s]!;
      rgba[o] = grey;
      rgba[o + 1] = grey;
      rgba[o + 2] = grey;
    }
  }
  return rgba;
}

/** The frame size from the header, checked, then the pixels. */
function readImage(decoder: JpegDecoderObject, bytes: Uint8Array, { maxPixels }: JpegDecodeOptions): DecodedJpeg {
  const { width, height } = inCodec(bytes, () => {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.readHeader();
    return decoder.getFrameInfo();
  });
  if (width * height > maxPixels) {
    throw unreadable(bytes, `its header claims ${width}×${height} pixels, more than the ${maxPixels} an image may have; it was not decoded`, { width, height, maxPixels });
  }
  const { samples, frame } = inCodec(bytes, () => {
    decoder.decode();
    return { samples: decoder.getDecodedBuffer(), frame: decoder.getFrameInfo() };
  });
  const pixels = width * height;
  const components = frame.componentCount;
  const matches = frame.width === width && frame.height === height && frame.bitsPerSample === 8 && samples.length === pixels * components;
  if (!matches || (components !== 1 && components !== 3)) {
    throw unreadable(bytes, `the decoded image (${frame.width}×${frame.height}, ${components} × ${frame.bitsPerSample} bits) is not the 8-bit grey or colour image its header declares`);
  }
  return { width, height, data: toRgba(samples, pixels, components) };
}

/** One decode with its own decoder object, freed unless wasm faulted (the instance is dropped then). */
function decodeWith(codec: LibJpegTurboModule, bytes: Uint8Array, options: JpegDecodeOptions): DecodedJpeg {
  const decoder = inCodec(bytes, () => new codec.JPEGDecoder());
  let faulted = false;
  try {
    return readImage(decoder, bytes, options);
  } catch (error) {
    faulted = error instanceof CodecFault;
    throw error;
  } finally {
    if (!faulted) decoder.delete();
  }
}

/** Decodes JPEG bytes to RGBA with libjpeg-turbo, refusing more than `maxPixels` before decoding. */
export function decodeJpeg(bytes: Uint8Array, options: JpegDecodeOptions): DecodedJpeg {
  const current = loaded ?? instantiate();
  loaded = current;
  try {
    return decodeWith(current.codec, bytes, options);
  } catch (error) {
    if (!(error instanceof CodecFault)) throw error;
    loaded = null; // a fault inside wasm leaves the instance in an unknown state
    throw error.refusal;
  } finally {
    if (current.codec.HEAPU8.length > current.heapBytes) loaded = null;
  }
}
