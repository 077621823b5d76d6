// Command and response APDUs (ISO/IEC 7816-4 §5.1): the four cases in short and extended form
// by example (the 9303-11 D.3/D.4 commands among them), round trips, and arbitrary bytes fed to
// the chip-side decoder, which either reads a command that encodes back to the same bytes or
// refuses with CHIP_APDU_MALFORMED.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DeviceError } from '../../../../native/device-error.js';
import {
  decodeCommand, decodeResponse, encodeCommand, encodeResponse, swHex, type CommandApdu,
} from '../../../../native/emrtd/apdu.js';
import { hex, toHex } from './emrtd-fixtures.js';

const header = { cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x00 };

describe('command APDUs', () => {
  it('encodes the four cases, short and extended', () => {
    expect(toHex(encodeCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c }))).toBe('00A4040C');
    expect(toHex(encodeCommand({ ...header, le: 4 }))).toBe('00B0000004');
    expect(toHex(encodeCommand({ ...header, le: 256 }))).toBe('00B0000000');
    expect(toHex(encodeCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: hex('011E') }))).toBe('00A4020C02011E');
    expect(toHex(encodeCommand({ cla: 0, ins: 0x84, p1: 0, p2: 0, le: 8 }))).toBe('0084000008');
    expect(toHex(encodeCommand({ cla: 0, ins: 0x82, p1: 0, p2: 0, data: new Uint8Array(40), le: 40 })))
      .toBe(`0082000028${'00'.repeat(40)}28`);
    expect(toHex(encodeCommand({ ...header, le: 1000 }))).toBe('00B000000003E8');
    expect(toHex(encodeCommand({ ...header, le: 65536 }))).toBe('00B00000000000');
    expect(toHex(encodeCommand({ ...header, le: 4 }, { extended: true }))).toBe('00B00000000004');
    expect(toHex(encodeCommand({ ...header, ins: 0xd6, data: new Uint8Array(300) }))).toBe(`00D6000000012C${'00'.repeat(300)}`);
    expect(toHex(encodeCommand({ ...header, data: hex('AA'), le: 65536 }, { extended: true }))).toBe('00B00000000001AA0000');
  });

  it('refuses fields out of range', () => {
    expect(() => encodeCommand({ ...header, cla: 0x100 })).toThrow(RangeError);
    expect(() => encodeCommand({ ...header, le: 0 })).toThrow(RangeError);
    expect(() => encodeCommand({ ...header, le: 65537 })).toThrow(RangeError);
    expect(() => encodeCommand({ ...header, data: new Uint8Array(65536) })).toThrow(RangeError);
  });

  it('refuses malformed lengths on the chip side', () => {
    for (const bad of ['00A404', '00A4040C05AABB', '00B0000000', '00B000000001', '00A4040C0000', '00A4040C00000201']) {
      let code: string | undefined;
      try {
        decodeCommand(hex(bad));
      } catch (error) {
        code = (error as DeviceError).code;
      }
      expect(code, bad).toBe(bad === '00B0000000' ? undefined : 'CHIP_APDU_MALFORMED');
    }
    expect(decodeCommand(hex('00B0000000'))).toMatchObject({ le: 256, extended: false });
  });

  const commands: fc.Arbitrary<CommandApdu> = fc.record({
    cla: fc.integer({ min: 0, max: 0xff }),
    ins: fc.integer({ min: 0, max: 0xff }),
    p1: fc.integer({ min: 0, max: 0xff }),
    p2: fc.integer({ min: 0, max: 0xff }),
    data: fc.option(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 255 }), fc.uint8Array({ minLength: 256, maxLength: 2000 })), { nil: undefined }),
    le: fc.option(fc.oneof(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 257, max: 65536 })), { nil: undefined }),
  }, { requiredKeys: ['cla', 'ins', 'p1', 'p2'] });

  it('decodes what it encodes, short and extended', () => {
    fc.assert(fc.property(commands, fc.boolean(), (command, forceExtended) => {
      const decoded = decodeCommand(encodeCommand(command, { extended: forceExtended }));
      const needsExtended = (command.data?.length ?? 0) > 255 || (command.le ?? 0) > 256;
      // Case 1 (no data, no Le) has no length fields, so no extended form either.
      const hasLengths = command.data !== undefined || command.le !== undefined;
      expect(decoded.extended).toBe((forceExtended && hasLengths) || needsExtended);
      expect({ ...decoded, extended: undefined }).toEqual({ ...command, extended: undefined });
    }), { numRuns: 500 });
  });

  it('reads arbitrary bytes as a command that encodes back to them, or refuses them', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      let decoded: ReturnType<typeof decodeCommand>;
      try {
        decoded = decodeCommand(bytes);
      } catch (error) {
        expect(error).toMatchObject({ code: 'CHIP_APDU_MALFORMED' });
        return;
      }
      expect(toHex(encodeCommand(decoded, { extended: decoded.extended }))).toBe(toHex(bytes));
    }), { numRuns: 2000 });
  });
});

describe('response APDUs', () => {
  it('splits data from the status word and back', () => {
    expect(decodeResponse(hex('60145F019000'))).toEqual({ data: hex('60145F01'), sw: 0x9000 });
    expect(toHex(encodeResponse({ data: hex('AB'), sw: 0x6282 }))).toBe('AB6282');
    expect(swHex(0x6982)).toBe('6982');
    expect(swHex(0x6a82)).toBe('6A82');
    expect(() => decodeResponse(hex('90'))).toThrow(expect.objectContaining({ code: 'CHIP_APDU_MALFORMED' }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 0xffff }), (data, sw) => {
      expect(decodeResponse(encodeResponse({ data, sw }))).toEqual({ data, sw });
    }), { numRuns: 100 });
  });
});
