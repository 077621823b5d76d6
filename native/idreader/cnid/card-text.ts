// The 256-byte text block of a Chinese second-generation resident ID card: UCS-2LE,
// space-padded fields at fixed offsets. Parses it with per-field checks (ID number per
// GB 11643, dates, codes) and encodes it back for the simulator and tests.

import { DeviceError } from '../../device-error.js';
import { ETHNIC_GROUPS, type EthnicGroup } from './ethnic-groups.js';

export interface CnidCardText {
  readonly name: string;
  /** GB/T 2261.1: '1' male, '2' female, '0' not known, '9' not stated. */
  readonly sexCode: string;
  /** GB/T 3304, e.g. '01' Han. */
  readonly ethnicityCode: string;
  /** YYYYMMDD */
  readonly birthDate: string;
  readonly address: string;
  readonly idNumber: string;
  readonly issuingAuthority: string;
  /** YYYYMMDD */
  readonly validFrom: string;
  /** YYYYMMDD, or LONG_TERM */
  readonly validTo: string;
}

export type CnidTextField = keyof CnidCardText;
export type CnidSex = 'male' | 'female' | 'not-known' | 'not-stated';

export interface ParsedCardText {
  readonly text: CnidCardText;
  readonly sex: CnidSex | undefined;
  readonly ethnicity: EthnicGroup | undefined;
  /** validTo is 长期: the card does not expire. */
  readonly longTermValidity: boolean;
  /** What is wrong with each field that failed a check; the messages never quote the field. */
  readonly problems: Readonly<Partial<Record<CnidTextField, string>>>;
  readonly valid: boolean;
}

export const CARD_TEXT_LENGTH = 256;
export const LONG_TERM = '长期';

/** Field widths in bytes, in card order; the block ends with 36 reserved bytes. */
const LAYOUT: ReadonlyArray<readonly [CnidTextField | 'reserved', number]> = [
  ['name', 30], ['sexCode', 2], ['ethnicityCode', 4], ['birthDate', 16], ['address', 70], ['idNumber', 36],
  ['issuingAuthority', 30], ['validFrom', 16], ['validTo', 16], ['reserved', 36],
];

const SEXES: ReadonlyMap<string, CnidSex> = new Map([
  ['0', 'not-known'], ['1', 'male'], ['2', 'female'], ['9', 'not-stated'],
]);

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARACTERS = '10X98765432';

/** GB 11643 / ISO 7064 MOD 11-2 check character for the first 17 digits. */
export function idNumberCheckCharacter(first17: string): string {
  const sum = ID_WEIGHTS.reduce((total, weight, index) => total + weight * Number(first17[index]), 0);
  return ID_CHECK_CHARACTERS[sum % 11] as string;
}

/** What is wrong with an 18-character ID number, or undefined when it is well-formed. */
export function idNumberProblem(idNumber: string): string | undefined {
  if (!/^\d{17}[\dX]$/.test(idNumber)) return 'must be 17 digits and a check character (digit or X)';
  if (!isCalendarDate(idNumber.slice(6, 14))) return 'embedded birth date is not a calendar date';
  if (idNumberCheckCharacter(idNumber) !== idNumber[17]) return 'check character does not match (mistyped or forged)';
  return undefined;
}

/** YYYYMMDD naming a real day. */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function parseCardText(block: Uint8Array): ParsedCardText {
  if (block.length !== CARD_TEXT_LENGTH) {
    throw new DeviceError('CNID_TEXT_LENGTH',
      `The card text block has ${block.length} bytes instead of ${CARD_TEXT_LENGTH}; the reader's reply is damaged.`,
      { length: block.length });
  }
  const fields: Partial<Record<CnidTextField, string>> = {};
  let offset = 0;
  for (const [field, width] of LAYOUT) {
    const value = Buffer.from(block.subarray(offset, offset + width)).toString('utf16le').replace(/[ \0]+$/, '');
    if (field !== 'reserved') fields[field] = value;
    offset += width;
  }
  const text = fields as CnidCardText;
  const problems = checkCardText(text);
  return {
    text,
    sex: SEXES.get(text.sexCode),
    ethnicity: ETHNIC_GROUPS.get(text.ethnicityCode),
    longTermValidity: text.validTo === LONG_TERM,
    problems,
    valid: Object.keys(problems).length === 0,
  };
}

export function encodeCardText(text: CnidCardText): Uint8Array {
  const block = Buffer.alloc(CARD_TEXT_LENGTH);
  let offset = 0;
  for (const [field, width] of LAYOUT) {
    const value = field === 'reserved' ? '' : text[field];
    if (value.length * 2 > width) {
      throw new DeviceError('CNID_FIELD_TOO_LONG',
        `The card field "${field}" holds at most ${width / 2} characters, got ${value.length}.`, { field, width });
    }
    block.write(value.padEnd(width / 2, ' '), offset, width, 'utf16le');
    offset += width;
  }
  return Uint8Array.from(block);
}

function checkCardText(text: CnidCardText): Partial<Record<CnidTextField, string>> {
  const problems: Partial<Record<CnidTextField, string>> = {};
  const required: CnidTextField[] = ['name', 'address', 'issuingAuthority'];
  for (const field of required) if (text[field] === '') problems[field] = 'is empty';
  if (!SEXES.has(text.sexCode)) problems.sexCode = 'is not a GB/T 2261.1 code (0, 1, 2 or 9)';
  if (!ETHNIC_GROUPS.has(text.ethnicityCode)) problems.ethnicityCode = 'is not a GB/T 3304 ethnicity code';
  if (!isCalendarDate(text.birthDate)) problems.birthDate = 'is not a date (YYYYMMDD)';
  if (!isCalendarDate(text.validFrom)) problems.validFrom = 'is not a date (YYYYMMDD)';
  if (text.validTo !== LONG_TERM) {
    if (!isCalendarDate(text.validTo)) problems.validTo = 'is neither a date nor 长期';
    else if (!problems.validFrom && text.validTo < text.validFrom) problems.validTo = 'is before the start of validity';
  }
  const idProblem = idNumberProblem(text.idNumber);
  if (idProblem) {
    problems.idNumber = idProblem;
  } else if (text.idNumber.slice(6, 14) !== text.birthDate) {
    problems.idNumber = 'embedded birth date differs from the birth date field';
  } else if ((text.sexCode === '1' || text.sexCode === '2')
    && Number(text.idNumber[16]) % 2 !== (text.sexCode === '1' ? 1 : 0)) {
    problems.sexCode = 'differs from the sex encoded in the ID number (odd 17th digit = male)';
  }
  return problems;
}
