import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMrzFrameDecoder, encodeMrzFrame, MRZ_MAX_FRAME_BODY, parseMrzFraming, type MrzFrameEvent, type MrzFraming,
  type MrzFramingInput,
} from '../../../../../native/idreader/mrz-reader/framings.js';
import { formatMrz } from '../../../../../native/idreader/mrz/index.js';
import { splitArbitrary, splitBytes } from '../cnid/split-bytes.js';
import { FORMATS, mrzFields } from '../mrz/mrz-arbitraries.js';
import { SPECIMENS } from '../mrz/doc9303-specimens.js';

const TD3 = SPECIMENS.td3?.lines as string[];
const TD1 = SPECIMENS.td1?.lines as string[];
const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Uint8Array.from(Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part)))));

function decode(framing: MrzFramingInput, ...chunks: Uint8Array[]): MrzFrameEvent[] {
  const decoder = createMrzFrameDecoder(parseMrzFraming(framing));
  return [...chunks.flatMap((chunk) => decoder.push(chunk)), ...decoder.flush()];
}

const summary = (events: MrzFrameEvent[]) => events.map((event) => (event.type === 'read' ? event.lines : event.error.code));

describe('the framing configuration', () => {
  it('fills in defaults', () => {
    expect(parseMrzFraming({ framing: 'lines' })).toEqual({ framing: 'lines', lineEnd: 'any', underscorePadding: false, idleGapMs: 300 });
    expect(parseMrzFraming({ framing: 'stx-etx' })).toMatchObject({ bcc: 'none' });
  });

  it.each([
    [{ framing: 'lines', bcc: 'xor' }, /bcc/],
    [{ framing: 'markers', startMarker: '1b4', endMarker: '03' }, /startMarker/],
    [{ framing: 'markers', startMarker: '1B4D', endMarker: '1b4d' }, /must differ/],
    [{ framing: 'stx-etx', lineEnd: 'nl' }, /lineEnd/],
  ])('refuses %j with a typed error', (input, message) => {
    expect(() => parseMrzFraming(input)).toThrow(expect.objectContaining({ code: 'MRZ_FRAMING_INVALID', message: expect.stringMatching(message) }));
  });
});

describe('encodeMrzFrame', () => {
  it('writes STX, lines separated by CR, ETX and the XOR of everything after STX through ETX', () => {
    const frame = encodeMrzFrame(TD3, parseMrzFraming({ framing: 'stx-etx', lineEnd: 'cr', bcc: 'xor' }));
    expect(frame).toEqual(bytes([0x02], `${TD3[0]}\r${TD3[1]}`, [0x03, 0x05]));
  });

  it('writes vendor markers and pads with underscores', () => {
    const framing = parseMrzFraming({ framing: 'markers', startMarker: '1b4d', endMarker: '1b45', lineEnd: 'lf', bcc: 'xor', underscorePadding: true });
    const padded = TD1.map((line) => line.replace(/<+$/, (run) => '_'.repeat(run.length)));
    expect(padded[1]).toBe('7408122F1204159UTO<<<<<<<<<<<6');
    expect(encodeMrzFrame(TD1, framing)).toEqual(bytes([0x1b, 0x4d], padded.join('\n'), [0x1b, 0x45, 0x35]));
  });
});

describe('plain lines', () => {
  it.each([
    ['cr', `${TD3[0]}\r${TD3[1]}\r`],
    ['lf', `${TD3[0]}\n${TD3[1]}\n`],
    ['crlf', `${TD3[0]}\r\n${TD3[1]}\r\n`],
    ['any', `${TD3[0]}\r\n${TD3[1]}\n`],
  ] as const)('reads a TD3 ended by %s', (lineEnd, text) => {
    expect(summary(decode({ framing: 'lines', lineEnd }, ascii(text)))).toEqual([TD3]);
  });

  it('keeps the bytes of each line and its line end as the raw read', () => {
    const text = `${TD3[0]}\r${TD3[1]}\r`;
    expect(decode({ framing: 'lines', lineEnd: 'cr' }, ascii(`\x00${text}`))).toEqual([{ type: 'read', lines: TD3, raw: ascii(text) }]);
  });

  it('groups three 30-character lines and then two 44-character lines without a blank line between', () => {
    expect(summary(decode({ framing: 'lines', lineEnd: 'cr' }, ascii(`${[...TD1, ...TD3].join('\r')}\r`)))).toEqual([TD1, TD3]);
  });

  it('drops line noise, ignores a banner and turns underscore padding into fillers', () => {
    const text = `\x00\xffREADER V1.2\r${TD3[0]?.replace(/<+$/, (run) => '_'.repeat(run.length))}\x13\r${TD3[1]}\r`;
    expect(summary(decode({ framing: 'lines', lineEnd: 'cr', underscorePadding: true }, ascii(text)))).toEqual([TD3]);
  });

  it('reports a document cut short by a blank line, a line of another length or silence', () => {
    expect(summary(decode({ framing: 'lines' }, ascii(`${TD3[0]}\r\n\r\n${TD3.join('\r\n')}\r\n`)))).toEqual(['MRZ_INCOMPLETE', TD3]);
    expect(summary(decode({ framing: 'lines' }, ascii(`${TD1[0]}\r${TD3.join('\r')}\r`)))).toEqual(['MRZ_INCOMPLETE', TD3]);
    expect(summary(decode({ framing: 'lines' }, ascii(`${TD3[0]}\r${TD3[1]?.slice(0, 20)}`)))).toEqual(['MRZ_INCOMPLETE']);
    expect(summary(decode({ framing: 'lines' }, ascii(`${TD3[0]?.slice(0, 20)}`)))).toEqual(['MRZ_FRAME_CUT']);
  });

  it('under crlf, a lone CR or LF does not end a line', () => {
    expect(summary(decode({ framing: 'lines', lineEnd: 'crlf' }, ascii(`${TD3[0]}\r\n\n${TD3[1]?.slice(0, 10)}\r${TD3[1]?.slice(10)}\r\n`))))
      .toEqual([TD3]);
  });
});

describe('STX…ETX and marker frames', () => {
  const stxBcc = parseMrzFraming({ framing: 'stx-etx', bcc: 'xor' });
  const good = encodeMrzFrame(TD3, stxBcc);

  it('drops a frame with a bad block check, reports it, and reads the next one', () => {
    const bad = Uint8Array.from(good);
    bad[bad.length - 1] ^= 0x01;
    const events = decode(stxBcc, bad, good);
    expect(summary(events)).toEqual(['MRZ_FRAME_BCC', TD3]);
    expect(events[0]).toMatchObject({ error: { details: { expected: good.at(-1), got: bad.at(-1) } } });
    expect(events[1]).toEqual({ type: 'read', lines: TD3, raw: good });
  });

  it('reports a frame cut off by the next start marker, and by silence', () => {
    expect(summary(decode(stxBcc, good.subarray(0, 40), good))).toEqual(['MRZ_FRAME_CUT', TD3]);
    expect(summary(decode(stxBcc, good, good.subarray(0, 60)))).toEqual([TD3, 'MRZ_FRAME_CUT']);
  });

  it('gives up on a frame with no end marker in sight and finds the next frame', () => {
    const runaway = bytes([0x02], 'X'.repeat(MRZ_MAX_FRAME_BODY + 10));
    expect(summary(decode(stxBcc, runaway, good))).toEqual(['MRZ_FRAME_TOO_LONG', TD3]);
  });

  it('reports an empty frame', () => {
    expect(summary(decode({ framing: 'stx-etx' }, bytes([0x02, 0x0d, 0x03])))).toEqual(['MRZ_FRAME_EMPTY']);
  });

  it('finds a multi-byte start marker after a false start', () => {
    const framing = { framing: 'markers', startMarker: '1b4d', endMarker: '1b45' } as const;
    expect(summary(decode(framing, bytes([0x1b, 0x1b, 0x4d], TD1.join('\r'), [0x1b, 0x45])))).toEqual([TD1]);
  });
});

const MRZ_BYTES = [...ascii('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<_')];
const NON_PRINTABLE = [...Array(256).keys()].filter((b) => (b < 0x20 || b >= 0x7f) && b !== 0x0a && b !== 0x0d);
const lineEndArbitrary = fc.constantFrom('cr' as const, 'lf' as const, 'crlf' as const, 'any' as const);
const markerArbitrary = fc.uint8Array({ minLength: 1, maxLength: 3 })
  .filter((marker) => marker.every((b) => NON_PRINTABLE.includes(b)))
  .map((marker) => Buffer.from(marker).toString('hex'));

const framingArbitrary: fc.Arbitrary<MrzFraming> = fc.oneof(
  fc.record({ framing: fc.constant('lines' as const), lineEnd: lineEndArbitrary, underscorePadding: fc.boolean() }),
  fc.record({
    framing: fc.constant('stx-etx' as const), lineEnd: lineEndArbitrary, underscorePadding: fc.boolean(),
    bcc: fc.constantFrom('none' as const, 'xor' as const),
  }),
  fc.record({
    framing: fc.constant('markers' as const), lineEnd: lineEndArbitrary, underscorePadding: fc.boolean(),
    bcc: fc.constantFrom('none' as const, 'xor' as const), startMarker: markerArbitrary, endMarker: markerArbitrary,
  }).filter(({ startMarker, endMarker }) => !Buffer.from(endMarker, 'hex').some((b) => Buffer.from(startMarker, 'hex').includes(b))),
).map(parseMrzFraming);

const documentArbitrary = fc.constantFrom(...FORMATS).chain((format) => mrzFields(format).map((fields) => formatMrz(fields, format)));

/** What a reader may put between reads: noise bytes, and for plain lines also whole non-MRZ lines. */
function garbageArbitrary(framing: MrzFraming): fc.Arbitrary<Uint8Array> {
  if (framing.framing !== 'lines') {
    const start = framing.framing === 'markers' ? Buffer.from(framing.startMarker, 'hex') : Buffer.of(0x02);
    return fc.uint8Array({ maxLength: 20 }).map((noise) => noise.filter((b) => !start.includes(b)));
  }
  const noise = fc.array(fc.constantFrom(...NON_PRINTABLE), { maxLength: 8 }).map((noise) => Uint8Array.from(noise));
  const terminator = { cr: '\r', lf: '\n', crlf: '\r\n', any: '\r\n' }[framing.lineEnd];
  const banner = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 29 })
    .map((text) => ascii(text + terminator));
  return fc.array(fc.oneof(noise, banner), { maxLength: 3 }).map((parts) => Uint8Array.from(Buffer.concat(parts)));
}

/** The raw bytes of a read: its encoding, less the LF that completes a CRLF under lineEnd 'any'. */
function expectedRaw(lines: string[], framing: MrzFraming): Uint8Array {
  const encoded = encodeMrzFrame(lines, framing);
  return framing.framing === 'lines' && framing.lineEnd === 'any' ? encoded.filter((b) => b !== 0x0a) : encoded;
}

const streamArbitrary = framingArbitrary.chain((framing) => fc.record({
  framing: fc.constant(framing),
  reads: fc.array(fc.tuple(garbageArbitrary(framing), documentArbitrary), { minLength: 1, maxLength: 4 }),
  trailing: garbageArbitrary(framing),
  split: splitArbitrary,
}));

function decodeStream(framing: MrzFraming, stream: Uint8Array, split: Parameters<typeof splitBytes>[1]): MrzFrameEvent[] {
  const decoder = createMrzFrameDecoder(framing);
  return splitBytes(stream, split).flatMap((chunk) => decoder.push(chunk));
}

describe('every framing decoder', () => {
  it('gives the same reads whole, byte by byte and in random splits, with garbage between reads', () => {
    fc.assert(fc.property(streamArbitrary, ({ framing, reads: pairs, trailing, split }) => {
      const stream = Buffer.concat([...pairs.flatMap(([garbage, lines]) => [garbage, encodeMrzFrame(lines, framing)]), trailing]);
      expect(decodeStream(framing, stream, split))
        .toEqual(pairs.map(([, lines]) => ({ type: 'read', lines, raw: expectedRaw(lines, framing) })));
    }), { numRuns: 300 });
  });

  it('detects any single changed character or block check byte under bcc xor, and reads on', () => {
    const withBcc = framingArbitrary.filter((framing) => framing.framing !== 'lines' && framing.bcc === 'xor');
    fc.assert(fc.property(
      withBcc, documentArbitrary, documentArbitrary, fc.nat(), fc.nat(), splitArbitrary,
      (framing, spoiled, next, where, what, split) => {
        const frame = encodeMrzFrame(spoiled, framing);
        const characters = [...frame.keys()].filter((i) => MRZ_BYTES.includes(frame[i] as number));
        const index = characters[where % (characters.length + 1)] ?? frame.length - 1;
        const others = MRZ_BYTES.filter((b) => b !== frame[index]);
        frame[index] = others[what % others.length] as number;
        const events = decodeStream(framing, Buffer.concat([frame, encodeMrzFrame(next, framing)]), split);
        expect(summary(events)).toEqual(['MRZ_FRAME_BCC', next]);
      },
    ), { numRuns: 200 });
  });
});
