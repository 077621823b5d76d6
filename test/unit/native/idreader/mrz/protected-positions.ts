// Which MRZ positions each format protects with check digits, from Doc 9303 parts 4–7
// (0-based line and column), for the corruption and OCR-correction property tests.

import type { MrzFormat } from '../../../../../native/idreader/mrz/index.js';

export interface Position {
  line: number;
  column: number;
}

const range = (line: number, from: number, to: number): Position[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ line, column: from + i }));

/** Every character some check digit covers, check digits included (numbers of ≤ 9 characters). */
export const PROTECTED: Record<MrzFormat, Position[]> = {
  TD1: [...range(0, 5, 29), ...range(1, 0, 6), ...range(1, 8, 14), ...range(1, 18, 29)],
  TD2: [...range(1, 0, 9), ...range(1, 13, 19), ...range(1, 21, 35)],
  TD3: [...range(1, 0, 9), ...range(1, 13, 19), ...range(1, 21, 43)],
  MRVA: [...range(1, 0, 9), ...range(1, 13, 19), ...range(1, 21, 27)],
  MRVB: [...range(1, 0, 9), ...range(1, 13, 19), ...range(1, 21, 27)],
};

/** The check digits themselves. */
export const CHECK_DIGITS: Record<MrzFormat, Position[]> = {
  TD1: [{ line: 0, column: 14 }, { line: 1, column: 6 }, { line: 1, column: 14 }, { line: 1, column: 29 }],
  TD2: [9, 19, 27, 35].map((column) => ({ line: 1, column })),
  TD3: [9, 19, 27, 42, 43].map((column) => ({ line: 1, column })),
  MRVA: [9, 19, 27].map((column) => ({ line: 1, column })),
  MRVB: [9, 19, 27].map((column) => ({ line: 1, column })),
};

/** Birth and expiry dates. */
export const DATES: Record<MrzFormat, Position[]> = {
  TD1: [...range(1, 0, 5), ...range(1, 8, 13)],
  TD2: [...range(1, 13, 18), ...range(1, 21, 26)],
  TD3: [...range(1, 13, 18), ...range(1, 21, 26)],
  MRVA: [...range(1, 13, 18), ...range(1, 21, 26)],
  MRVB: [...range(1, 13, 18), ...range(1, 21, 26)],
};

export const samePosition = (a: Position) => (b: Position) => a.line === b.line && a.column === b.column;

export function replaceAt(lines: readonly string[], at: Position, char: string): string[] {
  return lines.map((line, i) => (i === at.line ? line.slice(0, at.column) + char + line.slice(at.column + 1) : line));
}
