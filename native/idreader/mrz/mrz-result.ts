// The shapes a parsed MRZ is reported in, shared by the parser, the formatter, the OCR
// corrector and their callers (reader drivers, simulators, the CLI).

/** The five Doc 9303 layouts: ID cards (TD1, TD2), passports (TD3) and visas (MRV-A, MRV-B). */
export type MrzFormat = 'TD1' | 'TD2' | 'TD3' | 'MRVA' | 'MRVB';

/** 'X' is unspecified, written '<' in the MRZ. */
export type MrzSex = 'M' | 'F' | 'X';

/** What an MRZ says about the holder and the document, as the formatter takes it. */
export interface MrzFieldValues {
  /** "P", "I", "ID", "V", … with fillers removed. */
  documentCode: string;
  /** Fillers removed: "D", "UTO". */
  issuingState: string;
  /** Fillers removed; for TD1/TD2 the whole number even where it overflows (part 5, part 6). */
  documentNumber: string;
  nationality: string;
  /** YYMMDD as printed; '<' where the date is unknown. */
  birthDate: string;
  sex: MrzSex;
  expiryDate: string;
  /** Primary identifier, words separated by single spaces. */
  surname: string;
  /** Secondary identifier, words separated by single spaces. */
  givenNames: string;
  /** TD3: personal number; TD1: line 1 optional data; others: optional data. Trailing fillers removed. */
  optionalData: string;
  /** TD1 line 2 optional data; '' in every other format. */
  optionalData2: string;
}

/** What the parser reads; a field it cannot interpret is null and flagged in `checks`. */
export interface MrzFields extends Omit<MrzFieldValues, 'sex'> {
  sex: MrzSex | null;
  /** YYYY-MM-DD with the century resolved, or null when not a calendar date. */
  birthDateIso: string | null;
  expiryDateIso: string | null;
  /**
   * The name fills its field to the last position: how Doc 9303 marks a truncated name
   * (a name that fits exactly looks the same).
   */
  nameTruncated: boolean;
}

/** The check digits; `optionalData` is TD3 only, `composite` TD1, TD2 and TD3 only. */
export type MrzCheckDigitName = 'documentNumber' | 'birthDate' | 'expiryDate' | 'optionalData' | 'composite';

/** Field checks that do not affect `valid`. */
export type MrzFieldCheckName =
  | 'documentCodeValid'
  | 'issuingStateKnown'
  | 'nationalityKnown'
  | 'birthDateValid'
  | 'expiryDateValid'
  | 'sexValid'
  | 'notExpired';

export type MrzCheckName = MrzCheckDigitName | MrzFieldCheckName;

export type MrzChecks = Record<Exclude<MrzCheckName, 'optionalData' | 'composite'>, boolean> &
  Partial<Record<'optionalData' | 'composite', boolean>>;

/** One failed check, the fields it concerns and a message safe to show (no document data). */
export interface MrzProblem {
  check: MrzCheckName;
  fields: (keyof MrzFieldValues)[];
  message: string;
}

/** Every named stretch of an MRZ that a check digit covers. */
export type MrzZoneName =
  | 'documentNumber'
  | 'documentNumberCheckDigit'
  | 'birthDate'
  | 'birthDateCheckDigit'
  | 'expiryDate'
  | 'expiryDateCheckDigit'
  | 'optionalData'
  | 'optionalDataCheckDigit'
  | 'optionalData2'
  | 'compositeCheckDigit';

/** One OCR substitution; `line` and `column` count from 1 as Doc 9303 does. */
export interface MrzCorrection {
  field: MrzZoneName;
  line: number;
  column: number;
  from: string;
  to: string;
}

export interface MrzResult {
  format: MrzFormat;
  /** The lines as parsed (trimmed, upper-cased). */
  lines: string[];
  fields: MrzFields;
  checks: MrzChecks;
  /** Every check digit of the format holds for the lines as read. */
  valid: boolean;
  problems: MrzProblem[];
  /** The substitutions behind `corrected`; empty when there is none. */
  corrections: MrzCorrection[];
  /** The parse after the one OCR correction that makes every check digit hold, if exactly one does. */
  corrected: MrzResult | null;
}
