// The record an approved enrollment becomes, built from a session filled by hand: every
// field the authority needs in the JSON, every binary part named by the JSON and present
// with its own bytes, nothing for the screen only (the finger PNG) and no bytes in the JSON.

import { describe, expect, it } from 'vitest';
import { captureFromCnid, captureFromMrz } from '../../../../main/enrollment/document-capture.js';
import { buildEnrollmentRecord } from '../../../../main/enrollment/enrollment-record.js';
import { EnrollmentSession, type Details } from '../../../../main/enrollment/enrollment-session.js';
import type { FaceOutcome } from '../../../../main/enrollment/face-check.js';
import type { FingerCapture } from '../../../../main/enrollment/fingerprint-captures.js';
import { VERIFICATION_THRESHOLDS } from '../../../../main/face/verification-thresholds.js';
import { GatehouseError } from '../../../../main/errors.js';
import { recordFingerException } from '../../../../native/fingerprint/capture-flow.js';
import { encodeCardText, parseCardText } from '../../../../native/idreader/cnid/card-text.js';
import { formatMrz, parseMrz } from '../../../../native/idreader/mrz/index.js';
import { SAMPLE_CNID_CARD } from '../../../../native/sim/cnid-sim.js';
import { replaceAt } from '../../native/idreader/mrz/protected-positions.js';
import { NOW, PASSPORT } from './sample-documents.js';

const bytes = (label: string, size = 64) => new Uint8Array(Buffer.alloc(size, label));
const APPROVAL = { operatorId: 3, at: new Date('2024-06-15T12:30:00Z'), kioskVersion: '0.9.0' };
const CONSENT = { version: '2026-01', language: 'de' as const, acceptedAt: '2024-06-15T12:29:00.000Z' };

const PERSON_DETAILS: Details = {
  flow: 'person', address: 'Hauptstraße 1\n10115 Berlin', phone: '+49 30 1234567', email: null, purpose: 'licence-application', purposeNote: null,
};
const COMPANY_DETAILS: Details = {
  flow: 'company', companyName: 'Eriksson Bakery', registrationNumber: 'HRB 12345 B', legalForm: 'other',
  legalFormNote: 'Cooperative', registeredAddress: 'Marktplatz 3\n04109 Leipzig', role: 'director',
};

const FACE: FaceOutcome = {
  verification: {
    decision: 'review', distance: 0.52, distances: [0.5, 0.52, 0.54], aggregate: 'mean', thresholds: VERIFICATION_THRESHOLDS,
    live: [], portrait: { state: 'one-face', box: null, quality: null }, liveFramesUsed: [0, 1, 2], modelHash: 'c0ffee'.repeat(8), backend: 'wasm',
  },
  livePortrait: bytes('L'),
  documentPortrait: bytes('D'),
  capture: 'automatic',
  livenessPassed: true,
  officerDecision: 'same-person',
};

const FINGER_2: FingerCapture = {
  kind: 'captured', position: 2, isoRecord: bytes('I', 300), template: bytes('T', 512), png: bytes('P', 200),
  quality: { method: 'NFIQ 2-style estimate', score: 71, components: { contrast: 0.8, orientationCoherence: 0.7, usableArea: 0.65 } },
  qualityAccepted: true, attempts: 2, duplicateOf: null,
};

/** A person enrollment on review: a passport read with its OCR correction, the face checked, finger 2 captured and 7 missing. */
function personOnReview(): EnrollmentSession {
  const session = new EnrollmentSession('person', [2, 7]);
  const lines = replaceAt(formatMrz(PASSPORT, 'TD3'), { line: 1, column: 5 }, 'O'); // the document number's 0 read as O
  const read = captureFromMrz(parseMrz(lines, { now: NOW }), 'mrz', NOW);
  session.offerRead(read);
  session.acceptDocument(read.view.readId, true);
  session.completeFace(FACE);
  session.fingerprintStep().record(FINGER_2);
  session.fingerprintStep().recordException(recordFingerException(7, 'missing', ' amputated '));
  session.finishFingerprints();
  session.saveDetails(PERSON_DETAILS);
  session.setConsent(CONSENT);
  return session;
}

function companyOnReview(): EnrollmentSession {
  const session = new EnrollmentSession('company');
  const card = captureFromCnid({ ...parseCardText(encodeCardText(SAMPLE_CNID_CARD.text)), photo: SAMPLE_CNID_CARD.photo, portraitAvailable: false }, NOW);
  session.offerRead(card);
  session.acceptDocument(card.view.readId, false);
  session.recordFaceException('medical');
  session.saveDetails(COMPANY_DETAILS);
  session.setConsent(CONSENT);
  return session;
}

function containsBytes(value: unknown): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(containsBytes);
}

describe('buildEnrollmentRecord', () => {
  it('writes a person enrollment: document with MRZ lines and correction, face outcome, fingers, details, consent, approval', () => {
    const session = personOnReview();
    const record = buildEnrollmentRecord(session, APPROVAL);
    expect(record.kind).toBe('person-enrollment');
    expect(record.enrollmentId).toBe(session.id);
    const json = record.json as Record<string, unknown>;
    expect(json).toEqual({
      enrollmentId: session.id,
      flow: 'person',
      document: {
        type: 'TD3', source: 'mrz', readAt: NOW.toISOString(),
        fields: expect.objectContaining({ documentNumber: 'L898902C3', surname: 'ERIKSSON', givenNames: 'ANNA MARIA', birthDate: '1974-08-12' }),
        ocrCorrections: [{ field: 'documentNumber', from: 'O', to: '0' }],
        mrzLines: session.document!.mrzLines,
        cardPhotoPart: null,
      },
      face: {
        decision: 'review', distance: 0.52, thresholds: VERIFICATION_THRESHOLDS, modelHash: 'c0ffee'.repeat(8), backend: 'wasm',
        capture: 'automatic', livenessPassed: true, officerDecision: 'same-person',
        documentPortraitPart: 'portrait-document.jpg', livePortraitPart: 'portrait-live.jpg',
      },
      faceException: null,
      fingerprints: [
        {
          position: 2, quality: FINGER_2.quality, qualityAccepted: true, attempts: 2,
          isoRecordPart: 'finger-2.iso', templatePart: 'finger-2-template.bin',
        },
        { position: 7, exception: { reason: 'missing', note: 'amputated' } },
      ],
      details: PERSON_DETAILS,
      consent: CONSENT,
      approvedBy: 3,
      approvedAt: '2024-06-15T12:30:00.000Z',
      kioskVersion: '0.9.0',
    });
    expect((json.document as { mrzLines: string[] }).mrzLines).toHaveLength(2);
    expect(record.parts.map((part) => [part.name, Buffer.from(part.bytes).toString('latin1')])).toEqual([
      ['portrait-document.jpg', 'D'.repeat(64)],
      ['portrait-live.jpg', 'L'.repeat(64)],
      ['finger-2.iso', 'I'.repeat(300)],
      ['finger-2-template.bin', 'T'.repeat(512)],
    ]);
    expect(containsBytes(json)).toBe(false);
  });

  it('writes a company registration: card fields and photo, the face exception, no fingerprints', () => {
    const session = companyOnReview();
    const record = buildEnrollmentRecord(session, APPROVAL);
    expect(record.kind).toBe('company-registration');
    expect(record.json).toMatchObject({
      flow: 'company',
      document: { type: 'CNID', source: 'cnid', mrzLines: null, ocrCorrections: [], cardPhotoPart: 'document-photo.wlt' },
      face: null,
      faceException: { reason: 'medical' },
      fingerprints: null,
      details: COMPANY_DETAILS,
    });
    expect(record.parts).toEqual([{ name: 'document-photo.wlt', bytes: SAMPLE_CNID_CARD.photo }]);
  });

  it('refuses an enrollment that is not on review, or whose consent is missing', () => {
    const session = companyOnReview();
    session.setConsent(null);
    expect(() => buildEnrollmentRecord(session, APPROVAL)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_NO_CONSENT' }));
    session.reopenDetails();
    expect(() => buildEnrollmentRecord(session, APPROVAL)).toThrow(GatehouseError);
    expect(() => buildEnrollmentRecord(session, APPROVAL)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_WRONG_STEP' }));
  });
});
