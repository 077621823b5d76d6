import { describe, expect, it } from 'vitest';
import { formatMrz, parseMrz, type MrzFieldValues } from '../../../../../native/idreader/mrz/index.js';
import { NOW, SPECIMENS } from './doc9303-specimens.js';

const ISO_DATES: Record<string, [birth: string, expiry: string]> = {
  td3: ['1974-08-12', '2012-04-15'],
  td1: ['1974-08-12', '2012-04-15'],
  td1LongNumber: ['1934-07-12', '1995-07-12'],
  td2: ['1974-08-12', '2012-04-15'],
  td2LongNumber: ['1974-08-12', '2012-04-15'],
  mrva: ['1940-09-07', '1996-12-10'],
  mrvb: ['1940-09-07', '1996-12-10'],
};

const errorWith = (code: string, details: Record<string, unknown>) =>
  expect.objectContaining({ name: 'DeviceError', code, details: expect.objectContaining(details) });

describe('parseMrz on the Doc 9303 specimens', () => {
  for (const [name, specimen] of Object.entries(SPECIMENS)) {
    it(`reads the ${name} specimen`, () => {
      const result = parseMrz(specimen.lines, { now: NOW });
      const [birthDateIso, expiryDateIso] = ISO_DATES[name];
      expect(result.format).toBe(specimen.format);
      expect(result.valid).toBe(true);
      expect(result.fields).toEqual({
        ...specimen.fields,
        birthDateIso,
        expiryDateIso,
        nameTruncated: false,
      });
      // Every specimen expired long before NOW; nothing else is wrong with them.
      expect(Object.entries(result.checks).filter(([, ok]) => !ok)).toEqual([['notExpired', false]]);
      expect(result.problems).toEqual([
        { check: 'notExpired', fields: ['expiryDate'], message: 'The document has expired.' },
      ]);
      expect(result.corrections).toEqual([]);
      expect(result.corrected).toBeNull();
    });
  }

  it('reports exactly the check digits each format has', () => {
    const names = (key: string) => Object.keys(parseMrz(SPECIMENS[key].lines, { now: NOW }).checks).slice(0, 5);
    expect(names('td3')).toEqual(['documentNumber', 'birthDate', 'expiryDate', 'optionalData', 'composite']);
    expect(names('td1')).toEqual(['documentNumber', 'birthDate', 'expiryDate', 'composite', 'documentCodeValid']);
    expect(names('td2')).toEqual(['documentNumber', 'birthDate', 'expiryDate', 'composite', 'documentCodeValid']);
    expect(names('mrva')).toEqual(['documentNumber', 'birthDate', 'expiryDate', 'documentCodeValid', 'issuingStateKnown']);
  });

  it('flags each broken check digit against its own field, without document data in messages', () => {
    const [line1, line2] = SPECIMENS.td3.lines;
    const result = parseMrz([line1, `${line2.slice(0, 9)}7${line2.slice(10)}`], { now: NOW });
    expect(result.valid).toBe(false);
    expect(result.checks).toMatchObject({ documentNumber: false, composite: false, birthDate: true, expiryDate: true });
    expect(result.problems.map((p) => [p.check, p.fields])).toEqual([
      ['documentNumber', ['documentNumber']],
      ['composite', ['documentNumber', 'birthDate', 'expiryDate', 'optionalData']],
      ['notExpired', ['expiryDate']],
    ]);
    for (const p of result.problems) expect(p.message).not.toContain('L898902C3');
  });

  it('keeps expiry and state codes out of `valid`', () => {
    const fields: MrzFieldValues = {
      ...SPECIMENS.td3.fields,
      issuingState: 'QQQ',
      nationality: 'ZZ',
      expiryDate: '301231',
    };
    const result = parseMrz(formatMrz(fields, 'TD3'), { now: NOW });
    expect(result.valid).toBe(true);
    expect(result.checks).toMatchObject({ issuingStateKnown: false, nationalityKnown: false, notExpired: true });
  });
});

describe('parseMrz fields', () => {
  const td3 = (overrides: Partial<MrzFieldValues>) =>
    parseMrz(formatMrz({ ...SPECIMENS.td3.fields, ...overrides }, 'TD3'), { now: NOW });

  it('knows the ICAO codes beyond ISO 3166 and the Utopia specimen state', () => {
    for (const code of ['D', 'GBN', 'UNO', 'XXA', 'XXB', 'XXC', 'XXX', 'EUE', 'XOM', 'XPO', 'RKS', 'UTO', 'FRA']) {
      expect(td3({ issuingState: code, nationality: code }).checks).toMatchObject({
        issuingStateKnown: true,
        nationalityKnown: true,
      });
    }
    expect(td3({ issuingState: 'D' }).lines[0].slice(0, 5)).toBe('P<D<<');
    expect(td3({ issuingState: 'UTA' }).checks.issuingStateKnown).toBe(false);
  });

  it("reads sex M, F, '<' as X, and flags anything else", () => {
    expect(td3({ sex: 'M' }).fields.sex).toBe('M');
    const unspecified = td3({ sex: 'X' });
    expect(unspecified.lines[1][20]).toBe('<');
    expect(unspecified.fields.sex).toBe('X');
    const [line1, line2] = SPECIMENS.td3.lines;
    const odd = parseMrz([line1, `${line2.slice(0, 20)}Q${line2.slice(21)}`], { now: NOW });
    expect(odd.fields.sex).toBeNull();
    expect(odd.checks.sexValid).toBe(false);
    expect(odd.valid).toBe(true); // sex is not covered by any check digit
  });

  it('splits names into primary and secondary identifiers with fillers removed', () => {
    expect(td3({ surname: 'VAN DER BERG', givenNames: 'JAN' }).lines[0]).toMatch(/^P<UTOVAN<DER<BERG<<JAN<+$/);
    expect(td3({ surname: 'VAN DER BERG', givenNames: 'JAN' }).fields).toMatchObject({
      surname: 'VAN DER BERG',
      givenNames: 'JAN',
    });
    const mononym = parseMrz(['P<UTOPELE'.padEnd(44, '<'), SPECIMENS.td3.lines[1]], { now: NOW });
    expect(mononym.fields).toMatchObject({ surname: 'PELE', givenNames: '', nameTruncated: false });
  });

  it('marks a name that fills the whole field as truncated', () => {
    // 40 characters of name cut to the 39 of the TD3 field: the last one is a letter.
    const cut = `P<UTO${'HOFFENSTEIN<<WOLFGANG<AMADEUS<MAXIMILIAN'.slice(0, 39)}`;
    const result = parseMrz([cut, SPECIMENS.td3.lines[1]], { now: NOW });
    expect(result.fields).toMatchObject({
      surname: 'HOFFENSTEIN',
      givenNames: 'WOLFGANG AMADEUS MAXIMILIA',
      nameTruncated: true,
    });
    const primaryOnly = parseMrz([`P<UTO${'X'.repeat(39)}`, SPECIMENS.td3.lines[1]], { now: NOW });
    expect(primaryOnly.fields).toMatchObject({ surname: 'X'.repeat(39), givenNames: '', nameTruncated: true });
  });

  it('reads an unknown birth date as given, with no ISO date', () => {
    const result = td3({ birthDate: '74<<<<' });
    expect(result.valid).toBe(true);
    expect(result.fields).toMatchObject({ birthDate: '74<<<<', birthDateIso: null });
    expect(result.checks.birthDateValid).toBe(false);
  });

  it("accepts '<' as the personal number check digit when there is no personal number", () => {
    const lines = formatMrz({ ...SPECIMENS.td3.fields, optionalData: '' }, 'TD3');
    expect(lines[1].slice(28, 43)).toBe('<<<<<<<<<<<<<<0');
    const filler = `${lines[1].slice(0, 42)}<${lines[1].slice(43)}`;
    expect(parseMrz([lines[0], filler], { now: NOW }).checks.optionalData).toBe(true);
    const withData = `${SPECIMENS.td3.lines[1].slice(0, 42)}<${SPECIMENS.td3.lines[1].slice(43)}`;
    expect(parseMrz([lines[0], withData], { now: NOW }).checks.optionalData).toBe(false);
  });

  it('checks the document code against the format', () => {
    expect(parseMrz(SPECIMENS.td3.lines, { now: NOW }).checks.documentCodeValid).toBe(true);
    const idAsPassport = `I${SPECIMENS.td3.lines[0].slice(1)}`;
    expect(parseMrz([idAsPassport, SPECIMENS.td3.lines[1]], { now: NOW }).checks.documentCodeValid).toBe(false);
  });
});

describe('parseMrz input handling', () => {
  it('trims, drops blank lines, upper-cases and accepts one string with line breaks', () => {
    const [a, b] = SPECIMENS.td3.lines;
    const result = parseMrz(`\n  ${a.toLowerCase()}  \r\n\r\n\t${b}\n`, { now: NOW });
    expect(result.lines).toEqual([a, b]);
    expect(result.valid).toBe(true);
  });

  it('tells a visa from a passport or ID card of the same size by its V', () => {
    expect(parseMrz(SPECIMENS.mrva.lines, { now: NOW }).format).toBe('MRVA');
    expect(parseMrz(SPECIMENS.mrvb.lines, { now: NOW }).format).toBe('MRVB');
    expect(parseMrz(SPECIMENS.td2.lines, { now: NOW }).format).toBe('TD2');
  });

  it('refuses empty input with MRZ_EMPTY', () => {
    for (const empty of ['', '   \n\t', [], ['', '  ']]) {
      expect(() => parseMrz(empty)).toThrow(errorWith('MRZ_EMPTY', {}));
    }
  });

  it('refuses a wrong line count or length with MRZ_BAD_LENGTH naming the line', () => {
    const [a, b] = SPECIMENS.td3.lines;
    expect(() => parseMrz([a])).toThrow(errorWith('MRZ_BAD_LENGTH', { lineCount: 1 }));
    expect(() => parseMrz([...SPECIMENS.td1.lines, a])).toThrow(errorWith('MRZ_BAD_LENGTH', { lineCount: 4 }));
    expect(() => parseMrz([a, b.slice(0, 43)])).toThrow(
      errorWith('MRZ_BAD_LENGTH', { line: 2, length: 43, expected: 44 }),
    );
    const [t1, t2, t3] = SPECIMENS.td1.lines;
    expect(() => parseMrz([t1, t2, `${t3}<`])).toThrow(errorWith('MRZ_BAD_LENGTH', { line: 3, length: 31, expected: 30 }));
    expect(() => parseMrz([t1, t2])).toThrow(errorWith('MRZ_BAD_LENGTH', { line: 1, length: 30 }));
  });

  it('refuses characters outside A–Z, 0–9 and < with MRZ_BAD_CHARACTER naming line and column', () => {
    const [a, b] = SPECIMENS.td3.lines;
    expect(() => parseMrz([a, `${b.slice(0, 9)} ${b.slice(10)}`])).toThrow(
      errorWith('MRZ_BAD_CHARACTER', { line: 2, column: 10, codePoint: 'U+0020' }),
    );
    expect(() => parseMrz([`${a.slice(0, 5)}«${a.slice(6)}`, b])).toThrow(
      errorWith('MRZ_BAD_CHARACTER', { line: 1, column: 6, codePoint: 'U+00AB' }),
    );
    expect(() => parseMrz([a.replaceAll('<', '_'), b])).toThrow(errorWith('MRZ_BAD_CHARACTER', { line: 1, column: 2 }));
  });

  it('never puts the document number into an error', () => {
    const [a, b] = SPECIMENS.td3.lines;
    try {
      parseMrz([a, `${b}9`]);
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error) + String(error)).not.toContain('L898902C3');
    }
  });
});
