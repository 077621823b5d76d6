// The record an approved enrollment becomes, built from an enrollment filled by hand: every
// field the authority needs in the JSON (who ran it, who accepted the read, who captured the
// face and each finger, every exception with its note and officer, who approved it, how, and
// why a second approval was needed), every binary part named by the JSON and present with its
// own bytes (exception photos included), nothing for the screen only (the finger PNG) and no
// bytes in the JSON.

import { describe, expect, it } from 'vitest';
import { buildEnrollmentRecord, type Approval } from '../../../../main/enrollment/enrollment-record.js';
import { VERIFICATION_THRESHOLDS } from '../../../../main/face/verification-thresholds.js';
import { SAMPLE_CNID_CARD } from '../../../../native/sim/cnid-sim.js';
import { NOW } from './sample-documents.js';
import {
  chipRead, cnidRead, COMPANY_DETAILS, CONSENT, containsBytes, correctableRead, faceException, faceOutcome, fingerCapture, fingerException,
  livenessException, OFFICER, onReview, passportRead, PERSON_DETAILS, photoBytes, RECORDED_AT, SECOND_OFFICER, SUPERVISOR,
} from './sample-enrollments.js';

const APPROVED_AT = new Date('2024-06-15T12:30:00Z');
const AT_THE_SCREEN: Approval = { by: OFFICER, method: 'pin', at: APPROVED_AT, kioskVersion: '0.9.0', held: null };
const FROM_THE_QUEUE: Approval = {
  by: SUPERVISOR, method: 'fingerprint', at: APPROVED_AT, kioskVersion: '0.9.0', held: { at: '2024-06-15T12:20:00.000Z', by: OFFICER },
};

/** A person enrollment on review: a passport read with its OCR correction, a face without a passed challenge, finger 2 captured and 7 excepted. */
const personOnReview = () => onReview('person', {
  ranBy: OFFICER,
  document: correctableRead(),
  useCorrection: true,
  face: { outcome: faceOutcome({ decision: 'review', livenessPassed: false, capture: 'officer' }), livenessException: livenessException(), by: OFFICER },
  fingers: [fingerCapture(2), fingerException(7, { reason: 'missing', note: 'Amputated', by: SECOND_OFFICER })],
});

/** A company registration by a business owner alone, with the CN ID card and a face exception recorded by an officer called over. */
const companyOnReview = () => onReview('company', {
  ranBy: null, document: cnidRead(), documentBy: null, faceException: faceException(SECOND_OFFICER),
});

const partsOf = (record: { parts: ReadonlyArray<{ name: string; bytes: Uint8Array }> }) =>
  record.parts.map((part) => [part.name, Buffer.from(part.bytes).toString('hex')]);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('buildEnrollmentRecord', () => {
  it('writes a person enrollment: document, face with its liveness exception, fingers, details, consent, held approval', () => {
    const enrollment = personOnReview();
    const record = buildEnrollmentRecord(enrollment, FROM_THE_QUEUE);
    expect(record.kind).toBe('person-enrollment');
    expect(record.enrollmentId).toBe(enrollment.id);
    expect(record.json).toEqual({
      enrollmentId: enrollment.id,
      flow: 'person',
      ranBy: OFFICER,
      document: {
        type: 'TD3', source: 'mrz', readAt: NOW.toISOString(),
        fields: expect.objectContaining({ documentNumber: 'L898902C3', surname: 'ERIKSSON', givenNames: 'ANNA MARIA', birthDate: '1974-08-12' }),
        ocrCorrections: [{ field: 'documentNumber', from: 'O', to: '0' }],
        mrzLines: enrollment.document!.capture.mrzLines,
        cardPhotoPart: null,
        chip: null,
        acceptedBy: OFFICER,
      },
      face: {
        decision: 'review', distance: 0.57, thresholds: VERIFICATION_THRESHOLDS, modelHash: 'c0ffee'.repeat(8), backend: 'wasm',
        engine: { id: 'face-api-resnet128', modelSha256: 'beef'.repeat(16), metric: 'euclidean' },
        capture: 'officer', livenessPassed: false, officerDecision: 'same-person', portraitSource: 'camera-photo-page',
        documentPortraitPart: 'portrait-document.jpg', livePortraitPart: 'portrait-live.jpg',
        livenessException: {
          reason: 'cannot-follow', note: 'Could not turn the head on request', by: OFFICER, at: RECORDED_AT, photoPart: 'liveness-exception.jpg',
        },
        capturedBy: OFFICER, decidedBy: OFFICER, acceptedBy: OFFICER,
      },
      faceException: null,
      fingerprints: [
        {
          position: 2, quality: fingerCapture(2).quality, qualityAccepted: true, attempts: 2, duplicateOf: null, capturedBy: OFFICER,
          isoRecordPart: 'finger-2.iso', templatePart: 'finger-2-template.bin',
        },
        {
          position: 7,
          exception: { reason: 'missing', note: 'Amputated', by: SECOND_OFFICER, at: RECORDED_AT, photoPart: 'finger-7-exception.jpg' },
        },
      ],
      details: PERSON_DETAILS,
      registration: null,
      consent: CONSENT,
      approval: {
        by: SUPERVISOR,
        method: 'fingerprint',
        at: '2024-06-15T12:30:00.000Z',
        secondApproval: { required: true, reasons: ['face-review-band', 'liveness-not-passed', 'finger-exception'] },
        heldForReview: { at: '2024-06-15T12:20:00.000Z', by: OFFICER },
      },
      kioskVersion: '0.9.0',
    });
    expect((record.json as { document: { mrzLines: string[] } }).document.mrzLines).toHaveLength(2);
    expect(partsOf(record)).toEqual([
      ['portrait-document.jpg', hex(faceOutcome().documentPortrait)],
      ['portrait-live.jpg', hex(faceOutcome().livePortrait)],
      ['liveness-exception.jpg', hex(livenessException().photo!)],
      ['finger-2.iso', hex(fingerCapture(2).isoRecord)],
      ['finger-2-template.bin', hex(fingerCapture(2).template)],
      ['finger-7-exception.jpg', hex(fingerException(7).photo!)],
    ]);
    expect(containsBytes(record.json)).toBe(false);
  });

  it('writes a company registration: card fields and photo, the face exception with its photo, no fingerprints, the owner linked to the company', () => {
    const enrollment = companyOnReview();
    const record = buildEnrollmentRecord(enrollment, { ...AT_THE_SCREEN, by: SUPERVISOR });
    expect(record.kind).toBe('company-registration');
    expect(record.json).toMatchObject({
      flow: 'company',
      ranBy: null,
      document: { type: 'CNID', source: 'cnid', mrzLines: null, ocrCorrections: [], cardPhotoPart: 'document-photo.wlt', acceptedBy: null },
      face: null,
      faceException: {
        reason: 'cannot-face-camera', note: 'Wears a medical face covering', by: SECOND_OFFICER, at: RECORDED_AT, photoPart: 'face-exception.jpg',
      },
      fingerprints: null,
      details: COMPANY_DETAILS,
      // The owner who proved who they are here, linked with the company's particulars.
      registration: {
        company: {
          name: 'Eriksson Bakery', registrationNumber: 'HRB 12345 B', legalForm: 'other', legalFormNote: 'Cooperative',
          registeredAddress: 'Marktplatz 3\n04109 Leipzig',
        },
        owner: { role: 'director', identity: { name: SAMPLE_CNID_CARD.text.name, idNumber: SAMPLE_CNID_CARD.text.idNumber, birthDate: expect.any(String) } },
      },
      approval: { by: SUPERVISOR, method: 'pin', secondApproval: { required: true, reasons: ['face-exception'] }, heldForReview: null },
    });
    expect(partsOf(record)).toEqual([
      ['document-photo.wlt', hex(SAMPLE_CNID_CARD.photo)],
      ['face-exception.jpg', hex(photoBytes(60))],
    ]);
    expect(containsBytes(record.json)).toBe(false);
  });

  it('records that a clean enrollment needed no second approval, and names no photo for an exception without one', () => {
    const clean = buildEnrollmentRecord(onReview('person'), AT_THE_SCREEN);
    expect(clean.json).toMatchObject({
      faceException: null,
      approval: { by: OFFICER, method: 'pin', secondApproval: { required: false, reasons: [] }, heldForReview: null },
    });
    const noCamera = buildEnrollmentRecord(onReview('company', { faceException: faceException(OFFICER, null) }), AT_THE_SCREEN);
    expect(noCamera.json).toMatchObject({ faceException: { reason: 'no-camera', photoPart: null } });
    expect(noCamera.parts).toEqual([]);
  });

  it('records a duplicate finger with what it duplicates, and as a second-approval reason', () => {
    const enrollment = onReview('person', {
      fingers: [fingerCapture(2), fingerCapture(7, { duplicateOf: { kind: 'operator', operatorId: 4 }, by: SECOND_OFFICER })],
    });
    const record = buildEnrollmentRecord(enrollment, FROM_THE_QUEUE);
    expect(record.json).toMatchObject({
      fingerprints: [{ position: 2, duplicateOf: null }, { position: 7, duplicateOf: { kind: 'operator', operatorId: 4 }, capturedBy: SECOND_OFFICER }],
      approval: { secondApproval: { required: true, reasons: ['finger-duplicate'] } },
    });
  });

  it('carries the chip: its verdict and checks, and every file as read as a part the JSON names', async () => {
    const document = passportRead();
    const chip = await chipRead(document);
    const record = buildEnrollmentRecord(onReview('person', { document, chip }), AT_THE_SCREEN);
    const json = record.json as { document: { chip: Record<string, unknown> & { fileParts: { name: string; part: string }[] } } };
    expect(json.document.chip).toMatchObject({
      status: 'done', verdict: 'verified', access: 'PACE', country: 'UT', acknowledged: false,
      passiveAuthentication: { status: 'valid', checks: { signature: 'passed', chain: 'passed', dataGroupHashes: 'passed' } },
      portraitPart: 'portrait-chip.jpg',
    });
    const parts = new Map(record.parts.map((part) => [part.name, part.bytes]));
    const files = chip.outcome().evidence!.files;
    expect(json.document.chip.fileParts.map((file) => file.name)).toEqual(files.map((file) => file.name));
    for (const { name, part } of json.document.chip.fileParts) {
      expect(hex(parts.get(part)!), name).toBe(hex(files.find((file) => file.name === name)!.bytes));
    }
  });

  it('never carries the finger PNG, which is for the screen only', () => {
    const record = buildEnrollmentRecord(personOnReview(), FROM_THE_QUEUE);
    expect(record.parts.some((part) => part.name.endsWith('.png'))).toBe(false);
    expect(JSON.stringify(record.json)).not.toMatch(/png/i);
  });

  it('refuses an enrollment that is not on review, or whose consent is missing', () => {
    const enrollment = companyOnReview();
    enrollment.setConsent(null);
    expect(() => buildEnrollmentRecord(enrollment, AT_THE_SCREEN)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_NO_CONSENT' }));
    enrollment.enter('details');
    expect(() => buildEnrollmentRecord(enrollment, AT_THE_SCREEN)).toThrow(expect.objectContaining({ name: 'GatehouseError', code: 'ENROLLMENT_WRONG_STEP' }));
  });
});
