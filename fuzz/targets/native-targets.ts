// Fuzz targets for the device codecs in native/: the MRZ parser and reader framings, R30x
// packets, ISO/IEC 19794-4 finger records, CN-ID SAM frames and card text, vpcd framing and
// HID reports. Streaming decoders must give the same events for every chunking, never throw,
// and find every frame they encoded among noise.
import fc from 'fast-check';
import { parseMrz } from '../../native/idreader/mrz/mrz-parser.js';
import { formatMrz } from '../../native/idreader/mrz/mrz-formatter.js';
import type { MrzFieldValues, MrzFormat } from '../../native/idreader/mrz/mrz-result.js';
import { createMrzFrameDecoder, encodeMrzFrame, parseMrzFraming, type MrzFrameEvent } from '../../native/idreader/mrz-reader/framings.js';
import { encodeR30xPacket, R30xPacketDecoder, R30xPid, type R30xDecoded } from '../../native/fingerprint/r30x-packet.js';
import { decodeFingerImageRecord, encodeFingerImageRecord, type FingerImageRecord } from '../../native/fingerprint/iso19794-4.js';
import { encodeSamRequest, encodeSamResponse, parseSamRequest, parseSamResponse, SamFrameDecoder, type SamDecoded } from '../../native/idreader/cnid/sam-frame.js';
import { CARD_TEXT_LENGTH, encodeCardText, parseCardText } from '../../native/idreader/cnid/card-text.js';
import { encodeVpcdFrame, parseVpcdRequest, VpcdFrameDecoder } from '../../native/sim/vpcd-framing.js';
import { decodeHidReport, encodeHidReports } from '../../native/transport/hid-report-framing.js';
import { parseTrace, formatTraceLine } from '../../native/transport/trace.js';
import { anyBytes, chunkings, framedStream, hostileBytes, hostileString, mutated } from '../generators.js';
import { defineTarget, expect, isTypedError, sameBytes, sameValue, typed, type FuzzTarget } from '../fuzz-target.js';

const NOW = new Date('2026-12-07T00:00:00Z');
const MRZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';
const LINE_LENGTHS: Readonly<Record<MrzFormat, [number, number]>> = { TD1: [3, 30], TD2: [2, 36], TD3: [2, 44], MRVA: [2, 44], MRVB: [2, 36] };

const letters = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: min, maxLength: max });
const alnum = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: min, maxLength: max });
const yymmdd = fc.date({ min: new Date('1930-01-01'), max: new Date('2045-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(2, 10).replaceAll('-', ''));

const mrzFields: fc.Arbitrary<MrzFieldValues> = fc.record({
  documentCode: fc.constantFrom('P', 'I', 'ID', 'V', 'AC'),
  issuingState: fc.constantFrom('D', 'UTO', 'FRA', 'CHN'),
  documentNumber: alnum(1, 9),
  nationality: fc.constantFrom('D', 'UTO', 'XXX', 'GBR'),
  birthDate: yymmdd,
  sex: fc.constantFrom('M', 'F', 'X'),
  expiryDate: yymmdd,
  surname: fc.array(letters(1, 8), { minLength: 1, maxLength: 2 }).map((w) => w.join(' ')),
  givenNames: fc.array(letters(1, 8), { maxLength: 2 }).map((w) => w.join(' ')),
  optionalData: fc.option(alnum(1, 8), { nil: '' }),
  optionalData2: fc.constant(''),
});

/** MRZ lines written by the formatter, with the format they were written in. */
const formattedMrz = fc.tuple(mrzFields, fc.constantFrom<MrzFormat>('TD1', 'TD2', 'TD3', 'MRVA', 'MRVB'))
  .map(([fields, format]) => ({ fields, format, lines: typed(() => formatMrz(fields, format), ['MRZ_FIELD_INVALID']) }));

/** MRZ-shaped noise: the right line count and length in the MRZ alphabet, or anything at all. */
const mrzNoise = fc.oneof(
  fc.constantFrom<MrzFormat>('TD1', 'TD2', 'TD3').chain((format) => {
    const [count, length] = LINE_LENGTHS[format];
    return fc.array(fc.string({ unit: fc.constantFrom(...MRZ_ALPHABET), minLength: length, maxLength: length }), { minLength: count, maxLength: count });
  }),
  fc.array(hostileString, { maxLength: 4 }),
  hostileString,
);

const mutatedMrz = fc.tuple(formattedMrz, fc.nat(), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 2 })).map(([written, line, column, replacement]) => {
  if (!written.lines.ok) return [] as string[];
  const lines = [...written.lines.value];
  const at = line % lines.length;
  const text = lines[at]!;
  const col = column % text.length;
  lines[at] = text.slice(0, col) + replacement + text.slice(col + 1);
  return lines;
});

const mrzParser = defineTarget({
  name: 'native/mrz-parse',
  weight: 1,
  arbitrary: fc.oneof(formattedMrz.map((w) => ({ written: w, lines: null as unknown })), fc.oneof(mutatedMrz, mrzNoise).map((lines) => ({ written: null, lines }))),
  check({ written, lines }) {
    if (written) {
      if (!written.lines.ok) return;
      const writtenLines = written.lines.value;
      const parsed = typed(() => parseMrz(writtenLines, { now: NOW }));
      expect(parsed.ok, `formatted ${written.format} MRZ does not parse: ${parsed.ok ? '' : parsed.code}`);
      expect(parsed.value.valid, `formatted ${written.format} MRZ does not pass its own check digits`);
      expect(parsed.value.fields.documentNumber === written.fields.documentNumber, 'document number changed in the round trip');
      return;
    }
    const parsed = typed(() => parseMrz(lines as string[], { now: NOW }));
    if (parsed.ok) expect(typeof parsed.value.valid === 'boolean', 'parse result without `valid`');
    else expect(parsed.code.startsWith('MRZ_'), `MRZ parser refused with a foreign code ${parsed.code}`);
  },
});

const mrzFramingConfig = fc.oneof(
  fc.record({ framing: fc.constant('lines'), lineEnd: fc.constantFrom('cr', 'lf', 'crlf', 'any'), underscorePadding: fc.boolean() }),
  fc.record({ framing: fc.constant('stx-etx'), lineEnd: fc.constantFrom('cr', 'lf', 'crlf', 'any'), underscorePadding: fc.boolean(), bcc: fc.constantFrom('none', 'xor') }),
  fc.record({
    framing: fc.constant('markers'), lineEnd: fc.constantFrom('cr', 'lf', 'crlf', 'any'), underscorePadding: fc.boolean(), bcc: fc.constantFrom('none', 'xor'),
    startMarker: fc.constantFrom('1b4d', '02', 'aa55'), endMarker: fc.constantFrom('1b45', '03', '55aa'),
  }),
).map((config) => parseMrzFraming(config));

/** Feeds a stream whole and in chunks; the events (codes and lines) must agree. */
function sameForEveryChunking<E>(stream: Uint8Array, cuts: number[], decode: (chunks: Uint8Array[]) => E[], key: (event: E) => unknown): E[] {
  const whole = decode([stream]);
  const split = decode(chunkings(stream, cuts));
  expect(sameValue(whole.map(key), split.map(key)), `events differ with chunking: whole ${JSON.stringify(whole.map(key))} vs split ${JSON.stringify(split.map(key))}`);
  return whole;
}

const mrzFrameKey = (event: MrzFrameEvent) => (event.type === 'read' ? event.lines : event.error.code);

const mrzFramingTarget = defineTarget({
  name: 'native/mrz-reader-framing',
  weight: 1,
  arbitrary: fc.record({
    framing: mrzFramingConfig,
    document: formattedMrz,
    noise: anyBytes(40),
    mutate: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
  }).chain((input) => (input.mutate && input.document.lines.ok
    ? mutated(fc.constant(encodeMrzFrame(input.document.lines.value, input.framing))).map((frame) => ({ ...input, frame }))
    : fc.constant({ ...input, frame: null as Uint8Array | null }))),
  check({ framing, document, noise, frame, cuts }) {
    const lines = document.lines.ok ? document.lines.value : null;
    const sent = frame ?? (lines ? encodeMrzFrame(lines, framing) : new Uint8Array(0));
    const stream = Buffer.concat([noise, sent]);
    const events = sameForEveryChunking(stream, cuts, (chunks) => {
      const decoder = createMrzFrameDecoder(framing);
      const out = chunks.flatMap((chunk) => decoder.push(chunk));
      return [...out, ...decoder.flush()];
    }, mrzFrameKey);
    for (const event of events) if (event.type === 'error') expect(isTypedError(event.error), 'framing error is not a typed DeviceError');
    // Noise holding a start and an end marker is a frame of its own, and under `bcc: xor` it takes
    // the next byte as its check — the next frame's start (docs/RELIABILITY.md, finding 2) — so
    // the read-back promise is for noise without markers.
    const markers = framing.framing === 'stx-etx' ? [0x02, 0x03] : framing.framing === 'markers' ? [...Buffer.from(framing.startMarker + framing.endMarker, 'hex')] : [];
    if (frame === null && lines && framing.framing !== 'lines' && !noise.some((byte) => markers.includes(byte))) {
      expect(events.some((e) => e.type === 'read' && sameValue(e.lines, lines)), `clean ${framing.framing} frame after noise not read back`);
    }
  },
});

const r30xPacket = fc.record({
  address: fc.constantFrom(0xffffffff, 0, 0x12345678),
  pid: fc.constantFrom(R30xPid.Command, R30xPid.Data, R30xPid.Ack, R30xPid.EndData),
  payload: fc.uint8Array({ maxLength: 256 }),
});

const r30xKey = (decoded: R30xDecoded) => (decoded.kind === 'packet' ? decoded.packet : decoded.error.code);

const r30xTarget = defineTarget({
  name: 'native/r30x-packet',
  weight: 1,
  arbitrary: fc.record({ packets: fc.array(r30xPacket, { maxLength: 3 }), noise: framedStream(r30xPacket.map(encodeR30xPacket)) }),
  check({ packets, noise }) {
    const decode = (chunks: Uint8Array[]) => {
      const decoder = new R30xPacketDecoder();
      return chunks.flatMap((chunk) => decoder.push(chunk));
    };
    const events = sameForEveryChunking(noise.stream, noise.cuts, decode, r30xKey);
    for (const event of events) if (event.kind === 'error') expect(isTypedError(event.error), 'R30x decoder error is not typed');
    const clean = decode(packets.map(encodeR30xPacket));
    expect(sameValue(clean.map(r30xKey), packets), 'encoded R30x packets are not decoded back as sent');
  },
});

const fingerRecord: fc.Arbitrary<FingerImageRecord> = fc.record({
  captureDeviceId: fc.integer({ min: 0, max: 0xffff }),
  acquisitionLevel: fc.constantFrom(10, 20, 30, 31, 40, 41),
  scaleUnits: fc.constantFrom('ppi', 'ppcm'),
  scanResolution: fc.record({ horizontal: fc.integer({ min: 1, max: 0xffff }), vertical: fc.integer({ min: 1, max: 0xffff }) }),
  imageResolution: fc.record({ horizontal: fc.integer({ min: 1, max: 0xffff }), vertical: fc.integer({ min: 1, max: 0xffff }) }),
  pixelDepth: fc.integer({ min: 1, max: 16 }),
  compression: fc.constant('png' as const),
  views: fc.array(fc.record({
    position: fc.integer({ min: 0, max: 10 }),
    viewCount: fc.constant(1),
    viewNumber: fc.constant(1),
    quality: fc.integer({ min: 0, max: 100 }),
    impressionType: fc.constantFrom(0, 1, 2, 3, 8),
    width: fc.integer({ min: 1, max: 0xffff }),
    height: fc.integer({ min: 1, max: 0xffff }),
    imageData: fc.uint8Array({ maxLength: 40 }).map((rest) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...rest])),
  }), { minLength: 1, maxLength: 3 }),
});

const encodedFingerRecord = fingerRecord.map((record) => ({ record, bytes: typed(() => encodeFingerImageRecord(record)) }));

const iso19794Target = defineTarget({
  name: 'native/iso19794-4',
  weight: 1,
  arbitrary: fc.oneof(
    encodedFingerRecord,
    hostileBytes(encodedFingerRecord.map((e) => (e.bytes.ok ? e.bytes.value : new Uint8Array(0)))).map((bytes) => ({ record: null, bytes: { ok: true as const, value: bytes } })),
  ),
  check({ record, bytes }) {
    if (!bytes.ok) return; // the encoder refused a record it cannot write (typed)
    const decoded = typed(() => decodeFingerImageRecord(bytes.value));
    if (record === null) {
      if (decoded.ok) expect(sameBytes(encodeFingerImageRecord(decoded.value), bytes.value), 'a record the decoder accepts does not re-encode to the same bytes');
      return;
    }
    expect(decoded.ok, `an encoded finger record does not decode: ${decoded.ok ? '' : decoded.code}`);
    expect(sameValue(decoded.value, record), 'finger record changed in the round trip');
  },
});

const samBody = fc.record({ a: fc.integer({ min: 0, max: 255 }), b: fc.integer({ min: 0, max: 255 }), c: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 300 }) });
const samFrames = fc.oneof(
  samBody.map(({ a, b, data }) => encodeSamRequest({ command: a, parameter: b, data })),
  samBody.map(({ a, b, c, data }) => encodeSamResponse({ sw1: a, sw2: b, sw3: c, data })),
);

const samKey = <T>(decoded: SamDecoded<T>) => ('frame' in decoded ? decoded.frame : decoded.error.code);

const samTarget = defineTarget({
  name: 'native/cnid-sam-frame',
  weight: 1,
  arbitrary: fc.record({ stream: framedStream(samFrames), responses: fc.array(samBody, { maxLength: 3 }), parser: fc.constantFrom<(body: Uint8Array) => unknown>(parseSamRequest, parseSamResponse) }),
  check({ stream, responses, parser }) {
    const decode = (chunks: Uint8Array[]) => {
      const decoder = new SamFrameDecoder(parser);
      return chunks.flatMap((chunk) => decoder.push(chunk));
    };
    const events = sameForEveryChunking(stream.stream, stream.cuts, decode, samKey);
    for (const event of events) if ('error' in event) expect(isTypedError(event.error), 'SAM decoder error is not typed');
    const sent = responses.map(({ a, b, c, data }) => ({ sw1: a, sw2: b, sw3: c, data }));
    const decoder = new SamFrameDecoder(parseSamResponse);
    const back = sent.flatMap((response) => decoder.push(encodeSamResponse(response)));
    expect(sameValue(back.map(samKey), sent), 'encoded SAM responses are not decoded back as sent');
  },
});

const cardTextTarget = defineTarget({
  name: 'native/cnid-card-text',
  weight: 0.5,
  arbitrary: fc.oneof(
    fc.uint8Array({ minLength: CARD_TEXT_LENGTH, maxLength: CARD_TEXT_LENGTH }),
    anyBytes(300),
    fc.record({
      name: fc.string({ maxLength: 15 }), sexCode: fc.constantFrom('1', '2', '0', '9', 'x'), ethnicityCode: fc.string({ maxLength: 2 }),
      birthDate: fc.string({ maxLength: 8 }), address: fc.string({ maxLength: 35 }), idNumber: fc.string({ maxLength: 18 }),
      issuingAuthority: fc.string({ maxLength: 15 }), validFrom: fc.string({ maxLength: 8 }), validTo: fc.string({ maxLength: 8 }),
    }).map((text) => typed(() => encodeCardText(text))).map((encoded) => (encoded.ok ? encoded.value : new Uint8Array(0))),
  ),
  check(block) {
    const parsed = typed(() => parseCardText(block));
    if (parsed.ok) expect(typeof parsed.value.valid === 'boolean', 'card text parse without `valid`');
  },
});

const vpcdTarget = defineTarget({
  name: 'native/vpcd-framing',
  weight: 1,
  arbitrary: fc.record({ payloads: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), noise: anyBytes(64), cuts: fc.array(fc.nat(), { maxLength: 8 }) }),
  check({ payloads, noise, cuts }) {
    const frames = payloads.map(encodeVpcdFrame);
    const decoder = new VpcdFrameDecoder();
    const back = chunkings(Uint8Array.from(Buffer.concat(frames)), cuts).flatMap((chunk) => decoder.push(chunk));
    expect(sameValue(back, payloads), 'vpcd payloads are not decoded back as sent');
    expect(decoder.pendingBytes === 0, 'vpcd decoder holds bytes after whole frames');
    const noisy = new VpcdFrameDecoder();
    for (const payload of noisy.push(noise)) {
      const request = parseVpcdRequest(payload);
      expect(typeof request.kind === 'string', 'vpcd request without a kind');
    }
    expect(typed(() => encodeVpcdFrame(new Uint8Array(0x10000)), ['VPCD_FRAME_TOO_LONG']).ok === false, 'an oversize vpcd frame was encoded');
  },
});

const hidFraming = fc.record({ reportId: fc.integer({ min: 0, max: 255 }), reportSize: fc.integer({ min: 2, max: 256 }), inputHasReportId: fc.boolean() });

const hidTarget = defineTarget({
  name: 'native/hid-report',
  weight: 1,
  arbitrary: fc.record({ framing: hidFraming, payload: anyBytes(600), report: anyBytes(300), badFraming: fc.record({ reportId: fc.jsonValue(), reportSize: fc.jsonValue(), inputHasReportId: fc.boolean() }) }),
  check({ framing, payload, report, badFraming }) {
    const reports = encodeHidReports(payload, framing);
    const back = reports.map((r) => decodeHidReport(framing.inputHasReportId ? r : r.subarray(1), framing));
    expect(sameBytes(Buffer.concat(back), payload), 'HID payload not reassembled as sent');
    typed(() => decodeHidReport(report, framing), ['HID_REPORT_ID', 'HID_REPORT_LENGTH']);
    typed(() => encodeHidReports(payload, badFraming as never), ['HID_FRAMING_INVALID']);
  },
});

const traceTarget = defineTarget({
  name: 'native/trace-text',
  weight: 0.5,
  arbitrary: fc.oneof(
    fc.array(fc.tuple(fc.constantFrom('write', 'read') as fc.Arbitrary<'write' | 'read'>, fc.uint8Array({ minLength: 1, maxLength: 40 })), { maxLength: 5 })
      .map((entries) => ({ entries, text: entries.map(([d, b]) => formatTraceLine(d, b)).join('\n') })),
    fc.array(fc.oneof(hostileString, fc.constantFrom('=> zz', '<= 0', '=>', '# c', '<= 9000')), { maxLength: 5 }).map((lines) => ({ entries: null, text: lines.join('\n') })),
  ),
  check({ entries, text }) {
    const parsed = typed(() => parseTrace(text));
    if (entries === null) return;
    expect(parsed.ok, 'a formatted trace does not parse');
    expect(sameValue(parsed.value.map((e) => [e.direction, e.bytes]), entries), 'trace entries changed in the round trip');
  },
});

export const nativeTargets: readonly FuzzTarget<never>[] = [
  mrzParser, mrzFramingTarget, r30xTarget, iso19794Target, samTarget, cardTextTarget, vpcdTarget, hidTarget, traceTarget,
] as unknown as FuzzTarget<never>[];
