// Command and response APDUs (ISO/IEC 7816-4 §5.1): the four cases in short and extended form by
// example (the 9303-11 D.3/D.4 commands among them), round trips, arbitrary bytes read either as a
// command that encodes back to them or refused with APDU_MALFORMED, the Le correction the
// transport makes after 6Cxx, and a response's data and status word.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeCommandApdu, encodeResponseApdu, parseCommandApdu, parseResponseApdu, responseData, statusWord, swHex, withExpectedLength,
  type CommandApdu,
} from '../../../../native/transport/command-apdu.js';

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
const readBinary = { cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x00 };

describe('command APDU cases', () => {
  it('reads the four cases in short form', () => {
    expect(parseCommandApdu(bytes('00 84 00 00'))).toMatchObject({ apduCase: 1, extended: false, ne: 0 });
    expect(parseCommandApdu(bytes('00 84 00 00 08'))).toMatchObject({ apduCase: 2, ne: 8 });
    expect(parseCommandApdu(bytes('00 b0 00 00 00'))).toMatchObject({ apduCase: 2, ne: 256 });
    const select = parseCommandApdu(bytes('00 a4 04 0c 07 a0 00 00 02 47 10 01'));
    expect(select).toMatchObject({ apduCase: 3, cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, ne: 0 });
    expect(hex(select.data)).toBe('a0000002471001');
    expect(parseCommandApdu(bytes(`0c 82 00 00 28 ${'00'.repeat(40)} 28`))).toMatchObject({ apduCase: 4, ne: 40 });
  });

  it('reads the extended forms: 3-byte Le, 3-byte Lc, 2-byte Le after data; 00 00 means 65536', () => {
    expect(parseCommandApdu(bytes('00 b0 00 00 00 4e 20'))).toMatchObject({ apduCase: 2, extended: true, ne: 20_000 });
    expect(parseCommandApdu(bytes('00 b0 00 00 00 00 00'))).toMatchObject({ apduCase: 2, extended: true, ne: 65_536 });
    const update = parseCommandApdu(Uint8Array.of(0, 0xd6, 0, 0, 0, 0x01, 0x2c, ...new Uint8Array(300)));
    expect(update).toMatchObject({ apduCase: 3, extended: true, ne: 0 });
    expect(update.data).toHaveLength(300);
    expect(parseCommandApdu(bytes('00 86 00 00 00 00 02 7c 00 00 00'))).toMatchObject({ apduCase: 4, extended: true, ne: 65_536 });
  });

  it('refuses what no case describes', () => {
    for (const text of ['00 a4 04', '00 a4 04 0c 07 a0', '00 b0 00 00 02 00', '00 b0 00 00 00 01', '00 d6 00 00 00 00 00 01',
      '00 a4 04 0c 05 aa bb', '00 a4 04 0c 00 00', '00 a4 04 0c 00 00 02 01']) {
      expect(() => parseCommandApdu(bytes(text)), text).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    }
  });

  it('encodes the four cases, short and extended, as 9303 writes them', () => {
    expect(hex(encodeCommandApdu({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c }))).toBe('00a4040c');
    expect(hex(encodeCommandApdu({ ...readBinary, ne: 4 }))).toBe('00b0000004');
    expect(hex(encodeCommandApdu({ ...readBinary, ne: 256 }))).toBe('00b0000000');
    expect(hex(encodeCommandApdu({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: bytes('011e') }))).toBe('00a4020c02011e');
    expect(hex(encodeCommandApdu({ cla: 0, ins: 0x82, p1: 0, p2: 0, data: new Uint8Array(40), ne: 40 }))).toBe(`0082000028${'00'.repeat(40)}28`);
    expect(hex(encodeCommandApdu({ ...readBinary, ne: 1000 }))).toBe('00b000000003e8');
    expect(hex(encodeCommandApdu({ ...readBinary, ne: 65536 }))).toBe('00b00000000000');
    expect(hex(encodeCommandApdu({ ...readBinary, ne: 4 }, { extended: true }))).toBe('00b00000000004');
    expect(hex(encodeCommandApdu({ ...readBinary, ins: 0xd6, data: new Uint8Array(300) }))).toBe(`00d6000000012c${'00'.repeat(300)}`);
    expect(hex(encodeCommandApdu({ ...readBinary, data: bytes('aa'), ne: 65536 }, { extended: true }))).toBe('00b00000000001aa0000');
  });

  it('refuses header bytes out of range (a programming error) and bodies no APDU can carry', () => {
    expect(() => encodeCommandApdu({ ...readBinary, cla: 0x100 })).toThrow(RangeError);
    expect(() => encodeCommandApdu({ ...readBinary, ne: 65537 })).toThrow(expect.objectContaining({ code: 'APDU_TOO_LONG' }));
    expect(() => encodeCommandApdu({ ...readBinary, data: new Uint8Array(65536) })).toThrow(expect.objectContaining({ code: 'APDU_TOO_LONG' }));
  });

  it('round-trips any command through encode and parse, in the form it was encoded', () => {
    const command: fc.Arbitrary<Required<CommandApdu>> = fc.record({
      cla: fc.integer({ min: 0, max: 255 }),
      ins: fc.integer({ min: 0, max: 255 }),
      p1: fc.integer({ min: 0, max: 255 }),
      p2: fc.integer({ min: 0, max: 255 }),
      data: fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 250, maxLength: 700 })),
      ne: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 65_536 })),
    });
    fc.assert(fc.property(command, fc.boolean(), (apdu, extended) => {
      const encoded = encodeCommandApdu(apdu, { extended });
      const parsed = parseCommandApdu(encoded);
      expect({ ...parsed, data: hex(parsed.data) }).toMatchObject({ ...apdu, data: hex(apdu.data) });
      const long = apdu.data.length > 255 || apdu.ne > 256 || extended;
      if (apdu.data.length > 0 || apdu.ne > 0) expect(parsed.extended).toBe(long);
    }));
  });

  it('reads arbitrary bytes as a command that encodes back to them, or refuses them', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
      let parsed: ReturnType<typeof parseCommandApdu>;
      try {
        parsed = parseCommandApdu(input);
      } catch (error) {
        expect(error).toMatchObject({ code: 'APDU_MALFORMED' });
        return;
      }
      expect(hex(encodeCommandApdu(parsed, { extended: parsed.extended }))).toBe(hex(input));
    }), { numRuns: 2000 });
  });

  it('asks for another Ne in the same length form; a case 1 command gains a short Le', () => {
    expect(hex(withExpectedLength(bytes('00 b0 00 00 00'), 0x0a))).toBe('00b000000a');
    expect(hex(withExpectedLength(bytes('00 b0 00 00 00 4e 20'), 0x0a))).toBe('00b0000000000a');
    expect(hex(withExpectedLength(bytes('00 ca 01 01'), 0x10))).toBe('00ca010110');
    expect(hex(withExpectedLength(bytes('00 a4 04 00 02 3f 00 00'), 0x1c))).toBe('00a40400023f001c');
    expect(hex(withExpectedLength(bytes('00 b0 00 00 05'), 256))).toBe('00b0000000');
    expect(() => withExpectedLength(bytes('00 a4 04 0c 02 3f 00'), 4)).toThrow(/case 3/);
  });
});

describe('response APDUs', () => {
  it('splits data from the status word and back', () => {
    expect(parseResponseApdu(bytes('60145f019000'))).toEqual({ data: bytes('60145f01'), sw: 0x9000 });
    expect(statusWord(bytes('6a82'))).toBe(0x6a82);
    expect(responseData(bytes('6a82'))).toHaveLength(0);
    expect(hex(encodeResponseApdu({ data: bytes('ab'), sw: 0x6282 }))).toBe('ab6282');
    expect(swHex(0x6982)).toBe('6982');
    expect(swHex(0x6a82)).toBe('6A82');
    expect(() => parseResponseApdu(bytes('90'))).toThrow(expect.objectContaining({ code: 'APDU_NO_STATUS_WORD' }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 0xffff }), (data, sw) => {
      expect(parseResponseApdu(encodeResponseApdu({ data, sw }))).toEqual({ data, sw });
    }), { numRuns: 100 });
  });
});
