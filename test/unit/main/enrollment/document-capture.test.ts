// What the document step shows for a read: per-field verdicts from a parsed MRZ (Doc 9303
// specimens written with formatMrz) and from a CN resident-ID card (text blocks written
// with encodeCardText), and that no problem message repeats the value it is about.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureFromCnid, captureFromMrz, type DocumentCapture } from '../../../../main/enrollment/document-capture.js';
import { encodeCardText, LONG_TERM, parseCardText, type CnidCardText } from '../../../../native/idreader/cnid/card-text.js';
import type { CnidCard } from '../../../../native/idreader/cnid/sam-reader.js';
import {
  formatMrz, parseMrz, type MrzCheckDigitName, type MrzFieldValues, type MrzFormat,
} from '../../../../native/idreader/mrz/index.js';
import { SAMPLE_CNID_CARD } from '../../../../native/sim/cnid-sim.js';
import { mrzFields as mrzFieldsArbitrary } from '../../native/idreader/mrz/mrz-arbitraries.js';
import { replaceAt, type Position } from '../../native/idreader/mrz/protected-positions.js';
import { NOW, PASSPORT } from './sample-documents.js';

const ID_CARD: MrzFieldValues = { ...PASSPORT, documentCode: 'I', documentNumber: 'D23145890', optionalData: '', optionalData2: '' };

/** Where each format keeps its check digits (0-based), from Doc 9303 parts 4–7. */
const CHECK_DIGIT_AT: Record<MrzFormat, Partial<Record<MrzCheckDigitName, Position>>> = {
  TD1: { documentNumber: { line: 0, column: 14 }, birthDate: { line: 1, column: 6 }, expiryDate: { line: 1, column: 14 }, composite: { line: 1, column: 29 } },
  TD2: { documentNumber: { line: 1, column: 9 }, birthDate: { line: 1, column: 19 }, expiryDate: { line: 1, column: 27 }, composite: { line: 1, column: 35 } },
  TD3: {
    documentNumber: { line: 1, column: 9 }, birthDate: { line: 1, column: 19 }, expiryDate: { line: 1, column: 27 },
    optionalData: { line: 1, column: 42 }, composite: { line: 1, column: 43 },
  },
  MRVA: { documentNumber: { line: 1, column: 9 }, birthDate: { line: 1, column: 19 }, expiryDate: { line: 1, column: 27 } },
  MRVB: { documentNumber: { line: 1, column: 9 }, birthDate: { line: 1, column: 19 }, expiryDate: { line: 1, column: 27 } },
};
const FORMATS = Object.keys(CHECK_DIGIT_AT) as MrzFormat[];

/** The fields a composite check digit covers, per format (part 4: TD1 line 2 optional data too). */
const COMPOSITE_FIELDS: Record<'TD1' | 'TD2' | 'TD3', string[]> = {
  TD1: ['documentNumber', 'birthDate', 'expiryDate', 'optionalData', 'optionalData2'],
  TD2: ['documentNumber', 'birthDate', 'expiryDate', 'optionalData'],
  TD3: ['documentNumber', 'birthDate', 'expiryDate', 'optionalData'],
};

/** A check digit changed to another digit ('<' counts as 0), as a misread would. */
function spoilDigit(lines: readonly string[], at: Position, delta = 1): string[] {
  const old = lines[at.line]![at.column]!;
  return replaceAt(lines, at, String(((old === '<' ? 0 : Number(old)) + delta) % 10));
}

const marked = (capture: DocumentCapture) => capture.view.fields.filter((f) => !f.ok).map((f) => f.name).sort();
const fieldNamed = (capture: DocumentCapture, name: string) => capture.view.fields.find((f) => f.name === name);

/** Every problem message, of the read and of its suggested correction, next to the value it is about. */
function problemsWithValues(capture: DocumentCapture): Array<{ value: string; problem: string }> {
  const fields = [...capture.view.fields, ...(capture.view.suggestedCorrection?.fields ?? [])];
  return fields.flatMap(({ value, problem }) => (problem === undefined ? [] : [{ value, problem }]));
}

function mrzCapture(fields: MrzFieldValues, format: MrzFormat, spoil?: (lines: string[]) => string[]): DocumentCapture {
  const lines = formatMrz(fields, format);
  return captureFromMrz(parseMrz(spoil ? spoil(lines) : lines, { now: NOW }), 'mrz', NOW);
}

describe('captureFromMrz', () => {
  it('shows a good passport with every field passing, dates resolved to ISO and its lines kept for sealing', () => {
    const lines = formatMrz(PASSPORT, 'TD3');
    const capture = captureFromMrz(parseMrz(lines, { now: NOW }), 'keyboard', NOW);
    expect(capture.view).toMatchObject({
      at: NOW.toISOString(), source: 'keyboard', documentType: 'TD3', valid: true, expired: false,
      suggestedCorrection: null, portraitAvailable: false,
    });
    expect(capture.view.fields).toEqual([
      { name: 'documentCode', value: 'P', ok: true },
      { name: 'issuingState', value: 'UTO', ok: true },
      { name: 'documentNumber', value: 'L898902C3', ok: true },
      { name: 'surname', value: 'ERIKSSON', ok: true },
      { name: 'givenNames', value: 'ANNA MARIA', ok: true },
      { name: 'nationality', value: 'UTO', ok: true },
      { name: 'birthDate', value: '1974-08-12', ok: true },
      { name: 'sex', value: 'F', ok: true },
      { name: 'expiryDate', value: '2034-04-15', ok: true },
      { name: 'optionalData', value: 'ZE184226B', ok: true },
    ]);
    expect(capture.mrzLines).toEqual(lines);
    expect(capture.cardPhoto).toBeNull();
  });

  it('gives every read its own id', () => {
    const lines = formatMrz(PASSPORT, 'TD3');
    const ids = new Set(Array.from({ length: 5 }, () => captureFromMrz(parseMrz(lines, { now: NOW }), 'mrz', NOW).view.readId));
    expect(ids.size).toBe(5);
  });

  it('lists optionalData2 for TD1 only', () => {
    const samples: Record<MrzFormat, MrzFieldValues> = {
      TD1: { ...ID_CARD, optionalData2: 'AB12' }, TD2: ID_CARD, TD3: PASSPORT,
      MRVA: { ...PASSPORT, documentCode: 'V' }, MRVB: { ...PASSPORT, documentCode: 'V', optionalData: '' },
    };
    for (const format of FORMATS) {
      const names = mrzCapture(samples[format], format).view.fields.map((f) => f.name);
      expect(names.includes('optionalData2'), format).toBe(format === 'TD1');
      expect(names, format).toContain('optionalData');
    }
    expect(fieldNamed(mrzCapture(samples.TD1, 'TD1'), 'optionalData2')).toEqual({ name: 'optionalData2', value: 'AB12', ok: true });
  });

  it('flags an expired document on its expiry date only, and keeps it valid', () => {
    const capture = mrzCapture({ ...PASSPORT, expiryDate: '120415' }, 'TD3');
    expect(capture.view).toMatchObject({ valid: true, expired: true });
    expect(marked(capture)).toEqual(['expiryDate']);
    expect(fieldNamed(capture, 'expiryDate')).toEqual({
      name: 'expiryDate', value: '2012-04-15', ok: false, problem: 'The document has expired.',
    });
  });

  it('counts the expiry day itself as not expired', () => {
    expect(mrzCapture({ ...PASSPORT, expiryDate: '240615' }, 'TD3').view.expired).toBe(false);
    expect(mrzCapture({ ...PASSPORT, expiryDate: '240614' }, 'TD3').view.expired).toBe(true);
  });

  it.each(['documentNumber', 'birthDate', 'expiryDate', 'optionalData'] as const)(
    'marks only the %s when its check digit fails, not the fields of the composite it spoils',
    (check) => {
      const spoilt = spoilDigit(formatMrz(PASSPORT, 'TD3'), CHECK_DIGIT_AT.TD3[check]!);
      const result = parseMrz(spoilt, { now: NOW });
      expect(result.checks).toMatchObject({ [check]: false, composite: false });
      const capture = captureFromMrz(result, 'mrz', NOW);
      expect(capture.view.valid).toBe(false);
      expect(marked(capture)).toEqual([check]);
      expect(fieldNamed(capture, check)?.problem).toMatch(/check digit/);
    },
  );

  it.each(['TD1', 'TD2', 'TD3'] as const)('marks every field of the composite when only the %s composite fails', (format) => {
    const fields = format === 'TD3' ? PASSPORT : ID_CARD;
    const result = parseMrz(spoilDigit(formatMrz(fields, format), CHECK_DIGIT_AT[format].composite!), { now: NOW });
    expect(result.problems.map((p) => p.check)).toEqual(['composite']);
    const capture = captureFromMrz(result, 'mrz', NOW);
    expect(marked(capture)).toEqual([...COMPOSITE_FIELDS[format]].sort());
    for (const name of COMPOSITE_FIELDS[format]) expect(fieldNamed(capture, name)?.problem).toBe('The composite check digit does not match.');
  });

  it('property: a field check digit marks its own field on top of what the document had already', () => {
    const cases = fc.constantFrom(...FORMATS).chain((format) => fc.record({
      format: fc.constant(format),
      fields: mrzFieldsArbitrary(format),
      check: fc.constantFrom(...(['documentNumber', 'birthDate', 'expiryDate', 'optionalData'] as const)
        .filter((check) => CHECK_DIGIT_AT[format][check])),
      delta: fc.integer({ min: 1, max: 9 }),
    }));
    fc.assert(fc.property(cases, ({ format, fields, check, delta }) => {
      const lines = formatMrz(fields, format);
      const before = marked(captureFromMrz(parseMrz(lines, { now: NOW }), 'mrz', NOW));
      const result = parseMrz(spoilDigit(lines, CHECK_DIGIT_AT[format][check]!, delta), { now: NOW });
      expect(result.checks[check]).toBe(false);
      const after = marked(captureFromMrz(result, 'mrz', NOW));
      expect(after).toEqual([...new Set([...before, check])].sort());
    }));
  });

  it('property: only a failing composite marks the composite fields on top of what the document had already', () => {
    const composite = ['TD1', 'TD2', 'TD3'] as const;
    const cases = fc.constantFrom(...composite).chain((format) => fc.record({
      format: fc.constant(format), fields: mrzFieldsArbitrary(format), delta: fc.integer({ min: 1, max: 9 }),
    }));
    fc.assert(fc.property(cases, ({ format, fields, delta }) => {
      const lines = formatMrz(fields, format);
      const before = marked(captureFromMrz(parseMrz(lines, { now: NOW }), 'mrz', NOW));
      const result = parseMrz(spoilDigit(lines, CHECK_DIGIT_AT[format].composite!, delta), { now: NOW });
      expect(result.checks.composite).toBe(false);
      const after = marked(captureFromMrz(result, 'mrz', NOW));
      expect(after).toEqual([...new Set([...before, ...COMPOSITE_FIELDS[format]])].sort());
    }));
  });

  it('offers the parser\'s OCR correction with the corrected fields and the substitution made', () => {
    // The document number's '0' read as the letter 'O'.
    const result = parseMrz(replaceAt(formatMrz(PASSPORT, 'TD3'), { line: 1, column: 5 }, 'O'), { now: NOW });
    expect(result.corrected).not.toBeNull();
    const capture = captureFromMrz(result, 'mrz', NOW);
    expect(capture.view.valid).toBe(false);
    expect(fieldNamed(capture, 'documentNumber')).toMatchObject({ value: 'L8989O2C3', ok: false });
    expect(capture.view.suggestedCorrection).toEqual({
      fields: mrzCapture(PASSPORT, 'TD3').view.fields,
      changes: [{ field: 'documentNumber', from: 'O', to: '0' }],
    });
    expect(capture.correctedView).toEqual({
      ...capture.view, valid: true, expired: false, fields: capture.view.suggestedCorrection?.fields,
    });
    expect(capture.mrzLines).toEqual(result.lines);
  });

  it('judges the expiry of the corrected read on its own: a misread date is no date, the corrected one is', () => {
    const result = parseMrz(replaceAt(formatMrz({ ...PASSPORT, expiryDate: '300101' }, 'TD3'), { line: 1, column: 22 }, 'O'), { now: NOW });
    const capture = captureFromMrz(result, 'mrz', NOW);
    expect(capture.view).toMatchObject({ valid: false, expired: true });
    expect(fieldNamed(capture, 'expiryDate')).toMatchObject({ value: '3O0101', ok: false });
    expect(capture.correctedView).toMatchObject({ readId: capture.view.readId, valid: true, expired: false });
    expect(capture.correctedView?.fields.find((f) => f.name === 'expiryDate')).toEqual({ name: 'expiryDate', value: '2030-01-01', ok: true });
  });

  it('offers no correction for a misread the parser cannot fix', () => {
    const result = parseMrz(spoilDigit(formatMrz(PASSPORT, 'TD3'), CHECK_DIGIT_AT.TD3.birthDate!), { now: NOW });
    expect(result.corrected).toBeNull();
    expect(captureFromMrz(result, 'mrz', NOW).view.suggestedCorrection).toBeNull();
  });

  it('property: a suggestion is present exactly when the parser offers a correction, and matches it', () => {
    const confusable: Record<string, string> = { 0: 'O', O: '0', 1: 'I', I: '1', 5: 'S', S: '5', 8: 'B', B: '8', 2: 'Z', Z: '2' };
    const cases = fc.constantFrom(...FORMATS).chain((format) => fc.record({
      format: fc.constant(format),
      fields: mrzFieldsArbitrary(format),
      line: fc.nat(),
      column: fc.nat(),
    }));
    let offered = 0;
    fc.assert(fc.property(cases, ({ format, fields, line, column }) => {
      const lines = formatMrz(fields, format);
      const at = { line: line % lines.length, column: column % lines[0]!.length };
      const char = lines[at.line]![at.column]!;
      const result = parseMrz(replaceAt(lines, at, confusable[char] ?? char), { now: NOW });
      const capture = captureFromMrz(result, 'mrz', NOW);
      const { suggestedCorrection } = capture.view;
      expect(suggestedCorrection !== null).toBe(result.corrected !== null);
      expect(capture.correctedView !== null).toBe(result.corrected !== null);
      if (result.corrected && suggestedCorrection) {
        offered += 1;
        expect(suggestedCorrection.changes).toEqual(result.corrections.map(({ field, from, to }) => ({ field, from, to })));
        expect(suggestedCorrection.fields.map((f) => f.value)).toEqual(
          captureFromMrz(result.corrected, 'mrz', NOW).view.fields.map((f) => f.value));
      }
    }), { numRuns: 400 });
    expect(offered).toBeGreaterThan(0);
  });

  it('property: no problem message repeats the value it is about', () => {
    // Values of five characters or more: shorter ones (a sex, a one-letter code) occur in any sentence.
    const cases = fc.constantFrom(...FORMATS).chain((format) => fc.record({
      format: fc.constant(format),
      fields: mrzFieldsArbitrary(format).filter((f) => f.documentNumber.length >= 5),
      at: fc.record({ line: fc.nat(), column: fc.nat() }),
      char: fc.constantFrom(...'0123456789OISBZX<'),
    }));
    let problems = 0;
    fc.assert(fc.property(cases, ({ format, fields, at, char }) => {
      const lines = formatMrz(fields, format);
      const position = { line: at.line % lines.length, column: at.column % lines[0]!.length };
      const capture = captureFromMrz(parseMrz(replaceAt(lines, position, char), { now: NOW }), 'mrz', NOW);
      for (const { value, problem } of problemsWithValues(capture)) {
        problems += 1;
        if (value.length >= 5) expect(problem).not.toContain(value);
      }
    }), { numRuns: 300 });
    expect(problems).toBeGreaterThan(0);
  });
});

function card(text: Partial<CnidCardText> = {}): CnidCard {
  const parsed = parseCardText(encodeCardText({ ...SAMPLE_CNID_CARD.text, ...text }));
  return { ...parsed, photo: SAMPLE_CNID_CARD.photo, portraitAvailable: false };
}

describe('captureFromCnid', () => {
  it('shows the sample card with every field passing, sex and ethnicity by name, and keeps the photo', () => {
    const read = card();
    const capture = captureFromCnid(read, NOW);
    expect(capture.view).toMatchObject({
      at: NOW.toISOString(), source: 'cnid', documentType: 'CNID', valid: true, expired: false,
      suggestedCorrection: null, portraitAvailable: false,
    });
    const { text } = SAMPLE_CNID_CARD;
    const iso = (yyyymmdd: string) => `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6)}`;
    expect(capture.view.fields).toEqual([
      { name: 'name', value: text.name, ok: true },
      { name: 'sexCode', value: '男 / male', ok: true },
      { name: 'ethnicityCode', value: '汉族 / Han', ok: true },
      { name: 'birthDate', value: iso(text.birthDate), ok: true },
      { name: 'address', value: text.address, ok: true },
      { name: 'idNumber', value: text.idNumber, ok: true },
      { name: 'issuingAuthority', value: text.issuingAuthority, ok: true },
      { name: 'validFrom', value: iso(text.validFrom), ok: true },
      { name: 'validTo', value: iso(text.validTo), ok: true },
    ]);
    expect(capture.cardPhoto).toBe(read.photo);
    expect(capture.cardPhoto).toEqual(SAMPLE_CNID_CARD.photo);
    expect(capture.mrzLines).toBeNull();
  });

  const BAD_CARDS: Array<[string, Partial<CnidCardText>, string]> = [
    ['a wrong ID number check character', { idNumber: '110101199003071234' }, 'idNumber'],
    ['an ID number whose birth date differs from the birth date field', { birthDate: '19900308' }, 'idNumber'],
    ['a sex code that contradicts the ID number', { sexCode: '2' }, 'sexCode'],
    ['an unknown ethnicity code', { ethnicityCode: '77' }, 'ethnicityCode'],
    ['an empty name', { name: '' }, 'name'],
    ['an empty issuing authority', { issuingAuthority: '' }, 'issuingAuthority'],
    ['a validity start that is no date', { validFrom: '20201350' }, 'validFrom'],
    ['a validity end before its start', { validTo: '20190101' }, 'validTo'],
  ];

  it.each(BAD_CARDS)('marks only the field at fault for %s', (_, text, field) => {
    const read = card(text);
    expect(read.valid).toBe(false);
    const capture = captureFromCnid(read, NOW);
    expect(capture.view.valid).toBe(false);
    expect(marked(capture)).toEqual([field]);
    expect(fieldNamed(capture, field)?.problem).toBe(read.problems[field as keyof CnidCardText]);
  });

  it('never repeats a field value in a problem message', () => {
    for (const [, text] of BAD_CARDS) {
      const capture = captureFromCnid(card(text), NOW);
      for (const { value, problem } of problemsWithValues(capture)) if (value.length >= 3) expect(problem).not.toContain(value);
    }
    const idNumber = '110101199003071234';
    expect(JSON.stringify(captureFromCnid(card({ idNumber }), NOW).view.fields.map((f) => f.problem))).not.toContain(idNumber);
  });

  it('never expires a card valid for the long term (长期)', () => {
    const read = card({ validTo: LONG_TERM });
    expect(read.longTermValidity).toBe(true);
    const capture = captureFromCnid(read, new Date('2099-12-31T12:00:00Z'));
    expect(capture.view).toMatchObject({ valid: true, expired: false });
    expect(fieldNamed(capture, 'validTo')).toEqual({ name: 'validTo', value: LONG_TERM, ok: true });
  });

  it('flags an expired card on its validity end, from the day after it', () => {
    const read = card({ validFrom: '20100101', validTo: '20240614' });
    const capture = captureFromCnid(read, NOW);
    expect(capture.view).toMatchObject({ valid: true, expired: true });
    expect(marked(capture)).toEqual(['validTo']);
    expect(fieldNamed(capture, 'validTo')).toEqual({ name: 'validTo', value: '2024-06-14', ok: false, problem: 'The card has expired.' });
    expect(captureFromCnid(card({ validFrom: '20100101', validTo: '20240615' }), NOW).view.expired).toBe(false);
  });

  it('keeps the card photo opaque: no portrait, the bytes kept for sealing', () => {
    const photo = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) & 0xff);
    const capture = captureFromCnid({ ...card(), photo }, NOW);
    expect(capture.view.portraitAvailable).toBe(false);
    expect(capture.correctedView).toBeNull();
    expect(capture.cardPhoto).toEqual(photo);
    expect(JSON.stringify(capture.view)).not.toMatch(/photo/i);
  });
});
