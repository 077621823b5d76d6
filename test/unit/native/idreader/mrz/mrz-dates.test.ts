import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMrz, parseMrz } from '../../../../../native/idreader/mrz/index.js';
import { resolveBirthDate, resolveExpiryDate } from '../../../../../native/idreader/mrz/mrz-dates.js';
import { NOW, SPECIMENS } from './doc9303-specimens.js';

const yymmdd = (d: Date) => d.toISOString().slice(2, 10).replaceAll('-', '');
const iso = (d: Date) => d.toISOString().slice(0, 10);
const utcDay = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

describe('birth date century', () => {
  it('takes the latest century that is not in the future', () => {
    expect(resolveBirthDate('240615', NOW)).toBe('2024-06-15'); // today
    expect(resolveBirthDate('240616', NOW)).toBe('1924-06-16'); // tomorrow → last century
    expect(resolveBirthDate('000101', NOW)).toBe('2000-01-01');
    expect(resolveBirthDate('991231', NOW)).toBe('1999-12-31');
  });

  it("judges by the UTC date of `now`", () => {
    const lateEveningWest = new Date('2024-06-15T23:30:00-02:00'); // 2024-06-16 01:30 UTC
    expect(resolveBirthDate('240616', lateEveningWest)).toBe('2024-06-16');
  });

  it('applies the leap-year rule of the resolved century', () => {
    expect(resolveBirthDate('000229', NOW)).toBe('2000-02-29');
    expect(resolveBirthDate('000229', new Date('2000-02-28T12:00:00Z'))).toBeNull(); // 1900 is no leap year
    expect(resolveBirthDate('240229', NOW)).toBe('2024-02-29');
    expect(resolveBirthDate('230229', NOW)).toBeNull();
  });

  it('gives null for what is not a calendar date', () => {
    for (const bad of ['741312', '740800', '740132', '740431', '74<<<<', '<<<<<<', '7408', '7408122']) {
      expect(resolveBirthDate(bad, NOW)).toBeNull();
    }
  });

  it('recovers every date of the last 100 years', () => {
    const min = utcDay(1924, 6, 16);
    fc.assert(
      fc.property(fc.date({ min, max: utcDay(2024, 6, 15), noInvalidDate: true }), (d) => {
        expect(resolveBirthDate(yymmdd(d), NOW)).toBe(iso(d));
      }),
    );
  });
});

describe('expiry date century', () => {
  it('reaches at most 20 years ahead', () => {
    expect(resolveExpiryDate('440615', NOW)).toBe('2044-06-15');
    expect(resolveExpiryDate('440616', NOW)).toBe('1944-06-16');
    expect(resolveExpiryDate('340101', NOW)).toBe('2034-01-01');
    expect(resolveExpiryDate('240614', NOW)).toBe('2024-06-14');
    expect(resolveExpiryDate('991231', NOW)).toBe('1999-12-31');
  });

  it('recovers every date from 80 years back to 20 years ahead', () => {
    fc.assert(
      fc.property(fc.date({ min: utcDay(1944, 6, 16), max: utcDay(2044, 6, 15), noInvalidDate: true }), (d) => {
        expect(resolveExpiryDate(yymmdd(d), NOW)).toBe(iso(d));
      }),
    );
  });

  it('counts the expiry day itself as still valid', () => {
    const parseExpiring = (expiryDate: string) =>
      parseMrz(formatMrz({ ...SPECIMENS.td3.fields, expiryDate }, 'TD3'), { now: NOW }).checks;
    expect(parseExpiring('240615')).toMatchObject({ notExpired: true, expiryDateValid: true });
    expect(parseExpiring('240614')).toMatchObject({ notExpired: false, expiryDateValid: true });
    expect(parseExpiring('241350')).toMatchObject({ notExpired: false, expiryDateValid: false });
  });
});
