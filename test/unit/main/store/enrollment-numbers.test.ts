// Enrollment numbers against an in-memory store: each day's numbers count up from 0001 under
// the kiosk's code (with check characters that hold), a new day starts at 0001 again while an
// earlier day keeps its count, the 9999th of a day is the last (then ENROLLMENT_NUMBERS_EXHAUSTED,
// counting nothing), a rolled-back sealing transaction gives its number back, and the day is
// the kiosk's local calendar day (shown under time zones on either side of UTC).

import { afterEach, describe, expect, it } from 'vitest';
import { parseEnrollmentNumber } from '../../../../protocol/enrollment-number.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';
import { kioskDay, nextEnrollmentNumber } from '../../../../main/store/enrollment-numbers.js';

const CODE = 'K00A';
const DAY_1 = new Date(2026, 2, 1, 9, 30); // local time: 1 March 2026
const DAY_2 = new Date(2026, 2, 2, 8, 0);

/** The parts of a number, its check characters checked. */
function partsOf(number: string) {
  const parsed = parseEnrollmentNumber(number);
  if (!parsed.ok) throw new Error(`${number}: ${parsed.message}`);
  expect(parsed.number).toBe(number);
  return parsed.parts;
}

const sequences = (db: Db) => db.prepare('SELECT day, last FROM enrollment_sequences ORDER BY day').all();

describe('nextEnrollmentNumber', () => {
  it('counts up from 0001 within a day, under the kiosk\'s code', () => {
    const db = openDatabase(':memory:');
    const numbers = [0, 1, 2].map(() => nextEnrollmentNumber(db, CODE, DAY_1));
    expect(numbers.map((number) => number.slice(0, 16))).toEqual(['K00A-260301-0001', 'K00A-260301-0002', 'K00A-260301-0003']);
    expect(numbers.map(partsOf)).toEqual([1, 2, 3].map((sequence) => ({ kioskCode: CODE, day: '260301', sequence })));
  });

  it('starts again at 0001 on a new day, and keeps the earlier day\'s count', () => {
    const db = openDatabase(':memory:');
    nextEnrollmentNumber(db, CODE, DAY_1);
    nextEnrollmentNumber(db, CODE, DAY_1);
    expect(partsOf(nextEnrollmentNumber(db, CODE, DAY_2))).toMatchObject({ day: '260302', sequence: 1 });
    expect(partsOf(nextEnrollmentNumber(db, CODE, DAY_1))).toMatchObject({ day: '260301', sequence: 3 });
    expect(sequences(db)).toEqual([{ day: '260301', last: 3 }, { day: '260302', last: 1 }]);
  });

  it('gives out 9999 different numbers a day, then refuses with ENROLLMENT_NUMBERS_EXHAUSTED', () => {
    const db = openDatabase(':memory:');
    const numbers = Array.from({ length: 9999 }, () => nextEnrollmentNumber(db, CODE, DAY_1));
    expect(new Set(numbers).size).toBe(9999);
    expect(partsOf(numbers.at(-1)!)).toEqual({ kioskCode: CODE, day: '260301', sequence: 9999 });
    for (let i = 0; i < 2; i += 1) {
      expect(() => nextEnrollmentNumber(db, CODE, DAY_1)).toThrow(expect.objectContaining({
        name: 'GatehouseError', code: 'ENROLLMENT_NUMBERS_EXHAUSTED', message: expect.stringContaining('9999'),
      }));
    }
    expect(sequences(db)).toEqual([{ day: '260301', last: 9999 }]);
    expect(partsOf(nextEnrollmentNumber(db, CODE, DAY_2)).sequence).toBe(1);
  });

  it('gives a rolled-back transaction\'s number back', () => {
    const db = openDatabase(':memory:');
    const first = nextEnrollmentNumber(db, CODE, DAY_1);
    let taken = '';
    expect(() => db.transaction(() => {
      taken = nextEnrollmentNumber(db, CODE, DAY_1);
      throw new Error('sealing failed');
    })()).toThrow('sealing failed');
    expect(partsOf(taken).sequence).toBe(2);
    expect(nextEnrollmentNumber(db, CODE, DAY_1)).toBe(taken);
    expect(partsOf(first).sequence).toBe(1);
    // A new day's first number, rolled back, leaves no row for that day.
    expect(() => db.transaction(() => {
      nextEnrollmentNumber(db, CODE, DAY_2);
      throw new Error('sealing failed');
    })()).toThrow('sealing failed');
    expect(sequences(db)).toEqual([{ day: '260301', last: 2 }]);
  });
});

describe('kioskDay', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('is the local calendar day, YYMMDD', () => {
    expect(kioskDay(new Date(2026, 0, 5, 0, 0))).toBe('260105');
    expect(kioskDay(new Date(2026, 11, 31, 23, 59, 59))).toBe('261231');
    expect(kioskDay(new Date(2031, 6, 9, 12))).toBe('310709');
  });

  it.each([
    ['Pacific/Auckland', '2026-03-01T12:30:00Z', '260302'], // already the next morning there
    ['America/Los_Angeles', '2026-03-01T05:00:00Z', '260228'], // still the evening before there
    ['UTC', '2026-03-01T05:00:00Z', '260301'],
  ])('follows the kiosk\'s time zone (%s), not UTC', (timeZone, instant, day) => {
    process.env.TZ = timeZone;
    expect(kioskDay(new Date(instant))).toBe(day);
  });

  it('numbers a record sealed just after local midnight with the new day', () => {
    process.env.TZ = 'Europe/Berlin';
    const db = openDatabase(':memory:');
    expect(partsOf(nextEnrollmentNumber(db, CODE, new Date('2026-02-28T22:59:59Z'))).day).toBe('260228');
    expect(partsOf(nextEnrollmentNumber(db, CODE, new Date('2026-02-28T23:00:00Z')))).toMatchObject({ day: '260301', sequence: 1 });
  });
});
