// Turns what a reader or a person typed into MRZ lines, or says precisely why it cannot:
// surrounding whitespace and blank lines are dropped and a–z are upper-cased (keyboard-wedge
// readers with Caps Lock type them); anything else outside A–Z, 0–9 and '<' is refused.

import { DeviceError } from '../../device-error.js';
import { formatCodePoint } from './check-digit.js';
import type { MrzFormat } from './mrz-result.js';

const MRZ_CHARACTER = /^[A-Z0-9<]$/;

export function normaliseMrzLines(input: string | readonly string[]): string[] {
  const lines = (typeof input === 'string' ? [input] : input)
    .flatMap((chunk) => chunk.split(/\r\n|\r|\n/))
    .map((line) => line.trim().replace(/[a-z]/g, (c) => c.toUpperCase()))
    .filter((line) => line !== '');
  if (lines.length === 0) throw new DeviceError('MRZ_EMPTY', 'No MRZ text was read.', {});
  lines.forEach((line, index) => {
    const chars = [...line];
    const column = chars.findIndex((c) => !MRZ_CHARACTER.test(c));
    if (column !== -1) {
      const codePoint = formatCodePoint(chars[column]);
      throw new DeviceError(
        'MRZ_BAD_CHARACTER',
        `MRZ line ${index + 1}, column ${column + 1}: ${codePoint} is not an MRZ character (A–Z, 0–9, <).`,
        { line: index + 1, column: column + 1, codePoint },
      );
    }
  });
  return lines;
}

/** TD1 has three lines of 30; the two-line formats differ by length and by a 'V' document code. */
export function detectMrzFormat(lines: readonly string[]): MrzFormat {
  const lengths = lines.map((l) => l.length);
  if (lines.length !== 2 && lines.length !== 3) {
    throw new DeviceError(
      'MRZ_BAD_LENGTH',
      `The MRZ has ${lines.length} line${lines.length === 1 ? '' : 's'}; an MRZ has 3 lines (TD1) or 2 (TD2, TD3, MRV).`,
      { lineCount: lines.length, lengths },
    );
  }
  const expected = lines.length === 3 ? 30 : [lengths[0], lengths[1]].find((n) => n === 36 || n === 44) ?? 44;
  const wrong = lengths.findIndex((n) => n !== expected);
  if (wrong !== -1) {
    const allowed = lines.length === 3 ? '30 in a 3-line MRZ' : '36 (TD2, MRV-B) or 44 (TD3, MRV-A) in a 2-line MRZ';
    throw new DeviceError(
      'MRZ_BAD_LENGTH',
      `MRZ line ${wrong + 1} has ${lengths[wrong]} characters; lines have ${allowed}, all the same.`,
      { line: wrong + 1, length: lengths[wrong], expected, lineCount: lines.length, lengths },
    );
  }
  if (expected === 30) return 'TD1';
  const visa = lines[0].startsWith('V');
  if (expected === 36) return visa ? 'MRVB' : 'TD2';
  return visa ? 'MRVA' : 'TD3';
}
