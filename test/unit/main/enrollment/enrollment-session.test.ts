// The enrollment state machine on its own: the steps of each flow, which reads the
// document step takes, what the officer may accept (and with which fields), and that a
// screen's view never carries the raw MRZ lines or the card photo.

import { describe, expect, it } from 'vitest';
import { captureFromCnid, captureFromMrz, type DocumentCapture } from '../../../../main/enrollment/document-capture.js';
import { EnrollmentSession, FLOW_STEPS, type Flow } from '../../../../main/enrollment/enrollment-session.js';
import { GatehouseError } from '../../../../main/errors.js';
import { encodeCardText, parseCardText } from '../../../../native/idreader/cnid/card-text.js';
import { formatMrz, parseMrz, type MrzFieldValues } from '../../../../native/idreader/mrz/index.js';
import { SAMPLE_CNID_CARD } from '../../../../native/sim/cnid-sim.js';
import { replaceAt } from '../../native/idreader/mrz/protected-positions.js';
import { NOW, PASSPORT } from './sample-documents.js';


const read = (lines: string[]): DocumentCapture => captureFromMrz(parseMrz(lines, { now: NOW }), 'mrz', NOW);
const goodRead = (fields: Partial<MrzFieldValues> = {}) => read(formatMrz({ ...PASSPORT, ...fields }, 'TD3'));
/** The birth date's check digit off by one: no OCR correction can fix that. */
const invalidRead = () => {
  const lines = formatMrz(PASSPORT, 'TD3');
  return read(replaceAt(lines, { line: 1, column: 19 }, String((Number(lines[1]![19]) + 1) % 10)));
};
/** The document number's '0' read as 'O': the parser offers the fix. */
const correctableRead = () => read(replaceAt(formatMrz(PASSPORT, 'TD3'), { line: 1, column: 5 }, 'O'));
const cnidRead = () => captureFromCnid(
  { ...parseCardText(encodeCardText(SAMPLE_CNID_CARD.text)), photo: SAMPLE_CNID_CARD.photo, portraitAvailable: false }, NOW);

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof GatehouseError) return error.code;
    throw error;
  }
  throw new Error('expected a GatehouseError');
}

describe('EnrollmentSession', () => {
  it.each<[Flow, string[]]>([
    ['person', ['document', 'face', 'fingerprints', 'details', 'review']],
    ['company', ['document', 'face', 'details', 'review']],
  ])('runs the %s flow through its steps in order, starting at the document', (flow, steps) => {
    expect(FLOW_STEPS[flow]).toEqual(steps);
    const session = new EnrollmentSession(flow);
    expect(session.step).toBe('document');
    expect(session.view()).toMatchObject({
      id: session.id, flow, steps, step: 'document', document: null, pendingRead: null, readFailure: null,
    });
    const capture = goodRead();
    session.offerRead(capture);
    session.acceptDocument(capture.view.readId, false);
    expect(session.step).toBe(steps[1]);
    expect(session.view().steps).toEqual(steps);
  });

  it('gives each enrollment its own id', () => {
    expect(new EnrollmentSession('person').id).not.toBe(new EnrollmentSession('person').id);
  });

  it('takes reads and read failures only on the document step', () => {
    const session = new EnrollmentSession('company');
    const failure = { at: NOW.toISOString(), code: 'MRZ_INCOMPLETE', message: 'Read it again.' };
    expect(session.offerFailure(failure)).toBe(true);
    expect(session.view().readFailure).toEqual(failure);
    const first = goodRead();
    expect(session.offerRead(first)).toBe(true);
    expect(session.view()).toMatchObject({ pendingRead: first.view, readFailure: null });
    session.acceptDocument(first.view.readId, false);

    expect(session.step).toBe('face');
    expect(session.offerRead(goodRead())).toBe(false);
    expect(session.offerFailure(failure)).toBe(false);
    expect(session.view()).toMatchObject({ document: first.view, pendingRead: null, readFailure: null });
    expect(session.document).toBe(first);
  });

  it('refuses a read id it has never seen, or none pending', () => {
    const session = new EnrollmentSession('person');
    expect(refusal(() => session.acceptDocument('no-such-read', false))).toBe('ENROLLMENT_NO_SUCH_READ');
    session.offerRead(goodRead());
    expect(refusal(() => session.acceptDocument('no-such-read', false))).toBe('ENROLLMENT_NO_SUCH_READ');
    expect(session.step).toBe('document');
  });

  it('refuses a stale read once a newer one replaced it, and accepts the newer', () => {
    const session = new EnrollmentSession('person');
    const older = goodRead();
    const newer = goodRead({ givenNames: 'ANNA' });
    session.offerRead(older);
    session.offerRead(newer);
    expect(session.view().pendingRead).toEqual(newer.view);
    expect(refusal(() => session.acceptDocument(older.view.readId, false))).toBe('ENROLLMENT_NO_SUCH_READ');
    expect(session.acceptDocument(newer.view.readId, false)).toBe(newer);
    expect(session.view().document?.fields.find((f) => f.name === 'givenNames')?.value).toBe('ANNA');
  });

  it('refuses a read that was accepted already', () => {
    const session = new EnrollmentSession('person');
    const capture = goodRead();
    session.offerRead(capture);
    session.acceptDocument(capture.view.readId, false);
    expect(refusal(() => session.acceptDocument(capture.view.readId, false))).toBe('ENROLLMENT_NO_SUCH_READ');
    expect(session.step).toBe('face');
  });

  it('refuses an invalid read and keeps it pending for the officer to see', () => {
    const session = new EnrollmentSession('person');
    const capture = invalidRead();
    expect(capture.view.valid).toBe(false);
    session.offerRead(capture);
    expect(refusal(() => session.acceptDocument(capture.view.readId, false))).toBe('ENROLLMENT_DOCUMENT_INVALID');
    expect(session.view()).toMatchObject({ step: 'document', document: null, pendingRead: capture.view });
  });

  it('refuses an expired document', () => {
    const session = new EnrollmentSession('person');
    const capture = goodRead({ expiryDate: '120415' });
    expect(capture.view).toMatchObject({ valid: true, expired: true });
    session.offerRead(capture);
    expect(refusal(() => session.acceptDocument(capture.view.readId, false))).toBe('ENROLLMENT_DOCUMENT_EXPIRED');
    expect(session.view()).toMatchObject({ step: 'document', document: null });
  });

  it('refuses an expired document even with a correction that fixes its check digits', () => {
    const session = new EnrollmentSession('person');
    const capture = read(replaceAt(formatMrz({ ...PASSPORT, expiryDate: '120415' }, 'TD3'), { line: 1, column: 5 }, 'O'));
    expect(capture.view.suggestedCorrection).not.toBeNull();
    session.offerRead(capture);
    expect(refusal(() => session.acceptDocument(capture.view.readId, true))).toBe('ENROLLMENT_DOCUMENT_EXPIRED');
  });

  it('refuses to apply a correction the read does not have', () => {
    const session = new EnrollmentSession('person');
    const capture = goodRead();
    session.offerRead(capture);
    expect(refusal(() => session.acceptDocument(capture.view.readId, true))).toBe('ENROLLMENT_NO_CORRECTION');
    expect(session.step).toBe('document');
  });

  it('accepts a correctable read only with its correction, and then keeps the corrected fields', () => {
    const session = new EnrollmentSession('person');
    const capture = correctableRead();
    const suggestion = capture.view.suggestedCorrection;
    expect(suggestion).not.toBeNull();
    session.offerRead(capture);
    expect(refusal(() => session.acceptDocument(capture.view.readId, false))).toBe('ENROLLMENT_DOCUMENT_INVALID');

    const accepted = session.acceptDocument(capture.view.readId, true);
    expect(accepted.view).toMatchObject({ readId: capture.view.readId, valid: true, expired: false, fields: suggestion!.fields });
    expect(session.view().document?.fields.find((f) => f.name === 'documentNumber')).toEqual(
      { name: 'documentNumber', value: 'L898902C3', ok: true });
    expect(session.view().document?.fields.every((f) => f.ok)).toBe(true);
    expect(session.step).toBe('face');
  });

  it('accepts the correction of an expiry date whose misread made the document look expired', () => {
    // '3O0101': the letter O in the expiry date is no date, so the raw read counts as expired.
    const lines = replaceAt(formatMrz({ ...PASSPORT, expiryDate: '300101' }, 'TD3'), { line: 1, column: 22 }, 'O');
    const capture = read(lines);
    expect(capture.view).toMatchObject({ valid: false, expired: true });
    expect(capture.view.suggestedCorrection?.changes).toEqual([{ field: 'expiryDate', from: 'O', to: '0' }]);
    const session = new EnrollmentSession('person');
    session.offerRead(capture);
    const accepted = session.acceptDocument(capture.view.readId, true);
    expect(accepted.view).toMatchObject({ valid: true, expired: false });
    expect(accepted.view.fields.find((f) => f.name === 'expiryDate')).toEqual({ name: 'expiryDate', value: '2030-01-01', ok: true });
    expect(session.step).toBe('face');
  });

  it('forgets the pending read and the failure on retry', () => {
    const session = new EnrollmentSession('person');
    const capture = goodRead();
    session.offerRead(capture);
    session.offerFailure({ at: NOW.toISOString(), code: 'MRZ_FRAME_CUT', message: 'Read it again.' });
    session.retryDocument();
    expect(session.view()).toMatchObject({ step: 'document', pendingRead: null, readFailure: null, document: null });
    expect(refusal(() => session.acceptDocument(capture.view.readId, false))).toBe('ENROLLMENT_NO_SUCH_READ');
  });

  it('never shows a screen the raw MRZ lines or the card photo', () => {
    const mrz = correctableRead();
    const card = cnidRead();
    expect(mrz.mrzLines).toHaveLength(2);
    expect(card.cardPhoto).toHaveLength(1024);
    const photoHex = Buffer.from(card.cardPhoto!).toString('hex');
    const photoBase64 = Buffer.from(card.cardPhoto!).toString('base64');

    const views: unknown[] = [];
    for (const capture of [mrz, card]) {
      const session = new EnrollmentSession('person');
      session.offerRead(capture);
      views.push(session.view());
      if (capture === mrz) session.acceptDocument(capture.view.readId, true);
      else session.acceptDocument(capture.view.readId, false);
      views.push(session.view());
    }
    for (const view of views) {
      const json = JSON.stringify(view);
      for (const line of mrz.mrzLines!) expect(json).not.toContain(line);
      expect(json).not.toContain(photoHex.slice(0, 64));
      expect(json).not.toContain(photoBase64.slice(0, 64));
      expect(json).not.toMatch(/mrzLines|cardPhoto|photo/i);
      expect(containsBytes(view)).toBe(false);
    }
  });
});

describe('EnrollmentSession details and review', () => {
  const details = {
    flow: 'company', companyName: 'Eriksson Bakery', registrationNumber: 'HRB 12345 B', legalForm: 'limited-company',
    legalFormNote: null, registeredAddress: 'Marktplatz 3, 04109 Leipzig', role: 'owner',
  } as const;
  const consent = { version: '2026-01', language: 'en', acceptedAt: NOW.toISOString() } as const;

  function atDetails(): EnrollmentSession {
    const session = new EnrollmentSession('company');
    const capture = goodRead();
    session.offerRead(capture);
    session.acceptDocument(capture.view.readId, false);
    session.recordFaceException('no-camera');
    expect(session.step).toBe('details');
    return session;
  }

  it('takes details only on the details step and for its own flow, then moves to the review', () => {
    const early = new EnrollmentSession('company');
    expect(refusal(() => early.saveDetails(details))).toBe('ENROLLMENT_WRONG_STEP');
    const session = atDetails();
    expect(refusal(() => session.saveDetails({ ...details, flow: 'person' } as never))).toBe('ENROLLMENT_WRONG_FLOW');
    expect(refusal(() => session.setConsent(consent))).toBe('ENROLLMENT_WRONG_STEP');
    session.saveDetails(details);
    expect(session.view()).toMatchObject({ step: 'review', details, consent: null });
    expect(refusal(() => session.readyToSeal())).toBe('ENROLLMENT_NO_CONSENT');
    session.setConsent(consent);
    expect(session.view().consent).toEqual(consent);
    expect(session.readyToSeal()).toEqual({ document: session.document, details, consent });
  });

  it('goes back from the review to the details, keeping them and asking for the consent again', () => {
    const session = atDetails();
    expect(refusal(() => session.reopenDetails())).toBe('ENROLLMENT_WRONG_STEP');
    session.saveDetails(details);
    session.setConsent(consent);
    session.reopenDetails();
    expect(session.view()).toMatchObject({ step: 'details', details, consent: null });
  });

  it('drops the document, details and consent when it ends', () => {
    const session = atDetails();
    session.saveDetails(details);
    session.setConsent(consent);
    session.close();
    expect(session.view()).toMatchObject({ document: null, details: null, consent: null });
    expect(session.closed.aborted).toBe(true);
  });
});

function containsBytes(value: unknown): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(containsBytes);
}
