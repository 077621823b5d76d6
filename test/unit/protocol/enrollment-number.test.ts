// Enrollment numbers as a person types them: every single mistyped character and every swap of
// two neighbours is caught (exhaustively over the alphabet for a few numbers, and as a property
// over any number), the written form survives a round trip, and sloppy typing (lower case,
// spaces, no hyphens) still finds the number.

import { Mod1271_36, Mod37_36 } from '@konfirm/iso7064';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EnrollmentNumber, formatEnrollmentNumber, MAX_DAILY_SEQUENCE, parseEnrollmentNumber, type EnrollmentNumberParts,
} from '../../../protocol/enrollment-number.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const compact = (number: string) => number.replace(/-/g, '');

/** Every number one mistyped character away from `number` (compact form). */
function substitutions(number: string): string[] {
  const text = compact(number);
  return [...text].flatMap((original, i) =>
    [...ALPHABET].filter((c) => c !== original).map((c) => text.slice(0, i) + c + text.slice(i + 1)));
}

/** Every number with two different neighbours of `number` swapped (compact form). */
function neighbourSwaps(number: string): string[] {
  const text = compact(number);
  return [...text.slice(1)].flatMap((next, i) =>
    (next === text[i] ? [] : [text.slice(0, i) + next + text[i] + text.slice(i + 2)]));
}

const parts = fc.record({
  kioskCode: fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 4, maxLength: 4 }),
  day: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 6 }),
  sequence: fc.integer({ min: 1, max: MAX_DAILY_SEQUENCE }),
});

describe('enrollment numbers', () => {
  const examples: EnrollmentNumberParts[] = [
    { kioskCode: 'K00A', day: '261206', sequence: 42 },
    { kioskCode: '0001', day: '250301', sequence: 1 },
    { kioskCode: 'ZZZZ', day: '991231', sequence: MAX_DAILY_SEQUENCE },
    { kioskCode: '7QX2', day: '260229', sequence: 4500 },
    { kioskCode: 'K00A', day: '250301', sequence: 45 },
  ];

  it('are written in groups with two check characters', () => {
    expect(formatEnrollmentNumber(examples[0]!)).toBe('K00A-261206-0042-N6');
    for (const example of examples) expect(formatEnrollmentNumber(example)).toMatch(/^[0-9A-Z]{4}-\d{6}-\d{4}-[0-9A-Z]{2}$/);
  });

  it('catch every single mistyped character, exhaustively over the alphabet', () => {
    for (const example of examples) {
      const number = formatEnrollmentNumber(example);
      const typos = substitutions(number);
      expect(typos).toHaveLength(16 * 35);
      for (const typo of typos) expect(parseEnrollmentNumber(typo), typo).toMatchObject({ ok: false });
    }
  });

  it('catch every swap of two neighbours, the check characters included', () => {
    for (const example of examples) {
      for (const swap of neighbourSwaps(formatEnrollmentNumber(example))) expect(parseEnrollmentNumber(swap), swap).toMatchObject({ ok: false });
    }
  });

  it('catch every mistyped character and neighbour swap of any number', () => {
    fc.assert(fc.property(parts, (generated) => {
      const number = formatEnrollmentNumber(generated);
      return [...substitutions(number), ...neighbourSwaps(number)].every((wrong) => !parseEnrollmentNumber(wrong).ok);
    }), { numRuns: 300 });
  });

  it('need two check characters: the single-character MOD 37,36 lets a swapped sequence pass', () => {
    expect(Mod37_36.checksum('K00A2503010045')).toBe(Mod37_36.checksum('K00A2503010054'));
    expect(parseEnrollmentNumber('K00A-250301-0054-' + compact(formatEnrollmentNumber(examples[4]!)).slice(14))).toMatchObject({ ok: false });
  });

  it('survive a round trip through their written form', () => {
    fc.assert(fc.property(parts, (generated) => {
      const number = formatEnrollmentNumber(generated);
      expect(parseEnrollmentNumber(number)).toEqual({ ok: true, number, parts: generated });
      expect(EnrollmentNumber.safeParse(number).success).toBe(true);
    }));
  });

  it('are found however a person types them: lower case, spaces, no hyphens', () => {
    const number = 'K00A-261206-0042-N6';
    for (const typed of ['k00a-261206-0042-n6', 'K00A2612060042N6', ' k00a 261206 0042 n6 ', 'K00A-2612060042-N6', 'k00a261206-0042n6']) {
      expect(parseEnrollmentNumber(typed), typed).toMatchObject({ ok: true, number, parts: { kioskCode: 'K00A', day: '261206', sequence: 42 } });
    }
  });

  it('say whether a typed text is no number at all or a mistyped one', () => {
    for (const text of ['', 'K00A-261206-0042', 'K00A-261206-00421-N6', 'K00A-26120X-0042-N6', 'K00A_261206_0042_N6', 'K00A-261206-0042-N6X']) {
      expect(parseEnrollmentNumber(text), text).toMatchObject({ ok: false, code: 'NUMBER_MALFORMED' });
    }
    expect(parseEnrollmentNumber('K00A-261206-0043-N6')).toMatchObject({ ok: false, code: 'NUMBER_CHECK_FAILED', message: expect.stringContaining('mistyped') });
    expect(parseEnrollmentNumber(Mod1271_36.generate('K00A2612060000'))).toMatchObject({ ok: false, code: 'NUMBER_MALFORMED' });
  });

  it('refuse parts that make no number', () => {
    for (const bad of [
      { kioskCode: 'k00a', day: '261206', sequence: 1 },
      { kioskCode: 'K00', day: '261206', sequence: 1 },
      { kioskCode: 'K00A', day: '26126', sequence: 1 },
      { kioskCode: 'K00A', day: '261206', sequence: 0 },
      { kioskCode: 'K00A', day: '261206', sequence: MAX_DAILY_SEQUENCE + 1 },
      { kioskCode: 'K00A', day: '261206', sequence: 1.5 },
    ]) {
      expect(() => formatEnrollmentNumber(bad), JSON.stringify(bad)).toThrow(RangeError);
    }
  });

  it('travel on the wire only in their written form', () => {
    expect(EnrollmentNumber.safeParse('K00A-261206-0042-N6').success).toBe(true);
    for (const text of ['k00a-261206-0042-n6', 'K00A2612060042N6', 'K00A-261206-0043-N6', 'K00A-261206-0042-N']) {
      expect(EnrollmentNumber.safeParse(text).success, text).toBe(false);
    }
  });
});
