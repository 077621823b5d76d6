// Enrollment numbers, which a person reads out, types and finds on their slip: the kiosk's
// code (four letters or digits, assigned by the authority when the kiosk registers, so no two
// kiosks share one), the kiosk's calendar date (YYMMDD), the kiosk's sequence for that day, and
// a pair of ISO/IEC 7064 MOD 1271-36 check characters. In that pure system a mistyped character
// or a swap of two neighbours always changes the weighted sum modulo 1271, so every such error is
// caught; the single-character hybrid MOD 37,36 misses about one neighbour swap in 250 (the unit
// tests show one), which is why the number ends in two characters. Written in groups:
// K00A-261206-0042-N6.
import { Mod1271_36 } from '@konfirm/iso7064';
import { z } from 'zod';
import type { Checked } from './protocol-error.js';

export const KioskCode = z.string().regex(/^[0-9A-Z]{4}$/, 'a kiosk code is 4 capital letters or digits');

const SHAPE = /^([0-9A-Z]{4})(\d{6})(\d{4})([0-9A-Z]{2})$/;
/** The largest sequence a kiosk gives out in one day. */
export const MAX_DAILY_SEQUENCE = 9999;

export interface EnrollmentNumberParts {
  kioskCode: string;
  /** The kiosk's calendar day, YYMMDD. */
  day: string;
  sequence: number;
}

/** The number in its written form, check characters appended. */
export function formatEnrollmentNumber({ kioskCode, day, sequence }: EnrollmentNumberParts): string {
  if (!KioskCode.safeParse(kioskCode).success || !/^\d{6}$/.test(day) || !Number.isInteger(sequence) || sequence < 1 || sequence > MAX_DAILY_SEQUENCE) {
    throw new RangeError(`no enrollment number for kiosk ${kioskCode}, day ${day}, sequence ${sequence}`);
  }
  const body = `${kioskCode}${day}${String(sequence).padStart(4, '0')}`;
  const check = Mod1271_36.checksum(body);
  return `${body.slice(0, 4)}-${body.slice(4, 10)}-${body.slice(10)}-${check}`;
}

export type NumberRefusal = 'NUMBER_MALFORMED' | 'NUMBER_CHECK_FAILED';

/**
 * Reads a number as a person may type it (any case, with or without the hyphens and spaces);
 * returns its written form and parts, or why it is not one.
 */
export function parseEnrollmentNumber(text: string): Checked<NumberRefusal, { number: string; parts: EnrollmentNumberParts }> {
  const compact = text.toUpperCase().replace(/[\s-]/g, '');
  const match = SHAPE.exec(compact);
  if (!match) {
    return { ok: false, code: 'NUMBER_MALFORMED', message: 'An enrollment number looks like K00A-261206-0042-N6: 4 letters or digits, 6 digits, 4 digits, 2 check characters.' };
  }
  if (!Mod1271_36.validate(compact)) {
    return { ok: false, code: 'NUMBER_CHECK_FAILED', message: 'The check characters do not fit: a character of the number was mistyped, or two were swapped.' };
  }
  const parts = { kioskCode: match[1]!, day: match[2]!, sequence: Number(match[3]) };
  if (parts.sequence < 1) {
    return { ok: false, code: 'NUMBER_MALFORMED', message: 'An enrollment number never has sequence 0000.' };
  }
  return { ok: true, number: formatEnrollmentNumber(parts), parts };
}

/** An enrollment number in its written form with check characters that hold. */
export const EnrollmentNumber = z.string()
  .regex(/^[0-9A-Z]{4}-\d{6}-\d{4}-[0-9A-Z]{2}$/, 'an enrollment number is written K00A-261206-0042-N6')
  .refine((text) => parseEnrollmentNumber(text).ok, 'the check characters of the enrollment number do not fit');
