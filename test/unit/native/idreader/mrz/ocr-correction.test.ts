import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMrz, parseMrz } from '../../../../../native/idreader/mrz/index.js';
import { NOW, SPECIMENS } from './doc9303-specimens.js';
import { FORMATS, mrzFields } from './mrz-arbitraries.js';
import { CHECK_DIGITS, DATES, PROTECTED, replaceAt, samePosition, type Position } from './protected-positions.js';

const LETTER_FOR: Record<string, string> = { 0: 'O', 1: 'I', 5: 'S', 8: 'B', 2: 'Z' };
const DIGIT_FOR: Record<string, string> = { O: '0', I: '1', S: '5', B: '8', Z: '2' };

/** A generated MRZ and one protected position (from `positionsOf`) holding a character OCR confuses. */
const confusable = (positionsOf: (format: (typeof FORMATS)[number]) => Position[], swap: Record<string, string>) =>
  fc.constantFrom(...FORMATS).chain((format) =>
    mrzFields(format)
      .map((fields) => formatMrz(fields, format))
      .chain((lines) => {
        const candidates = positionsOf(format).filter((p) => swap[lines[p.line][p.column]] !== undefined);
        return candidates.length === 0
          ? fc.constant(null)
          : fc.constantFrom(...candidates).map((at) => ({ lines, at, to: swap[lines[at.line][at.column]] }));
      })
      .filter((c): c is { lines: string[]; at: Position; to: string } => c !== null),
  );

const numeric = (f: (typeof FORMATS)[number]) => [...DATES[f], ...CHECK_DIGITS[f]];
const alphanumeric = (f: (typeof FORMATS)[number]) => PROTECTED[f].filter((p) => !numeric(f).some(samePosition(p)));

describe('OCR correction', () => {
  it('restores a digit read as its look-alike letter in a date or check digit, and says where', () => {
    fc.assert(
      fc.property(confusable(numeric, LETTER_FOR), ({ lines, at, to }) => {
        const result = parseMrz(replaceAt(lines, at, to), { now: NOW });
        expect(result.valid).toBe(false);
        expect(result.corrected?.lines).toEqual(lines);
        expect(result.corrected?.valid).toBe(true);
        expect(result.corrections).toEqual([
          expect.objectContaining({ line: at.line + 1, column: at.column + 1, from: to, to: lines[at.line][at.column] }),
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('in a document number or optional data offers the original or nothing, never a wrong fix', () => {
    let fixed = 0;
    fc.assert(
      fc.property(confusable(alphanumeric, { ...LETTER_FOR, ...DIGIT_FOR }), ({ lines, at, to }) => {
        const result = parseMrz(replaceAt(lines, at, to), { now: NOW });
        expect(result.valid).toBe(false);
        if (result.corrected) {
          fixed += 1;
          expect(result.corrected.lines).toEqual(lines);
          expect(result.corrections).toHaveLength(1);
        }
      }),
      { numRuns: 300 },
    );
    expect(fixed).toBeGreaterThan(150); // most single swaps are unambiguous
  });

  it('reports the corrected field and leaves the reading as it was', () => {
    const [line1, line2] = SPECIMENS.td3.lines;
    const result = parseMrz([line1, line2.replace('7408122', '74O8122')], { now: NOW });
    expect(result.valid).toBe(false);
    expect(result.fields).toMatchObject({ birthDate: '74O812', birthDateIso: null });
    expect(result.corrections).toEqual([{ field: 'birthDate', line: 2, column: 16, from: 'O', to: '0' }]);
    expect(result.corrected).toMatchObject({ valid: true, corrections: [], corrected: null });
    expect(result.corrected?.fields).toMatchObject({ birthDate: '740812', birthDateIso: '1974-08-12' });
  });

  it('fixes several look-alike letters in numeric fields together', () => {
    const [line1, line2] = SPECIMENS.td3.lines;
    const read = line2.replace('7408122F1204159', '74O8122FI2O4159');
    const result = parseMrz([line1, read], { now: NOW });
    expect(result.corrected?.lines).toEqual(SPECIMENS.td3.lines);
    expect(result.corrections.map((c) => [c.field, c.column, c.to])).toEqual([
      ['birthDate', 16, '0'],
      ['expiryDate', 22, '1'],
      ['expiryDate', 24, '0'],
    ]);
  });

  it('fixes the check digit of a TD1 number continued in the optional data', () => {
    const lines = formatMrz({ ...SPECIMENS.td1LongNumber.fields, documentNumber: 'D23145890735' }, 'TD1');
    expect(lines[0]).toBe('I<UTOD23145890<7350<<<<<<<<<<<');
    const result = parseMrz(replaceAt(lines, { line: 0, column: 18 }, 'O'), { now: NOW });
    expect(result.corrections).toEqual([{ field: 'documentNumberCheckDigit', line: 1, column: 19, from: 'O', to: '0' }]);
    expect(result.corrected?.fields.documentNumber).toBe('D23145890735');
  });

  it('refuses when two swaps would each make every check digit hold', () => {
    // Positions 1 and 4 of the number carry the same weight (7) in its check digit and in the
    // composite, so reading 0…O as O…O leaves two equally good fixes.
    const truth = formatMrz({ ...SPECIMENS.td3.fields, documentNumber: '0HJOKLMNP' }, 'TD3');
    const rival = formatMrz({ ...SPECIMENS.td3.fields, documentNumber: 'OHJ0KLMNP' }, 'TD3');
    expect(rival[1].slice(9)).toBe(truth[1].slice(9)); // same check digits: both fixes pass
    const result = parseMrz(replaceAt(truth, { line: 1, column: 0 }, 'O'), { now: NOW });
    expect(result.valid).toBe(false);
    expect(result.corrected).toBeNull();
    expect(result.corrections).toEqual([]);
  });

  it('offers nothing for failures that are no look-alike swap', () => {
    const [line1, line2] = SPECIMENS.td3.lines;
    const wrongDigit = parseMrz([line1, `${line2.slice(0, 19)}3${line2.slice(20)}`], { now: NOW });
    expect(wrongDigit.valid).toBe(false);
    expect(wrongDigit.corrected).toBeNull();
    const valid = parseMrz(SPECIMENS.td3.lines, { now: NOW });
    expect([valid.corrected, valid.corrections]).toEqual([null, []]);
  });
});
