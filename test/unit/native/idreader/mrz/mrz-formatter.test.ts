import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMrz, parseMrz, type MrzFieldValues } from '../../../../../native/idreader/mrz/index.js';
import { NOW, SPECIMENS } from './doc9303-specimens.js';
import { FORMATS, mrzFields } from './mrz-arbitraries.js';

const LINE_SHAPE = { TD1: [3, 30], TD2: [2, 36], TD3: [2, 44], MRVA: [2, 44], MRVB: [2, 36] } as const;

const invalidField = (field: keyof MrzFieldValues) =>
  expect.objectContaining({ code: 'MRZ_FIELD_INVALID', details: expect.objectContaining({ field }) });

describe('formatMrz', () => {
  for (const [name, specimen] of Object.entries(SPECIMENS)) {
    it(`writes the ${name} specimen character for character`, () => {
      expect(formatMrz(specimen.fields, specimen.format)).toEqual(specimen.lines);
    });
  }

  for (const format of FORMATS) {
    it(`round-trips any ${format} fields through parseMrz`, () => {
      fc.assert(
        fc.property(mrzFields(format, { longNumbers: true }), (fields) => {
          const lines = formatMrz(fields, format);
          const [count, length] = LINE_SHAPE[format];
          expect(lines).toHaveLength(count);
          for (const line of lines) expect(line).toMatch(new RegExp(`^[A-Z0-9<]{${length}}$`));
          const result = parseMrz(lines, { now: NOW });
          expect(result.format).toBe(format);
          expect(result.valid).toBe(true);
          expect(result.fields).toEqual({
            ...fields,
            birthDateIso: expect.any(String),
            expiryDateIso: expect.any(String),
            nameTruncated: expect.any(Boolean),
          });
        }),
        { numRuns: 300 },
      );
    });
  }

  it('continues a long TD1/TD2 number in the optional data and refuses one elsewhere', () => {
    const long = { ...SPECIMENS.td1.fields, documentNumber: 'D23145890734', optionalData: 'AB12' };
    expect(formatMrz(long, 'TD1')[0]).toBe('I<UTOD23145890<7349<AB12<<<<<<');
    expect(() => formatMrz({ ...SPECIMENS.td3.fields, documentNumber: 'L898902C36' }, 'TD3')).toThrow(
      invalidField('documentNumber'),
    );
    const tooMuch = { ...SPECIMENS.td2.fields, documentNumber: 'D23145890734', optionalData: 'ABCD' };
    expect(() => formatMrz(tooMuch, 'TD2')).toThrow(invalidField('documentNumber'));
  });

  it('refuses fields it cannot encode, naming the field and never the document number', () => {
    const base = SPECIMENS.td3.fields;
    expect(() => formatMrz({ ...base, documentCode: 'V' }, 'TD3')).toThrow(invalidField('documentCode'));
    expect(() => formatMrz(base, 'MRVA')).toThrow(invalidField('documentCode'));
    expect(() => formatMrz({ ...base, surname: 'Eriksson' }, 'TD3')).toThrow(invalidField('surname'));
    expect(() => formatMrz({ ...base, givenNames: "ANNA-MARIA" }, 'TD3')).toThrow(invalidField('givenNames'));
    expect(() => formatMrz({ ...base, surname: 'X'.repeat(40), givenNames: '' }, 'TD3')).toThrow(invalidField('surname'));
    expect(() => formatMrz({ ...base, birthDate: '7408' }, 'TD3')).toThrow(invalidField('birthDate'));
    expect(() => formatMrz({ ...base, issuingState: 'UTOP' }, 'TD3')).toThrow(invalidField('issuingState'));
    expect(() => formatMrz({ ...base, optionalData: 'ZE1<' }, 'TD3')).toThrow(invalidField('optionalData'));
    expect(() => formatMrz({ ...base, optionalData: 'Z'.repeat(15) }, 'TD3')).toThrow(invalidField('optionalData'));
    expect(() => formatMrz({ ...base, optionalData2: 'A' }, 'TD3')).toThrow(invalidField('optionalData2'));
    expect(() => formatMrz({ ...base, documentNumber: 'L898-02C3' }, 'TD3')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('L898') }),
    );
  });

  it('writes the longest name that fits and nothing longer', () => {
    const exact = { ...SPECIMENS.td1.fields, surname: 'A'.repeat(20), givenNames: 'B'.repeat(8) }; // 20 + 2 + 8 = 30
    const result = parseMrz(formatMrz(exact, 'TD1'), { now: NOW });
    expect(result.fields).toMatchObject({ surname: exact.surname, givenNames: exact.givenNames, nameTruncated: true });
    expect(() => formatMrz({ ...exact, givenNames: 'B'.repeat(9) }, 'TD1')).toThrow(invalidField('surname'));
  });
});
