// fast-check generators of MRZ field values that fit each Doc 9303 format, written from the
// standard's field sizes rather than from the implementation's layout tables.

import fc from 'fast-check';
import type { MrzFieldValues, MrzFormat } from '../../../../../native/idreader/mrz/index.js';

export const FORMATS: readonly MrzFormat[] = ['TD1', 'TD2', 'TD3', 'MRVA', 'MRVB'];

const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
const ALPHANUMERIC = [...LETTERS, ...'0123456789'];

/** Name field and optional data sizes (parts 4–7); TD1 and TD2 numbers may overflow. */
export const SIZES: Record<MrzFormat, { name: number; optional: number; overflow: boolean }> = {
  TD1: { name: 30, optional: 15, overflow: true },
  TD2: { name: 31, optional: 7, overflow: true },
  TD3: { name: 39, optional: 14, overflow: false },
  MRVA: { name: 39, optional: 16, overflow: false },
  MRVB: { name: 31, optional: 8, overflow: false },
};

const FIRST_LETTERS: Record<MrzFormat, string[]> = {
  TD1: ['A', 'C', 'I'],
  TD2: ['A', 'C', 'I'],
  TD3: ['P'],
  MRVA: ['V'],
  MRVB: ['V'],
};

const optionalText = (max: number) =>
  fc
    .string({ unit: fc.constantFrom(...ALPHANUMERIC, '<'), maxLength: Math.max(0, max) })
    .map((s) => s.replace(/<+$/, ''));

const words = fc
  .array(fc.string({ unit: fc.constantFrom(...LETTERS), minLength: 1, maxLength: 9 }), { maxLength: 3 })
  .map((w) => w.join(' '));

const yymmdd = fc
  .date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2043-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(2, 10).replaceAll('-', ''));

const stateCode = fc.oneof(
  fc.constantFrom('UTO', 'D', 'GBR', 'XXA', 'EUE', 'FRA', 'GBN'),
  fc.string({ unit: fc.constantFrom(...LETTERS), minLength: 1, maxLength: 3 }),
);

/** Field values `formatMrz` can write in `format`; numbers stay within 9 characters unless `longNumbers`. */
export function mrzFields(format: MrzFormat, options: { longNumbers?: boolean } = {}): fc.Arbitrary<MrzFieldValues> {
  const size = SIZES[format];
  const maxNumber = options.longNumbers && size.overflow ? 9 + size.optional - 1 : 9;
  const numberAndOptional = fc
    .string({ unit: fc.constantFrom(...ALPHANUMERIC), minLength: 1, maxLength: maxNumber })
    .chain((documentNumber) => {
      // A continued number takes its tail, its check digit and a separating filler.
      const room = documentNumber.length > 9 ? size.optional - (documentNumber.length - 9) - 2 : size.optional;
      return optionalText(room).map((optionalData) => ({ documentNumber, optionalData }));
    });
  const names = fc
    .record({ surname: words, givenNames: words })
    .filter(({ surname, givenNames }) => surname.length + (givenNames ? 2 + givenNames.length : 0) <= size.name);
  return fc
    .record({
      documentCode: fc
        .tuple(fc.constantFrom(...FIRST_LETTERS[format]), fc.constantFrom('', ...LETTERS.filter((l) => l !== 'V')))
        .map(([a, b]) => a + b),
      issuingState: stateCode,
      nationality: stateCode,
      birthDate: yymmdd,
      sex: fc.constantFrom('M' as const, 'F' as const, 'X' as const),
      expiryDate: yymmdd,
      optionalData2: format === 'TD1' ? optionalText(11) : fc.constant(''),
      numberAndOptional,
      names,
    })
    .map(({ numberAndOptional: n, names: nm, ...rest }) => ({ ...rest, ...n, ...nm }));
}
