import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../../native/device-error.js';
import { checkDigit } from '../../../../../native/idreader/mrz/check-digit.js';

const MRZ_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<';
const mrzString = fc.string({ unit: fc.constantFrom(...MRZ_ALPHABET), maxLength: 40 });

/** Independent reading of part 3, 4.9: base-36 digit values, '<' zero, weights 7-3-1. */
function referenceCheckDigit(s: string): number {
  const values = [...s].map((c) => (c === '<' ? 0 : parseInt(c, 36)));
  return values.reduce((sum, v, i) => sum + v * [7, 3, 1][i % 3], 0) % 10;
}

describe('checkDigit', () => {
  it('gives the Doc 9303 specimen check digits', () => {
    expect(checkDigit('L898902C3')).toBe(6);
    expect(checkDigit('740812')).toBe(2);
    expect(checkDigit('120415')).toBe(9);
    expect(checkDigit('ZE184226B<<<<<')).toBe(1);
    expect(checkDigit('D23145890')).toBe(7);
  });

  it('counts letters as 10–35 and fillers as 0', () => {
    expect(checkDigit('A')).toBe(0); // 10 × 7
    expect(checkDigit('<B')).toBe(3); // 11 × 3
    expect(checkDigit('<<Z')).toBe(5); // 35 × 1
    expect(checkDigit('')).toBe(0);
  });

  it('agrees with an independent implementation on any MRZ string', () => {
    fc.assert(fc.property(mrzString, (s) => checkDigit(s) === referenceCheckDigit(s)));
  });

  it('changes whenever one digit of an all-digit field changes', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (s, at, shift) => {
          const i = at % s.length;
          const changed = s.slice(0, i) + String((Number(s[i]) + shift) % 10) + s.slice(i + 1);
          return checkDigit(changed) !== checkDigit(s);
        },
      ),
    );
  });

  it('refuses characters outside the MRZ alphabet without echoing them', () => {
    for (const bad of ['l898902c3', 'L898 902', 'ÄB']) {
      expect(() => checkDigit(bad)).toThrow(DeviceError);
    }
    expect(() => checkDigit('AB CD')).toThrow(
      expect.objectContaining({ code: 'MRZ_BAD_CHARACTER', details: { codePoint: 'U+0020' } }),
    );
  });
});
