// Turns what a reader driver produced (a parsed MRZ or a CN resident-ID card) into the
// one shape the document step shows and the record keeps: a list of fields, each with
// its own verdict, plus the raw material (MRZ lines, card photo) kept for sealing.

import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { DeviceError } from '../../native/device-error.js';
import type { CnidCard } from '../../native/idreader/cnid/sam-reader.js';
import type { CnidTextField } from '../../native/idreader/cnid/card-text.js';
import type { MrzAccessFields } from '../../native/emrtd/bac.js';
import type { DocumentReading } from '../../native/idreader/document-reader.js';
import type { MrzCheckName, MrzFieldValues, MrzResult } from '../../native/idreader/mrz/mrz-result.js';
import type { DocumentField, DocumentRead } from '../rpc/contract.js';
import type { ReadFailure } from '../rpc/schemas.js';

export type DocumentReadView = z.infer<typeof DocumentRead>;
type Field = z.infer<typeof DocumentField>;

/** A read as held in memory until the record is sealed; `view` is all a screen sees. */
export interface DocumentCapture {
  readonly view: DocumentReadView;
  /** `view` with the suggested OCR correction applied (its fields, validity and expiry), if there is one. */
  readonly correctedView: DocumentReadView | null;
  readonly mrzLines: string[] | null;
  /** CN ID card photo (WLT, opaque: decoding needs a licensed vendor library). */
  readonly cardPhoto: Uint8Array | null;
  /**
   * What opens and checks the document's chip: the MRZ's access fields (BAC/PACE key) and the MRZ
   * texts the chip's DG1 may equal (as read, or with the OCR correction). Null for documents that
   * carry no eMRTD chip (visas, CN resident IDs).
   */
  readonly chip: { readonly key: MrzAccessFields; readonly mrz: readonly string[] } | null;
}

/** Passports (TD3) and ID cards (TD1, TD2) carry chips; visas do not. */
const CHIPPED_FORMATS: ReadonlySet<string> = new Set(['TD1', 'TD2', 'TD3']);

function chipOf(result: MrzResult): DocumentCapture['chip'] {
  if (!CHIPPED_FORMATS.has(result.format)) return null;
  // The key comes from the reading whose check digits hold: a misread digit would lock the chip.
  const keyed = !result.valid && result.corrected?.valid ? result.corrected : result;
  const { documentNumber, birthDate, expiryDate } = keyed.fields;
  const mrz = [result, result.corrected].flatMap((r) => (r ? [r.lines.join('')] : []));
  return { key: { documentNumber: String(documentNumber), birthDate: String(birthDate), expiryDate: String(expiryDate) }, mrz };
}

const MRZ_FIELDS: Array<keyof MrzFieldValues> = [
  'documentCode', 'issuingState', 'documentNumber', 'surname', 'givenNames', 'nationality',
  'birthDate', 'sex', 'expiryDate', 'optionalData', 'optionalData2',
];

const FIELD_CHECK_DIGITS: ReadonlySet<MrzCheckName> = new Set(['documentNumber', 'birthDate', 'expiryDate', 'optionalData']);

function mrzFields(result: MrzResult): Field[] {
  const problems = new Map<string, string>();
  // A failing composite check digit follows from any failing field check digit; it marks
  // fields itself only when it is the one thing wrong.
  const fieldDigitFails = result.problems.some((p) => FIELD_CHECK_DIGITS.has(p.check));
  for (const problem of result.problems) {
    if (problem.check === 'composite' && fieldDigitFails) continue;
    for (const field of problem.fields) if (!problems.has(field)) problems.set(field, problem.message);
  }
  const iso: Partial<Record<keyof MrzFieldValues, string | null>> = {
    birthDate: result.fields.birthDateIso, expiryDate: result.fields.expiryDateIso,
  };
  return MRZ_FIELDS
    .filter((name) => name !== 'optionalData2' || result.format === 'TD1')
    .map((name) => {
      const problem = problems.get(name);
      const value = iso[name] ?? String(result.fields[name] ?? '');
      return { name, value, ok: problem === undefined, ...(problem ? { problem } : {}) };
    });
}

export function captureFromMrz(result: MrzResult, source: 'mrz' | 'keyboard', at: Date): DocumentCapture {
  const { corrected } = result;
  const view: DocumentReadView = {
    readId: randomUUID(),
    at: at.toISOString(),
    source,
    documentType: result.format,
    valid: result.valid,
    expired: !result.checks.notExpired,
    fields: mrzFields(result),
    suggestedCorrection: corrected
      ? { fields: mrzFields(corrected), changes: result.corrections.map(({ field, from, to }) => ({ field, from, to })) }
      : null,
    portraitAvailable: false,
    chip: null,
  };
  return {
    view,
    // A misread date can make the read look expired (or not) where the corrected one is not.
    correctedView: corrected && view.suggestedCorrection
      ? { ...view, fields: view.suggestedCorrection.fields, valid: corrected.valid, expired: !corrected.checks.notExpired }
      : null,
    mrzLines: result.lines,
    cardPhoto: null,
    chip: chipOf(result),
  };
}

const CNID_FIELDS: CnidTextField[] = [
  'name', 'sexCode', 'ethnicityCode', 'birthDate', 'address', 'idNumber', 'issuingAuthority', 'validFrom', 'validTo',
];

/** The card's own words next to the English, since the officer may read either. */
const CNID_SEX_NAMES: Record<string, string> = {
  male: '男 / male', female: '女 / female', 'not-known': '未知 / not known', 'not-stated': '未说明 / not stated',
};
const CNID_DATE_FIELDS: ReadonlySet<CnidTextField> = new Set(['birthDate', 'validFrom', 'validTo']);

/** YYYYMMDD as YYYY-MM-DD; anything else (长期, a broken field) as it stands. */
function isoDate(text: string): string {
  return /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}` : text;
}

export function captureFromCnid(card: CnidCard, at: Date): DocumentCapture {
  const today = at.toISOString().slice(0, 10).replaceAll('-', '');
  const expired = !card.longTermValidity && card.text.validTo < today;
  const fields: Field[] = CNID_FIELDS.map((name) => {
    const problem = card.problems[name] ?? (name === 'validTo' && expired ? 'The card has expired.' : undefined);
    const value = name === 'sexCode' ? CNID_SEX_NAMES[card.sex ?? ''] ?? card.text.sexCode
      : name === 'ethnicityCode' ? (card.ethnicity ? `${card.ethnicity.zh} / ${card.ethnicity.en}` : card.text.ethnicityCode)
        : CNID_DATE_FIELDS.has(name) ? isoDate(card.text[name])
          : card.text[name];
    return { name, value, ok: problem === undefined, ...(problem ? { problem } : {}) };
  });
  return {
    view: {
      readId: randomUUID(),
      at: at.toISOString(),
      source: 'cnid',
      documentType: 'CNID',
      valid: card.valid,
      expired,
      fields,
      suggestedCorrection: null,
      portraitAvailable: card.portraitAvailable,
      chip: null,
    },
    correctedView: null,
    mrzLines: null,
    cardPhoto: card.photo,
    chip: null,
  };
}

/** The capture of whatever a document reader read. */
export function captureFromReading(reading: DocumentReading): DocumentCapture {
  return reading.kind === 'mrz' ? captureFromMrz(reading.result, 'mrz', reading.at) : captureFromCnid(reading.card, reading.at);
}

/** A reader's failure as the document step shows it (its code picks the translated message). */
export function readFailure(error: DeviceError, at: Date): z.infer<typeof ReadFailure> {
  return { at: at.toISOString(), code: error.code, message: error.message };
}
