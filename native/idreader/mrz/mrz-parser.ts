// Reads an ICAO Doc 9303 MRZ (TD1, TD2, TD3, MRV-A, MRV-B) into fields with every check
// reported on its own: `valid` means every check digit holds for the lines as read, while
// state codes, dates, sex and expiry are separate checks, and an OCR fix is only offered.

import { isoToday, resolveBirthDate, resolveExpiryDate } from './mrz-dates.js';
import { detectMrzFormat, normaliseMrzLines } from './mrz-input.js';
import {
  checkDigitHolds,
  locateMrz,
  MRZ_LAYOUTS,
  spansText,
  spanText,
  type LocatedMrz,
  type MrzLayout,
  type Span,
} from './mrz-layout.js';
import { parseMrzName } from './mrz-name.js';
import type {
  MrzCheckName,
  MrzChecks,
  MrzFieldValues,
  MrzFields,
  MrzFormat,
  MrzProblem,
  MrzResult,
  MrzSex,
  MrzZoneName,
} from './mrz-result.js';
import { findOcrCorrection } from './ocr-correction.js';
import { isKnownStateCode } from './state-codes.js';

export interface ParseMrzOptions {
  /** The moment dates are judged against (century, expiry); defaults to the current time. */
  now?: Date;
}

const DOCUMENT_CODE_FIRST: Readonly<Record<MrzFormat, string>> = {
  TD1: 'ACI',
  TD2: 'ACI',
  TD3: 'P',
  MRVA: 'V',
  MRVB: 'V',
};

/** Doc 9303 writes unspecified as '<'; 'X', as printed in the visual zone, is read the same way. */
const SEX: Readonly<Record<string, MrzSex>> = { M: 'M', F: 'F', '<': 'X', X: 'X' };

const PROBLEMS: Readonly<Record<MrzCheckName, { fields: (keyof MrzFieldValues)[]; message: string }>> = {
  documentNumber: { fields: ['documentNumber'], message: 'The document number does not match its check digit.' },
  birthDate: { fields: ['birthDate'], message: 'The birth date does not match its check digit.' },
  expiryDate: { fields: ['expiryDate'], message: 'The expiry date does not match its check digit.' },
  optionalData: { fields: ['optionalData'], message: 'The personal number does not match its check digit.' },
  composite: {
    fields: ['documentNumber', 'birthDate', 'expiryDate', 'optionalData', 'optionalData2'],
    message: 'The composite check digit does not match.',
  },
  documentCodeValid: { fields: ['documentCode'], message: 'The document code does not belong to this MRZ format.' },
  issuingStateKnown: { fields: ['issuingState'], message: 'The issuing state is not a known ICAO/ISO 3166 code.' },
  nationalityKnown: { fields: ['nationality'], message: 'The nationality is not a known ICAO/ISO 3166 code.' },
  birthDateValid: { fields: ['birthDate'], message: 'The birth date is not a complete calendar date.' },
  expiryDateValid: { fields: ['expiryDate'], message: 'The expiry date is not a complete calendar date.' },
  sexValid: { fields: ['sex'], message: 'The sex is not M, F or <.' },
  notExpired: { fields: ['expiryDate'], message: 'The document has expired.' },
};

const withoutFillers = (s: string): string => s.replace(/<+$/, '');

function readFields(layout: MrzLayout, located: LocatedMrz, lines: readonly string[], now: Date): MrzFields {
  const at = (s: Span) => spanText(lines, s);
  const zone = (name: MrzZoneName) => spansText(lines, located.zones.find((z) => z.name === name)?.spans ?? []);
  const name = parseMrzName(at(layout.name));
  const birthDate = at(layout.birthDate);
  const expiryDate = at(layout.expiryDate);
  return {
    documentCode: withoutFillers(at(layout.documentCode)),
    issuingState: withoutFillers(at(layout.issuingState)),
    documentNumber: withoutFillers(zone('documentNumber')),
    nationality: withoutFillers(at(layout.nationality)),
    birthDate,
    birthDateIso: resolveBirthDate(birthDate, now),
    sex: SEX[at(layout.sex)] ?? null,
    expiryDate,
    expiryDateIso: resolveExpiryDate(expiryDate, now),
    surname: name.surname,
    givenNames: name.givenNames,
    nameTruncated: name.truncated,
    optionalData: withoutFillers(zone('optionalData')),
    optionalData2: withoutFillers(zone('optionalData2')),
  };
}

function readMrz(format: MrzFormat, lines: string[], now: Date): MrzResult {
  const layout = MRZ_LAYOUTS[format];
  const located = locateMrz(layout, lines);
  const fields = readFields(layout, located, lines, now);
  const checkDigits = Object.fromEntries(located.sites.map((site) => [site.check, checkDigitHolds(lines, site)]));
  const code = spanText(lines, layout.documentCode);
  const checks: MrzChecks = {
    documentNumber: checkDigits.documentNumber,
    birthDate: checkDigits.birthDate,
    expiryDate: checkDigits.expiryDate,
    ...checkDigits,
    documentCodeValid: DOCUMENT_CODE_FIRST[format].includes(code[0]) && /^[A-Z<]$/.test(code[1]),
    issuingStateKnown: isKnownStateCode(fields.issuingState),
    nationalityKnown: isKnownStateCode(fields.nationality),
    birthDateValid: fields.birthDateIso !== null,
    expiryDateValid: fields.expiryDateIso !== null,
    sexValid: fields.sex !== null,
    notExpired: fields.expiryDateIso !== null && fields.expiryDateIso >= isoToday(now),
  };
  const problems: MrzProblem[] = (Object.keys(checks) as MrzCheckName[])
    .filter((check) => !checks[check])
    .map((check) => ({
      check,
      fields: PROBLEMS[check].fields.filter((f) => f !== 'optionalData2' || layout.optionalData2 !== null),
      message: PROBLEMS[check].message,
    }));
  return {
    format,
    lines,
    fields,
    checks,
    valid: Object.values(checkDigits).every(Boolean),
    problems,
    corrections: [],
    corrected: null,
  };
}

/**
 * Parses MRZ lines (an array, or one string with line breaks). Throws DeviceError
 * MRZ_EMPTY, MRZ_BAD_CHARACTER or MRZ_BAD_LENGTH when the text is not an MRZ at all;
 * everything wrong inside a well-formed MRZ is reported in `checks` and `problems`.
 */
export function parseMrz(input: string | readonly string[], options: ParseMrzOptions = {}): MrzResult {
  const now = options.now ?? new Date();
  const lines = normaliseMrzLines(input);
  const format = detectMrzFormat(lines);
  const result = readMrz(format, lines, now);
  const fix = result.valid ? null : findOcrCorrection(MRZ_LAYOUTS[format], lines);
  return fix ? { ...result, corrections: fix.corrections, corrected: readMrz(format, fix.lines, now) } : result;
}
