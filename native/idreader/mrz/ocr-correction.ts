// Suggests a fix for the characters OCR confuses most (0/O, 1/I, 5/S, 8/B, 2/Z) when check
// digits fail. Only characters covered by a failing check are considered: a confusable letter
// where only digits may stand is always replaced; in alphanumeric fields (document number,
// optional data) at most one character is swapped either way. A fix is offered only when
// exactly one candidate makes every check digit of the format hold.

import { checkDigitHolds, locateMrz, type MrzLayout, type MrzZone } from './mrz-layout.js';
import type { MrzCorrection } from './mrz-result.js';

const LETTER_FOR_DIGIT: Readonly<Record<string, string>> = { 0: 'O', 1: 'I', 5: 'S', 8: 'B', 2: 'Z' };
const DIGIT_FOR_LETTER: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(LETTER_FOR_DIGIT).map(([digit, letter]) => [letter, digit]),
);

interface Substitution {
  zone: MrzZone;
  line: number;
  column: number;
  to: string;
}

export interface OcrCorrection {
  lines: string[];
  corrections: MrzCorrection[];
}

function allCheckDigitsHold(layout: MrzLayout, lines: readonly string[]): boolean {
  return locateMrz(layout, lines).sites.every((site) => checkDigitHolds(lines, site));
}

function apply(lines: readonly string[], substitutions: readonly Substitution[]): string[] {
  const grid = lines.map((line) => [...line]);
  for (const s of substitutions) grid[s.line][s.column] = s.to;
  return grid.map((chars) => chars.join(''));
}

export function findOcrCorrection(layout: MrzLayout, lines: readonly string[]): OcrCorrection | null {
  const { zones, sites } = locateMrz(layout, lines);
  const failing = sites.filter((site) => !checkDigitHolds(lines, site));
  const covered = new Set<string>();
  for (const site of failing) {
    for (const s of site.digit ? [...site.over, site.digit] : site.over) {
      for (let column = s.start; column < s.end; column += 1) covered.add(`${s.line}:${column}`);
    }
  }

  const forced: Substitution[] = [];
  const optional: Substitution[] = [];
  for (const zone of zones) {
    for (const s of zone.spans) {
      for (let column = s.start; column < s.end; column += 1) {
        if (!covered.has(`${s.line}:${column}`)) continue;
        const char = lines[s.line][column];
        const digit = DIGIT_FOR_LETTER[char];
        const letter = LETTER_FOR_DIGIT[char];
        const at = { zone, line: s.line, column };
        if (digit !== undefined) (zone.kind === 'digits' ? forced : optional).push({ ...at, to: digit });
        if (letter !== undefined && zone.kind === 'alphanumeric') optional.push({ ...at, to: letter });
      }
    }
  }

  const candidates = [...(forced.length > 0 ? [forced] : []), ...optional.map((o) => [...forced, o])];
  const passing = candidates.filter((c) => allCheckDigitsHold(layout, apply(lines, c)));
  if (passing.length !== 1) return null;
  const chosen = passing[0];
  return {
    lines: apply(lines, chosen),
    corrections: chosen
      .map((s) => ({
        field: s.zone.name,
        line: s.line + 1,
        column: s.column + 1,
        from: lines[s.line][s.column],
        to: s.to,
      }))
      .sort((a, b) => a.line - b.line || a.column - b.column),
  };
}
