import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CARD_TEXT_LENGTH, encodeCardText, idNumberCheckCharacter, idNumberProblem, isCalendarDate, LONG_TERM,
  parseCardText, type CnidCardText,
} from '../../../../../native/idreader/cnid/card-text.js';
import { SAMPLE_CNID_CARD } from '../../../../../native/sim/cnid-sim.js';

const sample = SAMPLE_CNID_CARD.text;

describe('ID number (GB 11643, MOD 11-2)', () => {
  it('accepts the standard examples', () => {
    expect(idNumberProblem('11010519491231002X')).toBeUndefined();
    expect(idNumberProblem('440524188001010014')).toBeUndefined();
    expect(idNumberCheckCharacter('11010519491231002')).toBe('X');
  });

  it('rejects wrong check characters, bad shapes and impossible birth dates', () => {
    expect(idNumberProblem('110105194912310021')).toMatch(/check character/);
    expect(idNumberProblem('11010519491231002x')).toMatch(/17 digits/);
    expect(idNumberProblem('1101051949123100')).toMatch(/17 digits/);
    expect(idNumberProblem('110105194902300021')).toMatch(/birth date/);
  });

  it('detects every single-digit change', () => {
    const validId = fc.tuple(
      fc.stringMatching(/^[1-8]\d{5}$/),
      fc.date({ min: new Date('1900-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }),
      fc.stringMatching(/^\d{3}$/),
    ).map(([region, date, sequence]) => {
      const first17 = `${region}${date.toISOString().slice(0, 10).replaceAll('-', '')}${sequence}`;
      return first17 + idNumberCheckCharacter(first17);
    });
    fc.assert(fc.property(validId, fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (id, at, delta) => {
      expect(idNumberProblem(id)).toBeUndefined();
      const changed = id.slice(0, at) + String((Number(id[at]) + delta) % 10) + id.slice(at + 1);
      expect(idNumberProblem(changed)).toBeDefined();
    }));
  });
});

describe('card text block', () => {
  it('has the GA/T 467 layout: UCS-2LE fields at fixed offsets, space padded', () => {
    const block = encodeCardText(sample);
    expect(block).toHaveLength(CARD_TEXT_LENGTH);
    const field = (offset: number, width: number) => Buffer.from(block.subarray(offset, offset + width)).toString('utf16le');
    expect(field(0, 30)).toBe('李示例'.padEnd(15, ' '));
    expect(field(30, 2)).toBe('1');
    expect(field(32, 4)).toBe('01');
    expect(field(36, 16)).toBe('19900307');
    expect(field(122, 36)).toBe(sample.idNumber);
    expect(field(188, 16)).toBe('20200101');
    expect(field(204, 16)).toBe('20400101');
    expect(field(220, 36)).toBe(' '.repeat(18));
  });

  it('parses the sample card as valid, with sex and ethnicity names', () => {
    const parsed = parseCardText(encodeCardText(sample));
    expect(parsed.text).toEqual(sample);
    expect(parsed).toMatchObject({ sex: 'male', ethnicity: { en: 'Han', zh: '汉族' }, longTermValidity: false, valid: true });
    expect(parsed.problems).toEqual({});
  });

  it('round-trips any fields that fit', () => {
    const bmpText = (maxLength: number) => fc.array(
      fc.integer({ min: 0x21, max: 0xd7ff }).map((code) => String.fromCharCode(code)), { maxLength },
    ).map((chars) => chars.join(''));
    const textArbitrary: fc.Arbitrary<CnidCardText> = fc.record({
      name: bmpText(15), sexCode: bmpText(1), ethnicityCode: bmpText(2), birthDate: bmpText(8), address: bmpText(35),
      idNumber: bmpText(18), issuingAuthority: bmpText(15), validFrom: bmpText(8), validTo: bmpText(8),
    });
    fc.assert(fc.property(textArbitrary, (text) => {
      expect(parseCardText(encodeCardText(text)).text).toEqual(text);
    }));
  });

  it('understands long-term validity (长期)', () => {
    const parsed = parseCardText(encodeCardText({ ...sample, validTo: LONG_TERM }));
    expect(parsed).toMatchObject({ longTermValidity: true, valid: true });
  });

  it('flags each bad field without quoting it', () => {
    const parsed = parseCardText(encodeCardText({
      ...sample, name: '', sexCode: '2', ethnicityCode: '77', validFrom: '20201301', validTo: 'someday',
    }));
    expect(Object.keys(parsed.problems).sort()).toEqual(['ethnicityCode', 'name', 'sexCode', 'validFrom', 'validTo']);
    expect(parsed.valid).toBe(false);
    expect(JSON.stringify(parsed.problems)).not.toContain(sample.idNumber);
  });

  it('checks the birth date embedded in the ID number against the birth field', () => {
    const parsed = parseCardText(encodeCardText({ ...sample, birthDate: '19900308' }));
    expect(parsed.problems).toEqual({ idNumber: expect.stringMatching(/birth date/) });
  });

  it('flags a validity end before its start, and a wrong ID check character', () => {
    expect(parseCardText(encodeCardText({ ...sample, validTo: '20191231' })).problems)
      .toEqual({ validTo: expect.stringMatching(/before/) });
    expect(parseCardText(encodeCardText({ ...sample, idNumber: '110101199003071234' })).problems)
      .toEqual({ idNumber: expect.stringMatching(/check character/) });
  });

  it('refuses a block of the wrong size and fields that do not fit', () => {
    expect(() => parseCardText(new Uint8Array(255))).toThrow(expect.objectContaining({ code: 'CNID_TEXT_LENGTH' }));
    expect(() => encodeCardText({ ...sample, name: '名'.repeat(16) }))
      .toThrow(expect.objectContaining({ code: 'CNID_FIELD_TOO_LONG' }));
  });

  it('knows calendar dates', () => {
    expect(isCalendarDate('20000229')).toBe(true);
    expect(isCalendarDate('19000229')).toBe(false);
    expect(isCalendarDate('2000022')).toBe(false);
  });
});
