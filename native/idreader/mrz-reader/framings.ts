// How MRZ readers put documents on the wire, which differs by vendor: one streaming decoder
// per framing (plain lines, STX…ETX with an optional block check, vendor markers), chosen by
// the reader's configuration, and the encoder the simulator speaks them with. Pure (no Node
// or DOM APIs), so the keyboard-wedge logic can share the line grouping in the renderer.
//
// Conventions: `_` padding (underscorePadding) is turned into the `<` filler, which keeps
// every line at its full length. The BCC of a framed read is the XOR of every byte after the
// start marker up to and including the end marker, sent as one byte right after the end marker.

import { z } from 'zod';
import { DeviceError } from '../../device-error.js';

const hexBytes = z.string().regex(/^(?:[0-9a-fA-F]{2})+$/, 'give the marker bytes as hex, e.g. "1b4d"');
const common = {
  /** How lines end (plain lines) or are separated inside a frame; 'any' takes CR, LF and CRLF. */
  lineEnd: z.enum(['cr', 'lf', 'crlf', 'any']).default('any'),
  /** The reader pads lines with `_` instead of the `<` filler. */
  underscorePadding: z.boolean().default(false),
  /** Silence after which a half-received read counts as cut off (and, for plain lines, a document ends). */
  idleGapMs: z.number().int().positive().default(300),
};
const blockCheck = { bcc: z.enum(['none', 'xor']).default('none') };

/** The framing part of an MRZ reader's configuration. */
export const mrzFramingSchema = z.discriminatedUnion('framing', [
  z.strictObject({ framing: z.literal('lines'), ...common }),
  z.strictObject({ framing: z.literal('stx-etx'), ...common, ...blockCheck }),
  z.strictObject({ framing: z.literal('markers'), ...common, ...blockCheck, startMarker: hexBytes, endMarker: hexBytes }),
]).refine((framing) => framing.framing !== 'markers' || framing.startMarker.toLowerCase() !== framing.endMarker.toLowerCase(),
  { message: 'startMarker and endMarker must differ', path: ['endMarker'] });

export type MrzFraming = z.output<typeof mrzFramingSchema>;
export type MrzFramingInput = z.input<typeof mrzFramingSchema>;

/** Validates a reader's framing configuration; throws DeviceError MRZ_FRAMING_INVALID saying what is wrong. */
export function parseMrzFraming(input: unknown): MrzFraming {
  const parsed = mrzFramingSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new DeviceError('MRZ_FRAMING_INVALID',
    `The MRZ reader framing configuration is invalid: ${z.prettifyError(parsed.error)}`, { issues: parsed.error.issues });
}

export type MrzFrameEvent =
  | { readonly type: 'read'; readonly lines: string[]; readonly raw: Uint8Array }
  | { readonly type: 'error'; readonly error: DeviceError };

/** Bytes in, in any chunking; the reads and broken frames completed so far out. */
export interface MrzFrameDecoder {
  push(chunk: Uint8Array): MrzFrameEvent[];
  /** The line went quiet (idle gap) or away: a read still in progress is reported as cut off. */
  flush(): MrzFrameEvent[];
}

const CR = 0x0d;
const LF = 0x0a;
const STX = Uint8Array.of(0x02);
const ETX = Uint8Array.of(0x03);
/** Longest frame body accepted: a TD1 with separators is about 95 bytes. */
export const MRZ_MAX_FRAME_BODY = 256;
/** Characters per line → lines per document. */
const LINES_PER_DOCUMENT: ReadonlyMap<number, number> = new Map([[30, 3], [36, 2], [44, 2]]);
const LINE_END_TEXT = { cr: '\r', lf: '\n', crlf: '\r\n', any: '\r\n' } as const;

function frameError(code: string, message: string, details: Record<string, unknown> = {}): MrzFrameEvent {
  return { type: 'error', error: new DeviceError(code, message, details) };
}

function cutOff(): MrzFrameEvent {
  return frameError('MRZ_FRAME_CUT',
    'The MRZ read was cut off before its end; it was dropped. Hold the document still on the reader and present it again.');
}

function cleanLine(text: string, underscorePadding: boolean): string {
  const trimmed = text.trim();
  return underscorePadding ? trimmed.replaceAll('_', '<') : trimmed;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

/** XOR of `bytes`: the block check character as this module defines it (see the header). */
export function mrzBlockCheck(bytes: Uint8Array): number {
  return bytes.reduce((xor, byte) => xor ^ byte, 0);
}

/**
 * Groups MRZ lines into documents by their length (44 and 36 characters come in twos, 30 in
 * threes). A blank line or `end()` closes a document early, which is reported as incomplete;
 * so is a document interrupted by a line of another length. A line that cannot be part of
 * an MRZ (a reader's banner, noise) is ignored when no document is under way.
 */
export class MrzLineGrouper {
  #lines: string[] = [];
  #raw: Uint8Array[] = [];

  constructor(private readonly underscorePadding: boolean) {}

  /** One received line: its text without the line end, and its bytes as received. */
  add(text: string, raw: Uint8Array): MrzFrameEvent[] {
    const line = cleanLine(text, this.underscorePadding);
    if (line === '') return this.end();
    const events = this.#lines[0] !== undefined && this.#lines[0].length !== line.length ? this.end() : [];
    const expected = LINES_PER_DOCUMENT.get(line.length);
    if (expected === undefined) return events;
    this.#lines.push(line);
    this.#raw.push(raw);
    if (this.#lines.length === expected) {
      events.push({ type: 'read', lines: this.#lines, raw: concatBytes(this.#raw) });
      this.#lines = [];
      this.#raw = [];
    }
    return events;
  }

  /** The document under way, if any, is over: it is reported as incomplete and dropped. */
  end(): MrzFrameEvent[] {
    const received = this.#lines.length;
    if (received === 0) return [];
    const length = this.#lines[0]?.length ?? 0;
    const expected = LINES_PER_DOCUMENT.get(length);
    this.#lines = [];
    this.#raw = [];
    return [frameError('MRZ_INCOMPLETE',
      `The reader sent ${received} of the ${expected} lines of an MRZ; the read was dropped. Present the document again.`,
      { received, expected, length })];
  }
}

/** Plain lines: printable ASCII up to the configured line end; other bytes are line noise and dropped. */
class LineDecoder implements MrzFrameDecoder {
  readonly #grouper: MrzLineGrouper;
  #text: number[] = [];
  #afterCr = false;

  constructor(private readonly framing: MrzFraming) {
    this.#grouper = new MrzLineGrouper(framing.underscorePadding);
  }

  push(chunk: Uint8Array): MrzFrameEvent[] {
    const events: MrzFrameEvent[] = [];
    for (const byte of chunk) {
      const terminator = this.#terminator(byte);
      this.#afterCr = byte === CR;
      if (terminator) {
        const text = String.fromCharCode(...this.#text);
        const raw = Uint8Array.from([...this.#text, ...terminator]);
        this.#text = [];
        events.push(...this.#grouper.add(text, raw));
      } else if (byte >= 0x20 && byte < 0x7f) {
        this.#text.push(byte);
      }
    }
    return events;
  }

  flush(): MrzFrameEvent[] {
    const partial = this.#text.length > 0;
    this.#text = [];
    this.#afterCr = false;
    const events = this.#grouper.end();
    return events.length === 0 && partial ? [cutOff()] : events;
  }

  /** The bytes that end a line when `byte` completes a line end, else undefined. */
  #terminator(byte: number): number[] | undefined {
    if (byte !== CR && byte !== LF) return undefined;
    switch (this.framing.lineEnd) {
      case 'cr':
        return byte === CR ? [CR] : undefined;
      case 'lf':
        return byte === LF ? [LF] : undefined;
      case 'crlf':
        return byte === LF && this.#afterCr ? [CR, LF] : undefined;
      case 'any':
        return byte === LF && this.#afterCr ? undefined : [byte];
    }
  }
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number, lastStart: number): number {
  const last = Math.min(lastStart, haystack.length - needle.length);
  outer: for (let start = from; start <= last; start += 1) {
    for (let index = 0; index < needle.length; index += 1) {
      if (haystack[start + index] !== needle[index]) continue outer;
    }
    return start;
  }
  return -1;
}

/**
 * A whole MRZ between a start and an end marker, lines separated by CR/LF inside, with an
 * optional BCC after the end marker. Bytes outside frames are skipped; a start marker inside
 * a frame means the frame was cut off, and decoding carries on from the new frame.
 */
class DelimitedFrameDecoder implements MrzFrameDecoder {
  #buffer: Uint8Array = new Uint8Array(0);
  #inFrame = false;

  constructor(
    private readonly start: Uint8Array,
    private readonly end: Uint8Array,
    private readonly withBcc: boolean,
    private readonly underscorePadding: boolean,
  ) {}

  push(chunk: Uint8Array): MrzFrameEvent[] {
    this.#buffer = concatBytes([this.#buffer, chunk]);
    const events: MrzFrameEvent[] = [];
    for (;;) {
      if (!this.#inFrame && !this.#hunt()) break;
      const event = this.#frame();
      if (event === 'wait') break;
      if (event) events.push(event);
    }
    return events;
  }

  flush(): MrzFrameEvent[] {
    const wasInFrame = this.#inFrame;
    this.#buffer = new Uint8Array(0);
    this.#inFrame = false;
    return wasInFrame ? [cutOff()] : [];
  }

  /** Drops bytes up to the next start marker; false when there is none yet. */
  #hunt(): boolean {
    const at = indexOfBytes(this.#buffer, this.start, 0, Infinity);
    if (at === -1) {
      this.#buffer = this.#buffer.subarray(Math.max(0, this.#buffer.length - (this.start.length - 1)));
      return false;
    }
    this.#buffer = this.#buffer.subarray(at);
    this.#inFrame = true;
    return true;
  }

  /**
   * Decides the frame at the head of the buffer once enough bytes are in to decide it the
   * same way whatever the chunking: 'wait' for more bytes, an event, or undefined to go on.
   */
  #frame(): MrzFrameEvent | 'wait' | undefined {
    const bodyStart = this.start.length;
    const lastMarkerStart = bodyStart + MRZ_MAX_FRAME_BODY;
    const restart = indexOfBytes(this.#buffer, this.start, bodyStart, lastMarkerStart);
    const end = indexOfBytes(this.#buffer, this.end, bodyStart, lastMarkerStart);
    if (restart !== -1 && (end === -1 || restart < end)) {
      this.#buffer = this.#buffer.subarray(restart);
      return cutOff();
    }
    if (end === -1) {
      if (this.#buffer.length < lastMarkerStart + Math.max(this.start.length, this.end.length)) return 'wait';
      this.#buffer = this.#buffer.subarray(bodyStart);
      this.#inFrame = false;
      return frameError('MRZ_FRAME_TOO_LONG',
        `No end marker within ${MRZ_MAX_FRAME_BODY} bytes of a start marker; the frame was dropped. Check the reader's framing setting.`,
        { limit: MRZ_MAX_FRAME_BODY });
    }
    const checkedEnd = end + this.end.length;
    const frameLength = checkedEnd + (this.withBcc ? 1 : 0);
    if (this.#buffer.length < frameLength) return 'wait';
    const frame = this.#buffer.slice(0, frameLength);
    this.#buffer = this.#buffer.subarray(frameLength);
    this.#inFrame = false;
    if (this.withBcc) {
      const expected = mrzBlockCheck(frame.subarray(bodyStart, checkedEnd));
      const got = frame[checkedEnd] as number;
      if (expected !== got) {
        return frameError('MRZ_FRAME_BCC',
          `The MRZ frame's block check is 0x${hex(got)}, expected 0x${hex(expected)}; the read was dropped. Present the document again.`,
          { expected, got });
      }
    }
    const lines = String.fromCharCode(...frame.subarray(bodyStart, end)).split(/\r\n|\r|\n/)
      .map((line) => cleanLine(line, this.underscorePadding))
      .filter((line) => line !== '');
    if (lines.length === 0) return frameError('MRZ_FRAME_EMPTY', 'The reader sent an empty MRZ frame; it was ignored.');
    return { type: 'read', lines, raw: frame };
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function frameMarkers(framing: Exclude<MrzFraming, { framing: 'lines' }>): [start: Uint8Array, end: Uint8Array] {
  return framing.framing === 'stx-etx' ? [STX, ETX] : [hexToBytes(framing.startMarker), hexToBytes(framing.endMarker)];
}

export function createMrzFrameDecoder(framing: MrzFraming): MrzFrameDecoder {
  if (framing.framing === 'lines') return new LineDecoder(framing);
  const [start, end] = frameMarkers(framing);
  return new DelimitedFrameDecoder(start, end, framing.bcc === 'xor', framing.underscorePadding);
}

/** The bytes a reader configured with `framing` sends for `lines` (lines end with CRLF under 'any'). */
export function encodeMrzFrame(lines: readonly string[], framing: MrzFraming): Uint8Array {
  const sent = framing.underscorePadding ? lines.map((line) => line.replace(/<+$/, (run) => '_'.repeat(run.length))) : lines;
  const lineEnd = LINE_END_TEXT[framing.lineEnd];
  if (framing.framing === 'lines') return asciiBytes(sent.map((line) => line + lineEnd).join(''));
  const [start, end] = frameMarkers(framing);
  const checked = concatBytes([asciiBytes(sent.join(lineEnd)), end]);
  const bcc = framing.bcc === 'xor' ? Uint8Array.of(mrzBlockCheck(checked)) : new Uint8Array(0);
  return concatBytes([start, checked, bcc]);
}
