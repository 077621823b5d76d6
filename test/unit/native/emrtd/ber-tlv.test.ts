// BER-TLV as 9303 uses it: known encodings (9303-10 length examples, the D.4 data objects),
// round trips over tags of one to three bytes and lengths in every form, truncated input, and
// garbage, which must be refused with CHIP_TLV_MALFORMED and never with anything else.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DeviceError } from '../../../../native/device-error.js';
import {
  encodeLength, encodeTlv, findTlv, isConstructed, readTlv, readTlvs, requireTlv, type Tlv,
} from '../../../../native/emrtd/ber-tlv.js';
import { hex, toHex } from './emrtd-fixtures.js';

const tags = fc.oneof(
  fc.integer({ min: 0x01, max: 0xfe }).filter((t) => (t & 0x1f) !== 0x1f),
  fc.integer({ min: 0x1f, max: 0x7f }).map((second) => (0x5f << 8) | second),
  fc.integer({ min: 0x1f, max: 0x7f }).map((second) => (0x7f << 8) | second),
  fc.tuple(fc.integer({ min: 0x81, max: 0xff }), fc.integer({ min: 0, max: 0x7f })).map(([b2, b3]) => (0x7f << 16) | (b2 << 8) | b3),
);
const values = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.integer({ min: 0, max: 70_000 }).map((length) => new Uint8Array(length).fill(0xa5)),
);
const tlvs = fc.record({ tag: tags, value: values });

function tlvErrorOrNothing(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof DeviceError) return error.code;
    throw error;
  }
}

describe('BER-TLV', () => {
  it('encodes lengths in the shortest definite form', () => {
    expect(toHex(encodeLength(0x7f))).toBe('7F');
    expect(toHex(encodeLength(0x80))).toBe('8180');
    expect(toHex(encodeLength(0xff))).toBe('81FF');
    expect(toHex(encodeLength(0x100))).toBe('820100');
    expect(toHex(encodeLength(1999))).toBe('8207CF');
    expect(toHex(encodeLength(0x1_0000))).toBe('83010000');
    expect(() => encodeLength(-1)).toThrow(RangeError);
  });

  it('encodes the data objects of the 9303-11 D.4 example', () => {
    expect(toHex(encodeTlv(0x87, hex('016375432908C044F6')))).toBe('8709016375432908C044F6');
    expect(toHex(encodeTlv(0x8e, hex('BF8B92D635FF24F8')))).toBe('8E08BF8B92D635FF24F8');
    expect(toHex(encodeTlv(0x97, hex('04')))).toBe('970104');
    expect(toHex(encodeTlv(0x7f61, [encodeTlv(0x02, hex('01'))]))).toBe('7F6103020101');
    expect(encodeTlv(0x53, hex('00'))).not.toBeInstanceOf(Buffer);
  });

  it('knows constructed tags', () => {
    expect([0x60, 0x61, 0x75, 0x77, 0x7f61, 0x7f60, 0x7c].every(isConstructed)).toBe(true);
    expect([0x5f1f, 0x5f2e, 0x87, 0x99, 0x8e, 0x04].some(isConstructed)).toBe(false);
  });

  it('finds and requires top-level objects', () => {
    const bytes = hex('990290008E08FA855A5D4C50A8ED');
    expect(toHex(findTlv(bytes, 0x8e)!.value)).toBe('FA855A5D4C50A8ED');
    expect(findTlv(bytes, 0x87)).toBeUndefined();
    expect(toHex(requireTlv(bytes, 0x99, 'answer'))).toBe('9000');
    expect(() => requireTlv(bytes, 0x87, 'answer')).toThrow(expect.objectContaining({ code: 'CHIP_TLV_MISSING' }));
  });

  it('refuses indefinite lengths, length fields over four bytes, tags over three bytes, and values past the end', () => {
    for (const bad of ['6180', '618501000000', '7F818181010000', '6105AABB', '5F', '61', '']) {
      expect(tlvErrorOrNothing(() => readTlv(hex(bad))), bad).toBe('CHIP_TLV_MALFORMED');
    }
  });

  it('reads back what it wrote, one object or a sequence, and a constructed object\'s children', () => {
    fc.assert(fc.property(fc.array(tlvs, { maxLength: 5 }), (objects) => {
      const bytes = Buffer.concat(objects.map(({ tag, value }) => encodeTlv(tag, value)));
      const read = readTlvs(bytes);
      expect(read.map((t: Tlv) => [t.tag, Buffer.from(t.value).toString('hex')]))
        .toEqual(objects.map(({ tag, value }) => [tag, Buffer.from(value).toString('hex')]));
      const parent = encodeTlv(0x7f61, objects.map(({ tag, value }) => encodeTlv(tag, value)));
      expect(readTlvs(readTlv(parent).tlv.value)).toHaveLength(objects.length);
    }), { numRuns: 60 });
  });

  it('refuses every truncation of an encoding that cuts an object (chunked input)', () => {
    fc.assert(fc.property(fc.array(tlvs.filter((t) => t.value.length < 2000), { minLength: 1, maxLength: 4 }), fc.nat(), (objects, cutSeed) => {
      const encoded = objects.map(({ tag, value }) => encodeTlv(tag, value));
      const bytes = Buffer.concat(encoded);
      const boundaries = new Set(encoded.map((_, i) => encoded.slice(0, i + 1).reduce((n, e) => n + e.length, 0)));
      const cut = cutSeed % bytes.length;
      const code = tlvErrorOrNothing(() => readTlvs(bytes.subarray(0, cut)));
      if (cut === 0 || boundaries.has(cut)) expect(code).toBeUndefined();
      else expect(code).toBe('CHIP_TLV_MALFORMED');
    }), { numRuns: 300 });
  });

  it('reading in pieces (object by object from any offset the previous one ended at) agrees with reading at once', () => {
    fc.assert(fc.property(fc.array(tlvs.filter((t) => t.value.length < 500), { maxLength: 6 }), (objects) => {
      const bytes = Buffer.concat(objects.map(({ tag, value }) => encodeTlv(tag, value)));
      const pieces: Tlv[] = [];
      for (let offset = 0; offset < bytes.length;) {
        const { tlv, next } = readTlv(Uint8Array.from(bytes.subarray(offset)), 0);
        pieces.push(tlv);
        offset += next;
      }
      expect(pieces.map((t) => t.tag)).toEqual(readTlvs(bytes).map((t) => t.tag));
    }), { numRuns: 60 });
  });

  it('meets garbage with CHIP_TLV_MALFORMED or a parse that stays inside the input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      let read: Tlv[] | undefined;
      const code = tlvErrorOrNothing(() => {
        read = readTlvs(bytes);
      });
      if (code !== undefined) {
        expect(code).toBe('CHIP_TLV_MALFORMED');
        return;
      }
      expect(read!.reduce((n, t) => n + t.value.length, 0)).toBeLessThanOrEqual(bytes.length);
    }), { numRuns: 2000 });
  });
});
