// The enrollment aggregate on its own, moved by hand with `enter` as the workflow would: which
// reads the document step takes and which it refuses to accept, what a screen's view shows (and
// never: raw MRZ lines, the card photo, any bytes), why approving it needs a second operator,
// who took part in it (among them the officer who took the face by hand, the one who decided its
// review band, and the one who held it), that its revision moves with every step and consent
// change an approver would see, and that closing it drops everything captured.

import { describe, expect, it } from 'vitest';
import { Enrollment } from '../../../../main/enrollment/enrollment.js';
import { stepsOf } from '../../../../main/enrollment/transitions.js';
import { GatehouseError } from '../../../../main/errors.js';
import { Enrollment as EnrollmentSchema, type Flow } from '../../../../main/rpc/schemas.js';
import { formatMrz } from '../../../../native/idreader/mrz/index.js';
import { replaceAt } from '../../native/idreader/mrz/protected-positions.js';
import { NOW, PASSPORT } from './sample-documents.js';
import {
  cnidRead, COMPANY_DETAILS, CONSENT, containsBytes, correctableRead, faceException, faceOutcome, fingerCapture, fingerException,
  livenessException, mrzRead, OFFICER, onReview, passportRead, PERSON_DETAILS, SECOND_OFFICER, started, STARTED_AT, SUPERVISOR,
} from './sample-enrollments.js';

/** The birth date's check digit off by one: no OCR correction can fix that. */
const invalidRead = () => {
  const lines = formatMrz(PASSPORT, 'TD3');
  return mrzRead(replaceAt(lines, { line: 1, column: 19 }, String((Number(lines[1]![19]) + 1) % 10)));
};

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof GatehouseError) return error.code;
    throw error;
  }
  throw new Error('expected a GatehouseError');
}

/** Accepts `capture` as the workflow does on 'document-accepted': check, keep, move to the face step. */
function accept(enrollment: Enrollment, readId: string, useCorrection = false) {
  const accepted = enrollment.pendingReadToAccept(readId, useCorrection);
  enrollment.setDocument({ ...accepted, by: OFFICER });
  enrollment.enter('face');
  return accepted.capture;
}

describe('Enrollment: a new one', () => {
  it.each<[Flow, string[]]>([
    ['person', ['document', 'face', 'fingerprints', 'details', 'review']],
    ['company', ['document', 'face', 'details', 'review']],
  ])('starts a %s enrollment on the document step with its flow\'s steps and nothing captured', (flow, steps) => {
    const enrollment = started(flow, { ranBy: flow === 'person' ? OFFICER : null, requested: [2, 7] });
    expect(enrollment.steps).toEqual(steps);
    expect(enrollment.steps).toEqual(stepsOf(flow));
    expect(enrollment).toMatchObject({ state: 'document', step: 'document', startedAt: STARTED_AT });
    const view = enrollment.view();
    expect(EnrollmentSchema.parse(view)).toEqual(view);
    expect(view).toEqual({
      id: enrollment.id, flow, steps, state: 'document', step: 'document',
      ranBy: flow === 'person' ? OFFICER : null, assistedBy: null,
      document: null, pendingRead: null, readFailure: null,
      fingerprints: flow === 'person'
        ? { capturing: null, fingers: [{ position: 2, outcome: { kind: 'pending' } }, { position: 7, outcome: { kind: 'pending' } }] }
        : null,
      faceException: null, face: null, details: null, consent: null, secondApproval: [],
    });
  });

  it('gives each enrollment its own id, and keeps one it is given (a held enrollment thawed)', () => {
    expect(started('person').id).not.toBe(started('person').id);
    const id = '0b9a4c52-6f1e-4a7e-9a53-2d4c1f0e8b11';
    expect(new Enrollment({ id, flow: 'company', ranBy: null, startedAt: STARTED_AT, fingers: [] }).id).toBe(id);
  });

  it('asks for fingers in the person flow only', () => {
    expect(started('company', { requested: [2, 7] }).fingerprints).toBeNull();
    expect(started('person', { requested: [1, 6] }).fingerprints?.requested).toEqual([1, 6]);
  });
});

describe('Enrollment: enter', () => {
  it('follows a capture state as its step, and keeps the last step once held or ended', () => {
    const enrollment = started('person');
    enrollment.enter('face');
    expect(enrollment).toMatchObject({ state: 'face', step: 'face' });
    enrollment.enter('cancelled');
    expect(enrollment).toMatchObject({ state: 'cancelled', step: 'face' });
    expect(enrollment.view()).toMatchObject({ state: 'cancelled', step: 'face' });

    const held = onReview('company');
    held.enter('awaiting-review');
    expect(held).toMatchObject({ state: 'awaiting-review', step: 'review' });
  });
});

describe('Enrollment: the document step', () => {
  it('takes reads and read failures only on the document step', () => {
    const enrollment = started('company');
    const failure = { at: NOW.toISOString(), code: 'MRZ_INCOMPLETE', message: 'Read it again.' };
    expect(enrollment.offerFailure(failure)).toBe(true);
    expect(enrollment.view().readFailure).toEqual(failure);
    const first = passportRead();
    expect(enrollment.offerRead(first)).toBe(true);
    expect(enrollment.view()).toMatchObject({ pendingRead: first.view, readFailure: null });
    accept(enrollment, first.view.readId);

    expect(enrollment.offerRead(passportRead())).toBe(false);
    expect(enrollment.offerFailure(failure)).toBe(false);
    expect(enrollment.view()).toMatchObject({ step: 'face', document: first.view, pendingRead: null, readFailure: null });
    expect(enrollment.document).toEqual({ capture: first, chip: null, by: OFFICER });
  });

  it('hands back the pending read to accept without changing anything; keeping it is a separate step', () => {
    const enrollment = started('person');
    const capture = passportRead();
    enrollment.offerRead(capture);
    expect(enrollment.pendingReadToAccept(capture.view.readId, false)).toEqual({ capture, chip: null });
    expect(enrollment.view()).toMatchObject({ state: 'document', document: null, pendingRead: capture.view });
    enrollment.setDocument({ capture, chip: null, by: null });
    expect(enrollment.view()).toMatchObject({ state: 'document', document: capture.view, pendingRead: null });
  });

  it('refuses a read id it has never seen, or none pending', () => {
    const enrollment = started('person');
    expect(refusal(() => enrollment.pendingReadToAccept('no-such-read', false))).toBe('ENROLLMENT_NO_SUCH_READ');
    enrollment.offerRead(passportRead());
    expect(refusal(() => enrollment.pendingReadToAccept('no-such-read', false))).toBe('ENROLLMENT_NO_SUCH_READ');
    expect(enrollment.state).toBe('document');
  });

  it('refuses a stale read once a newer one replaced it, and accepts the newer', () => {
    const enrollment = started('person');
    const older = passportRead();
    const newer = passportRead({ givenNames: 'ANNA' });
    enrollment.offerRead(older);
    enrollment.offerRead(newer);
    expect(enrollment.view().pendingRead).toEqual(newer.view);
    expect(refusal(() => enrollment.pendingReadToAccept(older.view.readId, false))).toBe('ENROLLMENT_NO_SUCH_READ');
    expect(accept(enrollment, newer.view.readId)).toEqual(newer);
    expect(enrollment.view().document?.fields.find((f) => f.name === 'givenNames')?.value).toBe('ANNA');
  });

  it('refuses a read that was accepted already', () => {
    const enrollment = started('person');
    const capture = passportRead();
    enrollment.offerRead(capture);
    accept(enrollment, capture.view.readId);
    expect(refusal(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_NO_SUCH_READ');
  });

  it('refuses a pending read once the enrollment has left the document step', () => {
    const enrollment = started('person');
    const capture = passportRead();
    enrollment.offerRead(capture);
    enrollment.enter('cancelled');
    expect(refusal(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_NO_SUCH_READ');
  });

  it('refuses an invalid read and keeps it pending for the officer to see', () => {
    const enrollment = started('person');
    const capture = invalidRead();
    expect(capture.view.valid).toBe(false);
    enrollment.offerRead(capture);
    expect(refusal(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_DOCUMENT_INVALID');
    expect(enrollment.view()).toMatchObject({ step: 'document', document: null, pendingRead: capture.view });
  });

  it('refuses an expired document', () => {
    const enrollment = started('person');
    const capture = passportRead({ expiryDate: '120415' });
    expect(capture.view).toMatchObject({ valid: true, expired: true });
    enrollment.offerRead(capture);
    expect(refusal(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_DOCUMENT_EXPIRED');
    expect(enrollment.view()).toMatchObject({ step: 'document', document: null });
  });

  it('refuses an expired document even with a correction that fixes its check digits', () => {
    const enrollment = started('person');
    const capture = mrzRead(replaceAt(formatMrz({ ...PASSPORT, expiryDate: '120415' }, 'TD3'), { line: 1, column: 5 }, 'O'));
    expect(capture.view.suggestedCorrection).not.toBeNull();
    enrollment.offerRead(capture);
    expect(refusal(() => enrollment.pendingReadToAccept(capture.view.readId, true))).toBe('ENROLLMENT_DOCUMENT_EXPIRED');
  });

  it('refuses to apply a correction the read does not have', () => {
    const enrollment = started('person');
    const capture = passportRead();
    enrollment.offerRead(capture);
    expect(refusal(() => enrollment.pendingReadToAccept(capture.view.readId, true))).toBe('ENROLLMENT_NO_CORRECTION');
    expect(enrollment.state).toBe('document');
  });

  it('accepts a correctable read only with its correction, and then keeps the corrected fields', () => {
    const enrollment = started('person');
    const capture = correctableRead();
    const suggestion = capture.view.suggestedCorrection;
    expect(suggestion).not.toBeNull();
    enrollment.offerRead(capture);
    expect(refusal(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_DOCUMENT_INVALID');

    const accepted = accept(enrollment, capture.view.readId, true);
    expect(accepted.view).toMatchObject({ readId: capture.view.readId, valid: true, expired: false, fields: suggestion!.fields });
    expect(accepted.mrzLines).toEqual(capture.mrzLines);
    expect(enrollment.view().document?.fields.find((f) => f.name === 'documentNumber')).toEqual(
      { name: 'documentNumber', value: 'L898902C3', ok: true });
    expect(enrollment.view().document?.fields.every((f) => f.ok)).toBe(true);
  });

  it('accepts the correction of an expiry date whose misread made the document look expired', () => {
    // '3O0101': the letter O in the expiry date is no date, so the raw read counts as expired.
    const lines = replaceAt(formatMrz({ ...PASSPORT, expiryDate: '300101' }, 'TD3'), { line: 1, column: 22 }, 'O');
    const capture = mrzRead(lines);
    expect(capture.view).toMatchObject({ valid: false, expired: true });
    expect(capture.view.suggestedCorrection?.changes).toEqual([{ field: 'expiryDate', from: 'O', to: '0' }]);
    const enrollment = started('person');
    enrollment.offerRead(capture);
    const accepted = enrollment.pendingReadToAccept(capture.view.readId, true).capture;
    expect(accepted.view).toMatchObject({ valid: true, expired: false });
    expect(accepted.view.fields.find((f) => f.name === 'expiryDate')).toEqual({ name: 'expiryDate', value: '2030-01-01', ok: true });
  });

  it('forgets the pending read and the failure on retry', () => {
    const enrollment = started('person');
    const capture = passportRead();
    enrollment.offerRead(capture);
    enrollment.offerFailure({ at: NOW.toISOString(), code: 'MRZ_FRAME_CUT', message: 'Read it again.' });
    enrollment.retryDocument();
    expect(enrollment.view()).toMatchObject({ step: 'document', pendingRead: null, readFailure: null, document: null });
    expect(refusal(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_NO_SUCH_READ');
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
      const enrollment = started('person');
      enrollment.offerRead(capture);
      views.push(enrollment.view());
      accept(enrollment, capture.view.readId, capture === mrz);
      views.push(enrollment.view());
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

describe('Enrollment: details, consent and review', () => {
  function atDetails(): Enrollment {
    const enrollment = started('company');
    const capture = passportRead();
    enrollment.offerRead(capture);
    accept(enrollment, capture.view.readId);
    enrollment.setFaceException(faceException());
    enrollment.enter('details');
    return enrollment;
  }

  it('takes details only for its own flow, and the consent only on the review step', () => {
    const enrollment = atDetails();
    expect(refusal(() => enrollment.setDetails({ ...COMPANY_DETAILS, flow: 'person' } as never))).toBe('ENROLLMENT_WRONG_FLOW');
    expect(refusal(() => enrollment.setDetails(PERSON_DETAILS))).toBe('ENROLLMENT_WRONG_FLOW');
    expect(refusal(() => enrollment.setConsent(CONSENT))).toBe('ENROLLMENT_WRONG_STEP');
    enrollment.setDetails(COMPANY_DETAILS);
    enrollment.enter('review');
    expect(enrollment.view()).toMatchObject({ step: 'review', details: COMPANY_DETAILS, consent: null });
    expect(refusal(() => enrollment.readyToSeal())).toBe('ENROLLMENT_NO_CONSENT');
    enrollment.setConsent(CONSENT);
    expect(enrollment.view().consent).toEqual(CONSENT);
    expect(enrollment.readyToSeal()).toEqual({ document: enrollment.document, details: COMPANY_DETAILS, consent: CONSENT });
  });

  it('lets the consent be withdrawn (null) on any step, as going back to the details does', () => {
    const enrollment = onReview('company');
    enrollment.enter('details');
    enrollment.setConsent(null);
    expect(enrollment.view()).toMatchObject({ step: 'details', details: COMPANY_DETAILS, consent: null });
  });

  it('is ready to seal on the review step and while held, on no other', () => {
    const enrollment = atDetails();
    expect(refusal(() => enrollment.readyToSeal())).toBe('ENROLLMENT_WRONG_STEP');
    const reviewed = onReview('person');
    expect(reviewed.readyToSeal().consent).toEqual(CONSENT);
    reviewed.enter('awaiting-review');
    expect(reviewed.readyToSeal().details).toEqual(PERSON_DETAILS);
    reviewed.enter('sealed');
    expect(refusal(() => reviewed.readyToSeal())).toBe('ENROLLMENT_WRONG_STEP');
  });

  it('opens the fingerprint step only while on it', () => {
    const enrollment = started('person');
    expect(refusal(() => enrollment.fingerprintStep())).toBe('ENROLLMENT_WRONG_STEP');
    enrollment.enter('fingerprints');
    expect(enrollment.fingerprintStep()).toBe(enrollment.fingerprints);
    const company = started('company');
    company.enter('fingerprints'); // no such step in the company flow: there is still nothing to open
    expect(refusal(() => company.fingerprintStep())).toBe('ENROLLMENT_WRONG_STEP');
  });

  it('names the step it is on and the one asked for when refusing', () => {
    const error = started('person').notAt('review');
    expect(error).toMatchObject({ code: 'ENROLLMENT_WRONG_STEP', details: { step: 'document', expected: 'review' } });
  });
});

describe('Enrollment: view of the captures', () => {
  it('shows the face outcome, its liveness exception and who took it, and an exception photo only as a flag', () => {
    const enrollment = onReview('person', {
      face: { outcome: faceOutcome({ decision: 'review', livenessPassed: false, capture: 'officer' }), livenessException: livenessException(), by: OFFICER },
      fingers: [fingerCapture(2), fingerException(7)],
    });
    const view = enrollment.view();
    expect(EnrollmentSchema.parse(view)).toEqual(view);
    expect(view.face).toEqual({
      decision: 'review', distance: 0.57, thresholds: faceOutcome().verification.thresholds, capture: 'officer', livenessPassed: false,
      portraitSource: 'camera-photo-page',
      livenessException: { reason: 'cannot-follow', note: 'Could not turn the head on request', by: OFFICER, at: livenessException().at, photo: true },
      by: OFFICER,
    });
    expect(view.fingerprints?.fingers[1]).toEqual({
      position: 7,
      outcome: { kind: 'exception', reason: 'bandaged', note: 'Hand in a cast', by: OFFICER, at: fingerException(7).at, photo: true },
    });
    expect(containsBytes(view)).toBe(false);
  });

  it('shows a face exception with or without its photo', () => {
    const withPhoto = onReview('company', { faceException: faceException(OFFICER) });
    expect(withPhoto.view()).toMatchObject({ face: null, faceException: { reason: 'cannot-face-camera', photo: true, by: OFFICER } });
    const noCamera = onReview('company', { faceException: faceException(OFFICER, null) });
    expect(noCamera.view().faceException).toMatchObject({ reason: 'no-camera', photo: false });
    expect(containsBytes(withPhoto.view())).toBe(false);
  });

  it('shows the officer called to the screen while they assist', () => {
    const enrollment = started('company');
    enrollment.assistedBy = SECOND_OFFICER;
    expect(enrollment.view().assistedBy).toEqual(SECOND_OFFICER);
    enrollment.assistedBy = null;
    expect(enrollment.view().assistedBy).toBeNull();
  });
});

describe('Enrollment: second approval', () => {
  const cleanFace = { outcome: faceOutcome(), livenessException: null, by: OFFICER };

  it.each([
    ['a clean person enrollment', 'person' as Flow, {}, []],
    ['a clean company registration', 'company' as Flow, {}, []],
    ['a face exception', 'company' as Flow, { faceException: faceException() }, ['face-exception']],
    ['a face in the review band', 'person' as Flow,
      { face: { ...cleanFace, outcome: faceOutcome({ decision: 'review' }) } }, ['face-review-band']],
    ['a face without a passed liveness challenge', 'person' as Flow,
      { face: { outcome: faceOutcome({ livenessPassed: false, capture: 'officer' }), livenessException: livenessException(), by: OFFICER } },
      ['liveness-not-passed']],
    ['a finger exception', 'person' as Flow, { fingers: [fingerCapture(2), fingerException(7)] }, ['finger-exception']],
    ['a duplicate finger', 'person' as Flow,
      { fingers: [fingerCapture(2), fingerCapture(7, { duplicateOf: { kind: 'session', position: 2 } })] }, ['finger-duplicate']],
    ['a finger that is an operator\'s login finger', 'person' as Flow,
      { fingers: [fingerCapture(2, { duplicateOf: { kind: 'operator', operatorId: 4 } })] }, ['finger-duplicate']],
    ['everything at once, in the fixed order', 'person' as Flow, {
      face: { outcome: faceOutcome({ decision: 'review', livenessPassed: false }), livenessException: livenessException(), by: OFFICER },
      faceException: faceException(),
      fingers: [fingerException(2), fingerCapture(7, { duplicateOf: { kind: 'operator', operatorId: null } })],
    }, ['face-exception', 'face-review-band', 'liveness-not-passed', 'finger-exception', 'finger-duplicate']],
  ])('needs it for %s', (_name, flow, captures, reasons) => {
    const enrollment = onReview(flow, captures);
    expect(enrollment.secondApproval()).toEqual(reasons);
    expect(enrollment.view().secondApproval).toEqual(reasons);
  });

  it('weighs the captures as they are so far (nothing captured: none needed)', () => {
    const enrollment = started('person', { requested: [2, 7] });
    expect(enrollment.secondApproval()).toEqual([]);
    enrollment.enter('fingerprints');
    enrollment.fingerprintStep().recordException(fingerException(7));
    expect(enrollment.secondApproval()).toEqual(['finger-exception']);
    enrollment.fingerprintStep().discard(7);
    expect(enrollment.secondApproval()).toEqual([]);
  });
});

describe('Enrollment: participants', () => {
  it('counts whoever ran it and whoever captured any part of it', () => {
    const enrollment = onReview('person', {
      ranBy: OFFICER,
      documentBy: SECOND_OFFICER,
      face: { outcome: faceOutcome({ livenessPassed: false }), livenessException: livenessException({ id: 11, name: 'Liv', role: 'officer' }), by: { id: 10, name: 'Fay', role: 'officer' } },
      faceException: faceException({ id: 12, name: 'Fen', role: 'officer' }),
      fingers: [fingerCapture(2, { by: { id: 13, name: 'Fin', role: 'officer' } }), fingerException(7, { by: SUPERVISOR })],
    });
    expect([...enrollment.participants()].sort((a, b) => a - b)).toEqual([3, 4, 8, 10, 11, 12, 13]);
  });

  it('counts each operator once, and nobody for a business owner alone', () => {
    expect([...onReview('person').participants()]).toEqual([OFFICER.id]);
    expect(onReview('company', { ranBy: null, documentBy: null }).participants().size).toBe(0);
  });

  it('counts the officer who took the face by hand and the one who decided its review band, though neither accepted it', () => {
    const decider = { id: 14, name: 'Dora', role: 'supervisor' } as const;
    const enrollment = onReview('company', {
      ranBy: null, documentBy: null,
      face: { outcome: faceOutcome({ decision: 'review', capture: 'officer', capturedBy: SECOND_OFFICER, decidedBy: decider }), livenessException: null, by: null },
    });
    expect([...enrollment.participants()].sort((a, b) => a - b)).toEqual([SECOND_OFFICER.id, decider.id]);
    const automatic = onReview('company', {
      ranBy: null, documentBy: null, face: { outcome: faceOutcome({ decision: 'review', decidedBy: decider }), livenessException: null, by: null },
    });
    expect([...automatic.participants()]).toEqual([decider.id]);
  });

  it('counts the officer who held it for review', () => {
    const enrollment = onReview('company', { ranBy: null, documentBy: null });
    expect(enrollment.participants().size).toBe(0);
    enrollment.held = { by: SUPERVISOR, at: STARTED_AT };
    expect([...enrollment.participants()]).toEqual([SUPERVISOR.id]);
  });

  it('counts the officer called to help a business owner once they captured something', () => {
    const enrollment = onReview('company', { ranBy: null, documentBy: null, faceException: faceException(SECOND_OFFICER) });
    expect([...enrollment.participants()]).toEqual([SECOND_OFFICER.id]);
  });
});

describe('Enrollment: revision', () => {
  it('goes up with each step it enters and each consent given or taken back, and with nothing else', () => {
    const enrollment = started('person', { requested: [2] });
    const seen = [enrollment.revision];
    const step = (change: () => void) => {
      change();
      seen.push(enrollment.revision);
    };
    step(() => enrollment.enter('face'));
    step(() => enrollment.setFace({ outcome: faceOutcome(), livenessException: null, by: OFFICER }));
    step(() => enrollment.enter('fingerprints'));
    step(() => enrollment.fingerprintStep().record(fingerCapture(2)));
    step(() => enrollment.enter('details'));
    step(() => enrollment.setDetails(PERSON_DETAILS));
    step(() => enrollment.enter('review'));
    step(() => enrollment.setConsent(CONSENT));
    step(() => enrollment.setConsent(null));
    step(() => enrollment.setConsent(CONSENT));
    step(() => enrollment.view());
    expect(seen).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 7]);
  });

  it('moves when the details are reopened and saved again, so an approval started before sees it changed', () => {
    const enrollment = onReview('person');
    const before = enrollment.revision;
    enrollment.enter('details');
    enrollment.setDetails(PERSON_DETAILS);
    enrollment.enter('review');
    enrollment.setConsent(CONSENT);
    expect(enrollment.revision).toBe(before + 3);
  });
});

describe('Enrollment: close', () => {
  it('drops every capture, the assisting officer and the consent, and aborts work for it', () => {
    const enrollment = onReview('person', {
      face: { outcome: faceOutcome({ livenessPassed: false }), livenessException: livenessException(), by: OFFICER },
      faceException: faceException(),
      fingers: [fingerCapture(2), fingerException(7)],
    });
    enrollment.assistedBy = SECOND_OFFICER;
    expect(enrollment.closed.aborted).toBe(false);
    enrollment.close();
    expect(enrollment.closed.aborted).toBe(true);
    expect(enrollment).toMatchObject({ document: null, face: null, faceException: null, details: null, consent: null, assistedBy: null });
    expect(enrollment.fingerprints?.summary()).toEqual({ captured: 0, exceptions: 0 });
    expect(enrollment.view()).toMatchObject({
      document: null, pendingRead: null, face: null, faceException: null, details: null, consent: null, assistedBy: null, secondApproval: [],
      fingerprints: { capturing: null, fingers: [{ position: 2, outcome: { kind: 'pending' } }, { position: 7, outcome: { kind: 'pending' } }] },
    });
  });

  it('drops a pending read too', () => {
    const enrollment = started('company');
    const capture = passportRead();
    enrollment.offerRead(capture);
    enrollment.close();
    expect(enrollment.view().pendingRead).toBeNull();
    expect(refusal(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_NO_SUCH_READ');
  });
});
