// Kiosk codes: the nth kiosk's code is n in base 36, four characters wide; codes sort as their
// numbers, the next code follows the highest, the last one is ZZZZ, and the SQL the migration uses
// to give codes to kiosks registered before it writes the same codes.

import Database from 'better-sqlite3-multiple-ciphers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KioskCode } from '../../../protocol/enrollment-number.js';
import { KIOSK_CODE_CAPACITY, kioskCodeOf, kioskCodeSql, nextKioskCode } from '../../../authority/store/kiosk-codes.js';

const anyIndex = fc.integer({ min: 1, max: KIOSK_CODE_CAPACITY });

describe('kiosk codes', () => {
  it('count 0001 … 0009, 000A … 000Z, 0010 … ZZZZ', () => {
    expect([1, 9, 10, 35, 36, 1295, 1296, KIOSK_CODE_CAPACITY].map(kioskCodeOf)).toEqual(['0001', '0009', '000A', '000Z', '0010', '00ZZ', '0100', 'ZZZZ']);
    for (const n of [0, KIOSK_CODE_CAPACITY + 1, 1.5, -1]) expect(() => kioskCodeOf(n)).toThrow(RangeError);
  });

  it('are valid kiosk codes and sort as the numbers they write', () => {
    fc.assert(fc.property(anyIndex, anyIndex, (a, b) => {
      expect(KioskCode.safeParse(kioskCodeOf(a)).success).toBe(true);
      expect(Math.sign(Buffer.compare(Buffer.from(kioskCodeOf(a)), Buffer.from(kioskCodeOf(b))))).toBe(Math.sign(a - b));
    }));
  });

  it('follow the highest code given out, and run out after ZZZZ', () => {
    expect(nextKioskCode(undefined)).toBe('0001');
    expect(nextKioskCode(null)).toBe('0001');
    expect(nextKioskCode('0009')).toBe('000A');
    expect(nextKioskCode('00ZZ')).toBe('0100');
    expect(nextKioskCode('ZZZY')).toBe('ZZZZ');
    expect(nextKioskCode('ZZZZ')).toBeUndefined();
  });

  it('are written the same by the migration\'s SQL', () => {
    const db = new Database(':memory:');
    const statement = db.prepare(`SELECT ${kioskCodeSql('given.n')} AS code FROM (SELECT ? AS n) AS given`);
    fc.assert(fc.property(anyIndex, (n) => {
      expect((statement.get(n) as { code: string }).code).toBe(kioskCodeOf(n));
    }));
    db.close();
  });
});
