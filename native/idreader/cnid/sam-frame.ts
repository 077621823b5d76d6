// Framing of the SAM protocol (GA/T 467) spoken by Chinese resident-ID card readers:
// request  AA AA AA 96 69 | len[2] BE | CMD | PARA | data | CHK
// response AA AA AA 96 69 | len[2] BE | SW1 SW2 SW3 | data | CHK
// len counts every byte after itself (CHK included); CHK is the XOR of every byte after
// the preamble up to it, the length bytes included. Pure: bytes in, frames out.

import { DeviceError } from '../../device-error.js';

export const SAM_PREAMBLE = Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69);
/** Longest length field accepted: the largest reply (30 10, text + photo + fingerprints) is about 2.3 KB. */
export const SAM_MAX_LENGTH = 0x1000;
const HEADER_LENGTH = SAM_PREAMBLE.length + 2;

export interface SamRequest {
  readonly command: number;
  readonly parameter: number;
  readonly data: Uint8Array;
}

export interface SamResponse {
  readonly sw1: number;
  readonly sw2: number;
  readonly sw3: number;
  readonly data: Uint8Array;
}

export function samChecksum(bytes: Uint8Array): number {
  return bytes.reduce((xor, byte) => xor ^ byte, 0);
}

/** A whole frame around `body` (the bytes between the length field and CHK). */
function encodeSamFrame(body: Uint8Array): Uint8Array {
  const length = body.length + 1;
  if (length > SAM_MAX_LENGTH) {
    throw new DeviceError('SAM_FRAME_LENGTH', `SAM frame body of ${body.length} bytes is too long.`, { length });
  }
  const frame = new Uint8Array(HEADER_LENGTH + length);
  frame.set(SAM_PREAMBLE);
  frame[5] = length >> 8;
  frame[6] = length & 0xff;
  frame.set(body, HEADER_LENGTH);
  frame[frame.length - 1] = samChecksum(frame.subarray(SAM_PREAMBLE.length, frame.length - 1));
  return frame;
}

export function encodeSamRequest({ command, parameter, data }: SamRequest): Uint8Array {
  return encodeSamFrame(Uint8Array.of(command, parameter, ...data));
}

export function encodeSamResponse({ sw1, sw2, sw3, data }: SamResponse): Uint8Array {
  return encodeSamFrame(Uint8Array.of(sw1, sw2, sw3, ...data));
}

function tooShort(body: Uint8Array, kind: string, minimum: number): DeviceError {
  return new DeviceError('SAM_FRAME_SHORT',
    `SAM ${kind} frame carries ${body.length} bytes, fewer than the ${minimum} it needs.`, { length: body.length });
}

export function parseSamRequest(body: Uint8Array): SamRequest {
  if (body.length < 2) throw tooShort(body, 'request', 2);
  return { command: body[0] as number, parameter: body[1] as number, data: body.slice(2) };
}

export function parseSamResponse(body: Uint8Array): SamResponse {
  if (body.length < 3) throw tooShort(body, 'response', 3);
  return { sw1: body[0] as number, sw2: body[1] as number, sw3: body[2] as number, data: body.slice(3) };
}

export type SamDecoded<T> = { readonly frame: T } | { readonly error: DeviceError };

/**
 * Streaming decoder: feed it bytes as they arrive; it returns the frames (and the typed
 * errors for broken ones) completed so far. Garbage is skipped up to the next preamble;
 * after a bad checksum or an absurd length it resumes one byte past the rejected
 * preamble, so a good frame hidden behind a false start is still found.
 */
export class SamFrameDecoder<T> {
  #buffer: Uint8Array = new Uint8Array(0);

  constructor(private readonly parse: (body: Uint8Array) => T) {}

  push(chunk: Uint8Array): SamDecoded<T>[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    this.#buffer = joined;
    const decoded: SamDecoded<T>[] = [];
    for (;;) {
      this.#buffer = this.#buffer.subarray(preambleStart(this.#buffer));
      if (this.#buffer.length < HEADER_LENGTH) break;
      const length = ((this.#buffer[5] as number) << 8) | (this.#buffer[6] as number);
      if (length < 1 || length > SAM_MAX_LENGTH) {
        decoded.push({ error: new DeviceError('SAM_FRAME_LENGTH',
          `SAM frame length ${length} is outside 1–${SAM_MAX_LENGTH}; skipping to the next frame.`, { length }) });
        this.#buffer = this.#buffer.subarray(1);
        continue;
      }
      if (this.#buffer.length < HEADER_LENGTH + length) break;
      const frame = this.#buffer.subarray(0, HEADER_LENGTH + length);
      const expected = samChecksum(frame.subarray(SAM_PREAMBLE.length, frame.length - 1));
      const got = frame[frame.length - 1] as number;
      if (expected !== got) {
        decoded.push({ error: new DeviceError('SAM_FRAME_CHECKSUM',
          `SAM frame checksum is 0x${hex(got)}, expected 0x${hex(expected)}; the frame was dropped.`,
          { expected, got }) });
        this.#buffer = this.#buffer.subarray(1);
        continue;
      }
      this.#buffer = this.#buffer.subarray(frame.length);
      try {
        decoded.push({ frame: this.parse(frame.subarray(HEADER_LENGTH, frame.length - 1)) });
      } catch (error) {
        decoded.push({ error: error as DeviceError });
      }
    }
    return decoded;
  }

  /** Forget a partial frame, e.g. after a command timed out. */
  reset(): void {
    this.#buffer = new Uint8Array(0);
  }
}

/** Index of the first full preamble, or of a preamble prefix at the very end; else the length. */
function preambleStart(buffer: Uint8Array): number {
  for (let start = 0; start < buffer.length; start += 1) {
    let index = 0;
    while (index < SAM_PREAMBLE.length && start + index < buffer.length
      && buffer[start + index] === SAM_PREAMBLE[index]) index += 1;
    if (index === SAM_PREAMBLE.length || start + index === buffer.length) return start;
  }
  return buffer.length;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
