// The record an approved enrollment becomes: JSON (who ran it; the document's fields and MRZ
// lines, its chip's verdict and files, and who accepted the read; the face outcome or its exception; each finger's quality or
// exception, and who captured or recorded each; the details; the consent; who approved it, how,
// and why a second approval was needed; for a company, the registration linking the owner's
// identity with the company's particulars) and the binary parts the JSON names (portraits, card
// photo, finger records and templates, exception photos). Pure: an enrollment in, an
// EnrollmentRecord out; sealing happens elsewhere.

import type { EnrollmentRecord } from '../sync/record-sealer.js';
import type { Details, Enrollment } from './enrollment.js';
import type { OperatorRefView } from './exception-evidence.js';
import { faceOutcomeFacts } from './face-check.js';
import type { FingerprintCaptures } from './fingerprint-captures.js';
import { PART_NAMES, PartList } from './record-parts.js';

const RECORD_KINDS = { person: 'person-enrollment', company: 'company-registration' } as const;

export interface Approval {
  by: OperatorRefView;
  method: 'pin' | 'fingerprint';
  at: Date;
  kioskVersion: string;
  /** When and by whom it was held for a supervisor before this approval; null when approved at the screen. */
  held: { at: string; by: OperatorRefView | null } | null;
}

export function buildEnrollmentRecord(enrollment: Enrollment, approval: Approval): EnrollmentRecord {
  const { document, details, consent } = enrollment.readyToSeal();
  const list = new PartList();
  const { capture } = document;
  const { view } = capture;
  const face = enrollment.face;
  const reasons = enrollment.secondApproval();
  const json = {
    enrollmentId: enrollment.id,
    flow: enrollment.flow,
    ranBy: enrollment.ranBy,
    document: {
      type: view.documentType,
      source: view.source,
      readAt: view.at,
      fields: Object.fromEntries(view.fields.map((field) => [field.name, field.value])),
      // An accepted read keeps its suggested correction only when the officer took it.
      ocrCorrections: view.suggestedCorrection?.changes ?? [],
      mrzLines: capture.mrzLines,
      cardPhotoPart: capture.cardPhoto ? list.add(PART_NAMES.cardPhoto, capture.cardPhoto) : null,
      // The chip's files as read, so that the authority can check Passive Authentication itself.
      chip: document.chip && list.chip(document.chip),
      acceptedBy: document.by,
    },
    face: face && {
      ...faceOutcomeFacts(face.outcome),
      documentPortraitPart: list.add(PART_NAMES.documentPortrait, face.outcome.documentPortrait),
      livePortraitPart: list.add(PART_NAMES.livePortrait, face.outcome.livePortrait),
      livenessException: face.livenessException && list.evidence(face.livenessException, PART_NAMES.livenessException),
      // Who took the picture by hand (skipping the challenge), who decided a review band, who accepted the result.
      capturedBy: face.outcome.capturedBy,
      decidedBy: face.outcome.decidedBy,
      acceptedBy: face.by,
    },
    faceException: enrollment.faceException && list.evidence(enrollment.faceException, PART_NAMES.faceException),
    fingerprints: enrollment.fingerprints ? fingerprintsJson(enrollment.fingerprints, list) : null,
    details,
    registration: details.flow === 'company' ? companyRegistration(details, view.fields) : null,
    consent,
    approval: {
      by: approval.by,
      method: approval.method,
      at: approval.at.toISOString(),
      secondApproval: { required: reasons.length > 0, reasons },
      heldForReview: approval.held,
    },
    kioskVersion: approval.kioskVersion,
  };
  return { kind: RECORD_KINDS[enrollment.flow], enrollmentId: enrollment.id, json, parts: list.parts };
}

/** The key fields of a document that name its holder, as the authority matches them with its person records. */
const OWNER_KEYS = ['documentNumber', 'idNumber', 'issuingState', 'nationality', 'surname', 'givenNames', 'name', 'birthDate'];

/**
 * A company registration links the person who proved who they are here (the document read and
 * face check of this record) with the company's particulars and their role in it.
 */
function companyRegistration(details: Extract<Details, { flow: 'company' }>, fields: ReadonlyArray<{ name: string; value: string }>) {
  const { companyName, registrationNumber, legalForm, legalFormNote, registeredAddress, role } = details;
  return {
    company: { name: companyName, registrationNumber, legalForm, legalFormNote, registeredAddress },
    owner: { role, identity: Object.fromEntries(fields.filter((field) => OWNER_KEYS.includes(field.name)).map((field) => [field.name, field.value])) },
  };
}

function fingerprintsJson(captures: FingerprintCaptures, list: PartList) {
  return captures.outcomes().map((outcome) => {
    const { position } = outcome;
    if (outcome.kind === 'exception') return { position, exception: list.evidence(outcome, PART_NAMES.fingerException(position)) };
    const { quality, qualityAccepted, attempts, duplicateOf, by } = outcome;
    return {
      position,
      quality,
      qualityAccepted,
      attempts,
      duplicateOf,
      capturedBy: by,
      isoRecordPart: list.add(PART_NAMES.fingerRecord(position), outcome.isoRecord),
      templatePart: list.add(PART_NAMES.fingerTemplate(position), outcome.template),
    };
  });
}
