import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeCommandApdu, parseCommandApdu, withExpectedLength, type CommandApdu,
} from '../../../../native/transport/command-apdu.js';

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');

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
    for (const text of ['00 a4 04', '00 a4 04 0c 07 a0', '00 b0 00 00 02 00', '00 b0 00 00 00 01', '00 d6 00 00 00 00 00 01']) {
      expect(() => parseCommandApdu(bytes(text)), text).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    }
  });

  it('round-trips any command through encode and parse, in the form it was encoded', () => {
    const command: fc.Arbitrary<CommandApdu> = fc.record({
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

  it('asks for another Ne in the same length form; a case 1 command gains a short Le', () => {
    expect(hex(withExpectedLength(bytes('00 b0 00 00 00'), 0x0a))).toBe('00b000000a');
    expect(hex(withExpectedLength(bytes('00 b0 00 00 00 4e 20'), 0x0a))).toBe('00b0000000000a');
    expect(hex(withExpectedLength(bytes('00 ca 01 01'), 0x10))).toBe('00ca010110');
    expect(hex(withExpectedLength(bytes('00 a4 04 00 02 3f 00 00'), 0x1c))).toBe('00a40400023f001c');
    expect(hex(withExpectedLength(bytes('00 b0 00 00 05'), 256))).toBe('00b0000000');
    expect(() => withExpectedLength(bytes('00 a4 04 0c 02 3f 00'), 4)).toThrow(/case 3/);
  });
});
