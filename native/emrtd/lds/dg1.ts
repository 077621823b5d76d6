// DG1 (9303-10 §4.7.1): the MRZ as printed, in data object 5F1F, its lines written back to
// back (TD1 3 × 30 = 90 characters, TD2 and MRV-B 2 × 36 = 72, TD3 and MRV-A 2 × 44 = 88).
// The text goes through the same MRZ parser as the optical readers, so the chip's MRZ and
// the printed one are compared field by field with the same rules.

import { encodeTlv } from '../ber-tlv.js';
import { parseMrz, type MrzResult, type ParseMrzOptions } from '../../idreader/mrz/index.js';
import { DATA_GROUP_FILES } from './lds-files.js';
import { ascii, asciiBytes, ldsError, onlyTags, readObjects, single, unwrapLdsFile } from './lds-codec.js';

const DG1 = DATA_GROUP_FILES[0]!;
const MRZ_TAG = 0x5f1f;

/** MRZ length on the chip → line count and line length. */
const LAYOUTS: ReadonlyMap<number, { lines: number; length: number }> = new Map([
  [90, { lines: 3, length: 30 }],
  [72, { lines: 2, length: 36 }],
  [88, { lines: 2, length: 44 }],
]);

export interface Dg1 {
  /** The MRZ characters exactly as the chip holds them (no line breaks). */
  mrz: string;
  lines: string[];
  /** The MRZ parser's reading: fields, check digits, problems. */
  parsed: MrzResult;
}

export function decodeDg1(bytes: Uint8Array, options: ParseMrzOptions = {}): Dg1 {
  const objects = readObjects('DG1', unwrapLdsFile(bytes, DG1));
  onlyTags('DG1', objects, [MRZ_TAG], 'DG1');
  const mrz = ascii(single('DG1', objects, MRZ_TAG, 'the MRZ'));
  const layout = LAYOUTS.get(mrz.length);
  if (!layout) throw ldsError('DG1', `its MRZ has ${mrz.length} characters, not 90 (TD1), 72 (TD2) or 88 (TD3)`, { length: mrz.length });
  const bad = mrz.search(/[^A-Z0-9<]/);
  if (bad !== -1) throw ldsError('DG1', `MRZ character ${bad + 1} is not A–Z, 0–9 or <`, { position: bad + 1 });
  const lines = Array.from({ length: layout.lines }, (_, i) => mrz.slice(i * layout.length, (i + 1) * layout.length));
  return { mrz, lines, parsed: parseMrz(lines, options) };
}

/** DG1 from MRZ lines (as the MRZ formatter writes them). */
export function encodeDg1(lines: readonly string[]): Uint8Array {
  const mrz = lines.join('');
  if (!LAYOUTS.has(mrz.length) || /[^A-Z0-9<]/.test(mrz)) throw new RangeError('DG1 takes the lines of a TD1, TD2 or TD3 MRZ');
  return encodeTlv(DG1.tag!, [encodeTlv(MRZ_TAG, asciiBytes(mrz))]);
}
