// The MRZ package's public face: parse what a reader saw, write lines for simulators and
// tests, and the check digit itself. Everything else in this folder is internal.

export { checkDigit } from './check-digit.js';
export { EXPIRY_YEARS_AHEAD } from './mrz-dates.js';
export { formatMrz } from './mrz-formatter.js';
export { parseMrz, type ParseMrzOptions } from './mrz-parser.js';
export type {
  MrzCheckDigitName,
  MrzCheckName,
  MrzChecks,
  MrzCorrection,
  MrzFieldCheckName,
  MrzFieldValues,
  MrzFields,
  MrzFormat,
  MrzProblem,
  MrzResult,
  MrzSex,
  MrzZoneName,
} from './mrz-result.js';
