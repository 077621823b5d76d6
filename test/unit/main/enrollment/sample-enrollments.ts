// Enrollments the enrollment unit tests build by hand: the operators who take part, document
// reads (and a chip read from a virtual chip), a face outcome (with the officer who took it by hand and the one who decided its review
// band), finger captures and exceptions with genuine JPEG photos, details and consent, a
// provisioned kiosk's credentials with fresh keys, and `onReview`, which walks an aggregate to
// its review step the way the workflow does (the capture is set, then the aggregate `enter`s the
// state the transition leads to).

import { ChipCheck } from '../../../../main/enrollment/chip-check.js';
import type { DocumentCapture } from '../../../../main/enrollment/document-capture.js';
import { captureFromCnid, captureFromMrz } from '../../../../main/enrollment/document-capture.js';
import {
  Enrollment, type AcceptedFace, type Consent, type Details, type FaceException, type LivenessException,
} from '../../../../main/enrollment/enrollment.js';
import type { OperatorRefView } from '../../../../main/enrollment/exception-evidence.js';
import type { FaceOutcome } from '../../../../main/enrollment/face-check.js';
import type { FingerCapture, FingerException, FingerOutcomeRecord } from '../../../../main/enrollment/fingerprint-captures.js';
import { VERIFICATION_THRESHOLDS } from '../../../../main/face/verification-thresholds.js';
import type { KioskCredentials } from '../../../../main/provisioning/kiosk-credentials.js';
import type { Flow } from '../../../../main/rpc/schemas.js';
import { FINGER_QUALITY_METHOD } from '../../../../native/fingerprint/finger-quality.js';
import { encodeCardText, parseCardText } from '../../../../native/idreader/cnid/card-text.js';
import { formatMrz, parseMrz, type MrzFieldValues } from '../../../../native/idreader/mrz/index.js';
import { readChip } from '../../../../native/emrtd/chip-reader.js';
import { portraitJpeg } from '../../../../native/emrtd/portrait-image.js';
import { SAMPLE_CNID_CARD } from '../../../../native/sim/cnid-sim.js';
import { createTestPki } from '../../../../native/sim/emrtd/test-pki.js';
import { virtualChip, type ChipScenario } from '../../../../native/sim/emrtd/virtual-chip.js';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import { credentialsOf, offlineIdentity } from '../../../fixtures/offline-identity.js';
import { replaceAt } from '../../native/idreader/mrz/protected-positions.js';
import { NOW, PASSPORT } from './sample-documents.js';

export const OFFICER: OperatorRefView = { id: 3, name: 'Olga Officer', role: 'officer' };
export const SECOND_OFFICER: OperatorRefView = { id: 4, name: 'Otto Officer', role: 'officer' };
export const SUPERVISOR: OperatorRefView = { id: 8, name: 'Sina Supervisor', role: 'supervisor' };

export const STARTED_AT = '2024-06-15T12:00:00.000Z';
export const RECORDED_AT = '2024-06-15T12:05:00.000Z';

/** The bytes of a genuine JPEG; `shade` makes pictures that differ. */
export const photoBytes = (shade = 90): Uint8Array => new Uint8Array(Buffer.from(exceptionPhoto(shade), 'base64'));
/** `size` bytes of `label`, recognisable in a part. */
export const labelBytes = (label: string, size = 64): Uint8Array => new Uint8Array(Buffer.alloc(size, label));

export const mrzRead = (lines: string[]): DocumentCapture => captureFromMrz(parseMrz(lines, { now: NOW }), 'mrz', NOW);
export const passportRead = (fields: Partial<MrzFieldValues> = {}): DocumentCapture => mrzRead(formatMrz({ ...PASSPORT, ...fields }, 'TD3'));
/** The document number's '0' read as 'O': the parser offers the fix. */
export const correctableRead = (): DocumentCapture => mrzRead(replaceAt(formatMrz(PASSPORT, 'TD3'), { line: 1, column: 5 }, 'O'));
export const cnidRead = (): DocumentCapture => captureFromCnid(
  { ...parseCardText(encodeCardText(SAMPLE_CNID_CARD.text)), photo: SAMPLE_CNID_CARD.photo, portraitAvailable: false }, NOW);

/**
 * A face outcome as the face check gives it: an officer's capture names who pressed it
 * (`capturedBy`, OFFICER unless given), a review band names who decided it (`decidedBy`).
 */
export function faceOutcome({
  decision = 'match', livenessPassed = true, capture = 'automatic',
  capturedBy = capture === 'officer' ? OFFICER : null, decidedBy = decision === 'review' ? OFFICER : null,
}: {
  decision?: 'match' | 'review';
  livenessPassed?: boolean;
  capture?: 'automatic' | 'officer';
  capturedBy?: OperatorRefView | null;
  decidedBy?: OperatorRefView | null;
} = {}): FaceOutcome {
  const distance = decision === 'match' ? 0.41 : 0.57;
  return {
    verification: {
      decision, distance, distances: [distance - 0.01, distance, distance + 0.01], aggregate: 'mean', thresholds: VERIFICATION_THRESHOLDS,
      live: [], portrait: { state: 'one-face', box: null, quality: null }, liveFramesUsed: [0, 1, 2], modelHash: 'c0ffee'.repeat(8), backend: 'wasm',
      engine: { id: 'face-api-resnet128', modelSha256: 'beef'.repeat(16), metric: 'euclidean' },
    },
    livePortrait: labelBytes('L'),
    documentPortrait: labelBytes('D'),
    portraitSource: 'camera-photo-page',
    capture,
    livenessPassed,
    officerDecision: decision === 'review' ? 'same-person' : null,
    capturedBy: capture === 'officer' ? capturedBy : null,
    decidedBy: decision === 'review' ? decidedBy : null,
  };
}

export function livenessException(by: OperatorRefView | null = OFFICER): LivenessException {
  return { reason: 'cannot-follow', note: 'Could not turn the head on request', photo: photoBytes(40), by, at: RECORDED_AT };
}

export function faceException(by: OperatorRefView | null = OFFICER, photo: Uint8Array | null = photoBytes(60)): FaceException {
  return { reason: photo ? 'cannot-face-camera' : 'no-camera', note: 'Wears a medical face covering', photo, by, at: RECORDED_AT };
}

export function fingerCapture(position: number, { by = OFFICER, duplicateOf = null }: {
  by?: OperatorRefView | null;
  duplicateOf?: FingerCapture['duplicateOf'];
} = {}): FingerCapture {
  return {
    kind: 'captured', position, isoRecord: labelBytes('I', 300), template: new Uint8Array(512).fill(position), png: labelBytes('P', 200),
    quality: { method: FINGER_QUALITY_METHOD, score: 71, components: { contrast: 0.8, orientationCoherence: 0.7, usableArea: 0.65 } },
    qualityAccepted: true, attempts: 2, duplicateOf, by,
  };
}

export function fingerException(position: number, { by = OFFICER, reason = 'bandaged', note = 'Hand in a cast', photo = photoBytes(120) }: {
  by?: OperatorRefView | null;
  reason?: FingerException['reason'];
  note?: string;
  photo?: Uint8Array | null;
} = {}): FingerException {
  return { kind: 'exception', position, reason, note, photo, by, at: RECORDED_AT };
}

export const PERSON_DETAILS: Details = {
  flow: 'person', address: 'Hauptstraße 1\n10115 Berlin', phone: '+49 30 1234567', email: null, purpose: 'licence-application', purposeNote: null,
};
export const COMPANY_DETAILS: Details = {
  flow: 'company', companyName: 'Eriksson Bakery', registrationNumber: 'HRB 12345 B', legalForm: 'other',
  legalFormNote: 'Cooperative', registeredAddress: 'Marktplatz 3\n04109 Leipzig', role: 'director',
};
export const CONSENT: Consent = { version: '2026-01', language: 'de', acceptedAt: '2024-06-15T12:29:00.000Z' };

export interface Captures {
  ranBy?: OperatorRefView | null;
  document?: DocumentCapture;
  /** The document's chip as read (chipRead) or skipped; none by default. */
  chip?: ChipCheck;
  /** Accept the document's suggested OCR correction. */
  useCorrection?: boolean;
  documentBy?: OperatorRefView | null;
  /** The accepted face; null when the face step ended with an exception instead. */
  face?: AcceptedFace | null;
  faceException?: FaceException | null;
  /** Requested fingers (person flow); defaults to the positions of `fingers`. */
  requested?: readonly number[];
  fingers?: readonly FingerOutcomeRecord[];
  details?: Details;
  /** null: not given yet. */
  consent?: Consent | null;
}

/** The moment the test PKI's chips are read at (their certificates are valid then). */
const CHIP_READ_AT = new Date('2026-03-01T10:00:00Z');

/** The chip of `capture`'s passport read in process from a virtual chip of `scenario`, its portrait converted, as DocumentChips does. */
export async function chipRead(capture: DocumentCapture, scenario: ChipScenario = 'valid'): Promise<ChipCheck> {
  const pki = createTestPki({ now: CHIP_READ_AT });
  const chip = virtualChip(scenario, { pki, mrz: capture.mrzLines!, now: CHIP_READ_AT });
  const reading = await readChip(chip, { kind: 'mrz', ...capture.chip!.key }, { trustStore: pki.trustStore(), now: () => CHIP_READ_AT });
  const check = new ChipCheck({ ...capture, chip: capture.chip! });
  check.begin(0);
  check.finish(reading, (await portraitJpeg(reading.portrait!)).jpeg);
  return check;
}

/** A new enrollment on its document step. */
export function started(flow: Flow, { ranBy = flow === 'person' ? OFFICER : null, requested = [2, 7] }: {
  ranBy?: OperatorRefView | null;
  requested?: readonly number[];
} = {}): Enrollment {
  return new Enrollment({ flow, ranBy, startedAt: STARTED_AT, fingers: requested });
}

/** An enrollment walked through its steps to the review, with what `captures` says (by default a clean one). */
export function onReview(flow: Flow, captures: Captures = {}): Enrollment {
  const person = flow === 'person';
  const fingers = captures.fingers ?? (person ? [fingerCapture(2), fingerCapture(7)] : []);
  const enrollment = started(flow, {
    ...(captures.ranBy !== undefined ? { ranBy: captures.ranBy } : {}),
    requested: captures.requested ?? fingers.map((finger) => finger.position),
  });
  const document = captures.document ?? passportRead();
  enrollment.offerRead(document, captures.chip ?? null);
  const accepted = enrollment.pendingReadToAccept(document.view.readId, captures.useCorrection ?? false);
  enrollment.setDocument({ ...accepted, by: captures.documentBy === undefined ? enrollment.ranBy : captures.documentBy });
  enrollment.enter('face');

  const faceExceptionGiven = captures.faceException ?? null;
  const face = captures.face === undefined ? (faceExceptionGiven ? null : { outcome: faceOutcome(), livenessException: null, by: enrollment.ranBy }) : captures.face;
  if (face) enrollment.setFace(face);
  if (faceExceptionGiven) enrollment.setFaceException(faceExceptionGiven);
  if (person) {
    enrollment.enter('fingerprints');
    const step = enrollment.fingerprintStep();
    for (const finger of fingers) {
      if (finger.kind === 'captured') step.record(finger);
      else step.recordException(finger);
    }
    step.assertComplete();
  }
  enrollment.enter('details');
  enrollment.setDetails(captures.details ?? (person ? PERSON_DETAILS : COMPANY_DETAILS));
  enrollment.enter('review');
  const consent = captures.consent === undefined ? CONSENT : captures.consent;
  if (consent) enrollment.setConsent(consent);
  return enrollment;
}

/** Whether `value` holds binary data anywhere. */
export function containsBytes(value: unknown): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(containsBytes);
}

/** A provisioned kiosk's credentials, built by hand with fresh keys (its own and its authority's). */
export const kioskCredentials = (): KioskCredentials => credentialsOf(offlineIdentity(new Date('2024-06-01T08:00:00.000Z')));
