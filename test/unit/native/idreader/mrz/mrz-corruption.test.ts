import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMrz, parseMrz } from '../../../../../native/idreader/mrz/index.js';
import { NOW, SPECIMENS } from './doc9303-specimens.js';
import { FORMATS, mrzFields } from './mrz-arbitraries.js';
import { CHECK_DIGITS, DATES, PROTECTED, replaceAt, samePosition } from './protected-positions.js';

const ALPHABET = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<'];
const value = (c: string) => (c === '<' ? 0 : parseInt(c, 36));

/** A generated MRZ, one of the given positions in it, and a replacement character. */
const corruption = (positionsOf: (format: (typeof FORMATS)[number]) => { line: number; column: number }[]) =>
  fc.constantFrom(...FORMATS).chain((format) =>
    fc.record({
      format: fc.constant(format),
      lines: mrzFields(format).map((fields) => formatMrz(fields, format)),
      at: fc.constantFrom(...positionsOf(format)),
      char: fc.constantFrom(...ALPHABET),
    }),
  );

describe('single-character corruption of a protected field', () => {
  it('is caught by a check digit whenever the character value changes modulo 10', () => {
    fc.assert(
      fc.property(corruption((f) => PROTECTED[f]), ({ lines, at, char }) => {
        const original = lines[at.line][at.column];
        fc.pre(value(char) % 10 !== value(original) % 10);
        expect(parseMrz(replaceAt(lines, at, char), { now: NOW }).valid).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('is caught at a check digit by any other digit or letter', () => {
    fc.assert(
      fc.property(corruption((f) => CHECK_DIGITS[f]), ({ lines, at, char }) => {
        fc.pre(char !== '<' && char !== lines[at.line][at.column]);
        expect(parseMrz(replaceAt(lines, at, char), { now: NOW }).valid).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('always shows in a date, by its check digit or as no calendar date', () => {
    fc.assert(
      fc.property(corruption((f) => DATES[f]), ({ format, lines, at, char }) => {
        fc.pre(char !== lines[at.line][at.column]);
        const { valid, checks } = parseMrz(replaceAt(lines, at, char), { now: NOW });
        const isBirth = DATES[format].slice(0, 6).some(samePosition(at));
        expect(valid && (isBirth ? checks.birthDateValid : checks.expiryDateValid)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('slips through when the new letter has the same value modulo 10 (a limit of Doc 9303)', () => {
    // C = 12 and M = 22: the weighted sums agree modulo 10, so no check digit can tell.
    const [line1, line2] = SPECIMENS.td3.lines;
    const result = parseMrz([line1, line2.replace('L898902C3', 'L898902M3')], { now: NOW });
    expect(result.valid).toBe(true);
    expect(result.fields.documentNumber).toBe('L898902M3');
  });
});
