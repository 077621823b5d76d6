// Where every field and check digit sits in each Doc 9303 layout (parts 4–7), and which
// characters each check digit covers once an overflowing TD1/TD2 document number is
// followed into the optional data. Parser, formatter and OCR corrector all read this.

import { checkDigit } from './check-digit.js';
import type { MrzCheckDigitName, MrzFormat, MrzZoneName } from './mrz-result.js';

/** Characters `start` (inclusive) to `end` (exclusive) of line `line`, all counted from 0. */
export interface Span {
  line: number;
  start: number;
  end: number;
}

export interface MrzLayout {
  format: MrzFormat;
  lineCount: number;
  lineLength: number;
  documentCode: Span;
  issuingState: Span;
  name: Span;
  documentNumber: Span;
  documentNumberCheckDigit: Span;
  nationality: Span;
  birthDate: Span;
  birthDateCheckDigit: Span;
  sex: Span;
  expiryDate: Span;
  expiryDateCheckDigit: Span;
  optionalData: Span;
  optionalDataCheckDigit: Span | null;
  optionalData2: Span | null;
  composite: { over: Span[]; digit: Span } | null;
  /** TD1, TD2: a number longer than 9 continues in the optional data; its check digit position holds '<'. */
  documentNumberOverflows: boolean;
}

const span = (line: number, start: number, end: number): Span => ({ line, start, end });

const TD1: MrzLayout = {
  format: 'TD1',
  lineCount: 3,
  lineLength: 30,
  documentCode: span(0, 0, 2),
  issuingState: span(0, 2, 5),
  documentNumber: span(0, 5, 14),
  documentNumberCheckDigit: span(0, 14, 15),
  optionalData: span(0, 15, 30),
  optionalDataCheckDigit: null,
  birthDate: span(1, 0, 6),
  birthDateCheckDigit: span(1, 6, 7),
  sex: span(1, 7, 8),
  expiryDate: span(1, 8, 14),
  expiryDateCheckDigit: span(1, 14, 15),
  nationality: span(1, 15, 18),
  optionalData2: span(1, 18, 29),
  composite: { over: [span(0, 5, 30), span(1, 0, 7), span(1, 8, 15), span(1, 18, 29)], digit: span(1, 29, 30) },
  name: span(2, 0, 30),
  documentNumberOverflows: true,
};

/** TD2, TD3, MRV-A and MRV-B share one shape: name on line 1, data on line 2. */
function twoLineLayout(
  format: MrzFormat,
  lineLength: number,
  parts: { composite: boolean; optionalDataCheckDigit: boolean; documentNumberOverflows: boolean },
): MrzLayout {
  const compositeAt = lineLength - 1;
  const optionalEnd = lineLength - (parts.composite ? 1 : 0) - (parts.optionalDataCheckDigit ? 1 : 0);
  return {
    format,
    lineCount: 2,
    lineLength,
    documentCode: span(0, 0, 2),
    issuingState: span(0, 2, 5),
    name: span(0, 5, lineLength),
    documentNumber: span(1, 0, 9),
    documentNumberCheckDigit: span(1, 9, 10),
    nationality: span(1, 10, 13),
    birthDate: span(1, 13, 19),
    birthDateCheckDigit: span(1, 19, 20),
    sex: span(1, 20, 21),
    expiryDate: span(1, 21, 27),
    expiryDateCheckDigit: span(1, 27, 28),
    optionalData: span(1, 28, optionalEnd),
    optionalDataCheckDigit: parts.optionalDataCheckDigit ? span(1, optionalEnd, optionalEnd + 1) : null,
    optionalData2: null,
    composite: parts.composite
      ? { over: [span(1, 0, 10), span(1, 13, 20), span(1, 21, compositeAt)], digit: span(1, compositeAt, lineLength) }
      : null,
    documentNumberOverflows: parts.documentNumberOverflows,
  };
}

export const MRZ_LAYOUTS: Readonly<Record<MrzFormat, MrzLayout>> = {
  TD1,
  TD2: twoLineLayout('TD2', 36, { composite: true, optionalDataCheckDigit: false, documentNumberOverflows: true }),
  TD3: twoLineLayout('TD3', 44, { composite: true, optionalDataCheckDigit: true, documentNumberOverflows: false }),
  MRVA: twoLineLayout('MRVA', 44, { composite: false, optionalDataCheckDigit: false, documentNumberOverflows: false }),
  MRVB: twoLineLayout('MRVB', 36, { composite: false, optionalDataCheckDigit: false, documentNumberOverflows: false }),
};

/** A stretch of the MRZ a check digit covers, and what may stand in it. */
export interface MrzZone {
  name: MrzZoneName;
  spans: Span[];
  kind: 'digits' | 'alphanumeric';
}

/** One check digit: the characters it covers and where it stands (null: missing overflow digit). */
export interface CheckDigitSite {
  check: MrzCheckDigitName;
  over: Span[];
  digit: Span | null;
  /** TD3 personal number: an all-filler field may carry '<' instead of 0 (part 4, 4.2.2). */
  fillerWhenBlank: boolean;
}

export interface LocatedMrz {
  zones: MrzZone[];
  sites: CheckDigitSite[];
}

export function spanText(lines: readonly string[], s: Span): string {
  return lines[s.line].slice(s.start, s.end);
}

export function spansText(lines: readonly string[], spans: readonly Span[]): string {
  return spans.map((s) => spanText(lines, s)).join('');
}

/**
 * Where the document number, its check digit and the optional data really are in these
 * lines: in TD1/TD2 a '<' at the number's check digit means the number continues in the
 * optional data up to the first filler, the last character before it being the check digit.
 */
function locateDocumentNumber(layout: MrzLayout, lines: readonly string[]) {
  const { documentNumber, documentNumberCheckDigit, optionalData } = layout;
  if (!layout.documentNumberOverflows || spanText(lines, documentNumberCheckDigit) !== '<') {
    return { number: [documentNumber], digit: documentNumberCheckDigit as Span | null, optional: optionalData };
  }
  const filler = lines[optionalData.line].indexOf('<', optionalData.start);
  const tailEnd = filler === -1 ? optionalData.end : Math.min(filler, optionalData.end);
  const hasDigit = tailEnd > optionalData.start;
  return {
    number: [documentNumber, span(optionalData.line, optionalData.start, hasDigit ? tailEnd - 1 : tailEnd)],
    digit: hasDigit ? span(optionalData.line, tailEnd - 1, tailEnd) : null,
    optional: span(optionalData.line, Math.min(tailEnd + 1, optionalData.end), optionalData.end),
  };
}

export function locateMrz(layout: MrzLayout, lines: readonly string[]): LocatedMrz {
  const docNumber = locateDocumentNumber(layout, lines);
  const zones: MrzZone[] = [
    { name: 'documentNumber', spans: docNumber.number, kind: 'alphanumeric' },
    { name: 'documentNumberCheckDigit', spans: docNumber.digit ? [docNumber.digit] : [], kind: 'digits' },
    { name: 'birthDate', spans: [layout.birthDate], kind: 'digits' },
    { name: 'birthDateCheckDigit', spans: [layout.birthDateCheckDigit], kind: 'digits' },
    { name: 'expiryDate', spans: [layout.expiryDate], kind: 'digits' },
    { name: 'expiryDateCheckDigit', spans: [layout.expiryDateCheckDigit], kind: 'digits' },
    { name: 'optionalData', spans: [docNumber.optional], kind: 'alphanumeric' },
  ];
  const sites: CheckDigitSite[] = [
    { check: 'documentNumber', over: docNumber.number, digit: docNumber.digit, fillerWhenBlank: false },
    { check: 'birthDate', over: [layout.birthDate], digit: layout.birthDateCheckDigit, fillerWhenBlank: false },
    { check: 'expiryDate', over: [layout.expiryDate], digit: layout.expiryDateCheckDigit, fillerWhenBlank: false },
  ];
  if (layout.optionalDataCheckDigit) {
    zones.push({ name: 'optionalDataCheckDigit', spans: [layout.optionalDataCheckDigit], kind: 'digits' });
    sites.push({
      check: 'optionalData',
      over: [layout.optionalData],
      digit: layout.optionalDataCheckDigit,
      fillerWhenBlank: true,
    });
  }
  if (layout.optionalData2) zones.push({ name: 'optionalData2', spans: [layout.optionalData2], kind: 'alphanumeric' });
  if (layout.composite) {
    zones.push({ name: 'compositeCheckDigit', spans: [layout.composite.digit], kind: 'digits' });
    sites.push({ check: 'composite', ...layout.composite, fillerWhenBlank: false });
  }
  return { zones, sites };
}

/** Whether the site's check digit is the digit computed over what it covers. */
export function checkDigitHolds(lines: readonly string[], site: CheckDigitSite): boolean {
  if (!site.digit) return false;
  const digit = spanText(lines, site.digit);
  const covered = spansText(lines, site.over);
  if (site.fillerWhenBlank && digit === '<' && /^<*$/.test(covered)) return true;
  return digit === String(checkDigit(covered));
}
