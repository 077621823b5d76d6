// The Doc 9303 check digit (part 3, 4.9): every protected MRZ field carries one, and both
// parsing and generating an MRZ need the same arithmetic over the MRZ alphabet.

import { DeviceError } from '../../device-error.js';

const WEIGHTS = [7, 3, 1] as const;

/** Value of one MRZ character in the check-digit sum: 0–9 as is, A–Z = 10–35, '<' = 0. */
export function mrzCharValue(char: string): number {
  if (char === '<') return 0;
  const code = char.charCodeAt(0);
  if (char.length === 1 && code >= 48 && code <= 57) return code - 48;
  if (char.length === 1 && code >= 65 && code <= 90) return code - 55;
  throw new DeviceError('MRZ_BAD_CHARACTER', 'A check digit can only be computed over A–Z, 0–9 and <.', {
    codePoint: formatCodePoint(char),
  });
}

/** Check digit over `s`: weights 7, 3, 1 repeating, sum modulo 10. */
export function checkDigit(s: string): number {
  let sum = 0;
  for (let i = 0; i < s.length; i += 1) sum += mrzCharValue(s[i]) * WEIGHTS[i % 3];
  return sum % 10;
}

/** "U+0020"-style name of a character, so messages never echo document content. */
export function formatCodePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
