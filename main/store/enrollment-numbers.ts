// Handing out enrollment numbers: the kiosk's code, its calendar day and the next value of that
// day's counter, advanced inside the transaction that seals the record, so a number is given
// once and only to a record that was sealed (a rolled-back sealing gives its number back).
import { formatEnrollmentNumber, MAX_DAILY_SEQUENCE } from '../../protocol/enrollment-number.js';
import { GatehouseError } from '../errors.js';
import type { Db } from './database.js';

/** The kiosk's calendar day (its own clock and time zone), YYMMDD, as people there read dates. */
export function kioskDay(now: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(now.getFullYear() % 100)}${two(now.getMonth() + 1)}${two(now.getDate())}`;
}

/** The next number for `now`'s day; call inside the sealing transaction. */
export function nextEnrollmentNumber(db: Db, kioskCode: string, now: Date): string {
  const day = kioskDay(now);
  const { last } = db.prepare(`INSERT INTO enrollment_sequences (day, last) VALUES (?, 1)
    ON CONFLICT (day) DO UPDATE SET last = last + 1 WHERE last < ? RETURNING last`).get(day, MAX_DAILY_SEQUENCE) as { last: number } | undefined
    ?? { last: 0 };
  if (last === 0) {
    throw new GatehouseError('ENROLLMENT_NUMBERS_EXHAUSTED', `This kiosk has given out all ${MAX_DAILY_SEQUENCE} enrollment numbers of today; enroll again tomorrow or at another kiosk.`);
  }
  return formatEnrollmentNumber({ kioskCode, day, sequence: last });
}
