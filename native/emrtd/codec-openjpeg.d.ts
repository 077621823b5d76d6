// Types for the two Emscripten builds of @cornerstonejs/codec-openjpeg (OpenJPEG 2.5), which
// ship none: the decoder-only build the kiosk uses for chip portraits, and the full build with
// the encoder the chip simulator uses. Each is a CommonJS factory that reads its .wasm next to
// itself and resolves to the module. Only what Gatehouse calls is declared.

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  export interface FrameInfo {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
  }

  /** An Embind object in wasm memory: `delete()` frees it. */
  export interface J2KDecoder {
    /** Resizes the input buffer inside wasm memory and returns a view of it to copy the JP2/J2K bytes into. */
    getEncodedBuffer(length: number): Uint8Array;
    /** Decodes; on failure it only prints "[ERROR] …" and leaves the frame info zero. */
    decode(): void;
    /** A copy of the samples: interleaved, 1 byte per sample up to 8 bits, else 2 (little-endian). */
    getDecodedBuffer(): Uint8ClampedArray;
    getFrameInfo(): FrameInfo;
    delete(): void;
  }

  export interface OpenJpegModuleOptions {
    /** Where the C code's stdout goes (default console.log). */
    print?: (line: string) => void;
    printErr?: (line: string) => void;
  }

  export interface OpenJpegDecoderModule {
    J2KDecoder: new () => J2KDecoder;
    /** The whole wasm heap; it only ever grows. */
    HEAPU8: Uint8Array;
  }

  const createOpenJpegDecoder: (options?: OpenJpegModuleOptions) => Promise<OpenJpegDecoderModule>;
  export default createOpenJpegDecoder;
}

declare module '@cornerstonejs/codec-openjpeg/wasmjs' {
  import type { FrameInfo, OpenJpegDecoderModule, OpenJpegModuleOptions } from '@cornerstonejs/codec-openjpeg/decodewasmjs';

  /** Encodes to a bare J2K codestream (no JP2 boxes). */
  export interface J2KEncoder {
    /** Sizes the input for `frame` and returns a view of it: interleaved samples, 2 bytes (little-endian) above 8 bits. Above 8 bits only one component is encoded. */
    getDecodedBuffer(frame: FrameInfo): Uint8Array;
    /** `lossless` picks the 5/3 wavelet; then one compression ratio per layer (0 = lossless). */
    setQuality(lossless: boolean, layers: number): void;
    setCompressionRatio(layer: number, ratio: number): void;
    setDecompositions(levels: number): void;
    /** Throws (a C++ exception, as a number) when OpenJPEG refuses the parameters. */
    encode(): void;
    getEncodedBuffer(): Uint8Array;
    delete(): void;
  }

  export interface OpenJpegModule extends OpenJpegDecoderModule {
    J2KEncoder: new () => J2KEncoder;
  }

  const createOpenJpeg: (options?: OpenJpegModuleOptions) => Promise<OpenJpegModule>;
  export default createOpenJpeg;
}
