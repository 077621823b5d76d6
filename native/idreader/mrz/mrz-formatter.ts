// Writes MRZ lines from fields with every check digit computed: for the reader simulators
// and for tests that need documents nobody has to type. Refuses fields it cannot encode
// rather than truncating them.

import { DeviceError } from '../../device-error.js';
import { checkDigit } from './check-digit.js';
import { locateMrz, MRZ_LAYOUTS, spansText, type Span } from './mrz-layout.js';
import { encodeMrzName } from './mrz-name.js';
import type { MrzFieldValues, MrzFormat } from './mrz-result.js';

const PATTERNS: Readonly<Record<Exclude<keyof MrzFieldValues, 'surname' | 'givenNames'>, RegExp>> = {
  documentCode: /^[A-Z][A-Z<]?$/,
  issuingState: /^[A-Z]{1,3}$/,
  documentNumber: /^[A-Z0-9]+$/,
  nationality: /^[A-Z]{1,3}$/,
  birthDate: /^[0-9<]{6}$/,
  sex: /^[MFX]$/,
  expiryDate: /^[0-9<]{6}$/,
  optionalData: /^([A-Z0-9<]*[A-Z0-9])?$/,
  optionalData2: /^([A-Z0-9<]*[A-Z0-9])?$/,
};

function invalid(field: keyof MrzFieldValues, reason: string): DeviceError {
  return new DeviceError('MRZ_FIELD_INVALID', `Cannot write the ${field} into an MRZ: ${reason}.`, { field });
}

/** The MRZ lines for `fields` in `format`; throws DeviceError MRZ_FIELD_INVALID naming the field. */
export function formatMrz(fields: MrzFieldValues, format: MrzFormat): string[] {
  const layout = MRZ_LAYOUTS[format];
  for (const [field, pattern] of Object.entries(PATTERNS) as [keyof typeof PATTERNS, RegExp][]) {
    if (!pattern.test(fields[field])) throw invalid(field, `it does not have the form ${pattern.source}`);
  }
  const visa = format === 'MRVA' || format === 'MRVB';
  if (fields.documentCode.startsWith('V') !== visa) {
    throw invalid('documentCode', visa ? 'a visa code starts with V' : 'only visa codes start with V');
  }
  if (!layout.optionalData2 && fields.optionalData2 !== '') {
    throw invalid('optionalData2', `${format} has no such field`);
  }

  const grid = Array.from({ length: layout.lineCount }, () => Array<string>(layout.lineLength).fill('<'));
  const put = (field: keyof MrzFieldValues, s: Span, text: string) => {
    const room = s.end - s.start;
    if (text.length > room) throw invalid(field, `it needs ${text.length} characters; the field has ${room}`);
    [...text].forEach((char, i) => (grid[s.line][s.start + i] = char));
  };

  put('documentCode', layout.documentCode, fields.documentCode);
  put('issuingState', layout.issuingState, fields.issuingState);
  put('surname', layout.name, encodeMrzName(fields.surname, fields.givenNames, layout.name.end - layout.name.start));
  put('nationality', layout.nationality, fields.nationality);
  put('birthDate', layout.birthDate, fields.birthDate);
  put('sex', layout.sex, fields.sex === 'X' ? '<' : fields.sex);
  put('expiryDate', layout.expiryDate, fields.expiryDate);
  if (layout.optionalData2) put('optionalData2', layout.optionalData2, fields.optionalData2);

  // Check digits are placeholders ('0') until every covered character is in place; a number
  // longer than 9 leaves '<' at its own check digit and continues in the optional data.
  const principal = fields.documentNumber.slice(0, 9);
  const tail = fields.documentNumber.slice(9);
  put('documentNumber', layout.documentNumber, principal);
  if (tail === '') {
    put('documentNumber', layout.documentNumberCheckDigit, '0');
    put('optionalData', layout.optionalData, fields.optionalData);
  } else if (layout.documentNumberOverflows) {
    const continued = `${tail}0${fields.optionalData === '' ? '' : `<${fields.optionalData}`}`;
    const room = layout.optionalData.end - layout.optionalData.start;
    if (continued.length > room) {
      const reason = `its continuation and the optional data need ${continued.length} of ${room} characters`;
      throw invalid('documentNumber', reason);
    }
    put('documentNumber', layout.optionalData, continued);
  } else {
    throw invalid('documentNumber', `${format} holds at most 9 characters`);
  }

  const lines = () => grid.map((chars) => chars.join(''));
  for (const site of locateMrz(layout, lines()).sites) {
    if (site.digit) grid[site.digit.line][site.digit.start] = String(checkDigit(spansText(lines(), site.over)));
  }
  return lines();
}
