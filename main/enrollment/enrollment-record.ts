// The record an approved enrollment becomes: JSON (the document's fields and MRZ lines, the
// face outcome or its exception, each finger's quality or exception, the details, the consent,
// who approved and when) and binary parts (portraits, card photo, finger records, templates)
// that the JSON names. Pure: the session in, an EnrollmentRecord out; sealing happens elsewhere.

import type { EnrollmentRecord, RecordPart } from '../sync/record-sealer.js';
import type { EnrollmentSession, Flow } from './enrollment-session.js';
import { faceOutcomeFacts, type FaceOutcome } from './face-check.js';
import type { FingerprintCaptures } from './fingerprint-captures.js';

const RECORD_KINDS: Record<Flow, string> = { person: 'person-enrollment', company: 'company-registration' };

export interface Approval {
  operatorId: number;
  at: Date;
  kioskVersion: string;
}

export function buildEnrollmentRecord(session: EnrollmentSession, approval: Approval): EnrollmentRecord {
  const { document, details, consent } = session.readyToSeal();
  const parts: RecordPart[] = [];
  const part = (name: string, bytes: Uint8Array) => {
    parts.push({ name, bytes });
    return name;
  };
  const { view } = document;
  const json = {
    enrollmentId: session.id,
    flow: session.flow,
    document: {
      type: view.documentType,
      source: view.source,
      readAt: view.at,
      fields: Object.fromEntries(view.fields.map((field) => [field.name, field.value])),
      // An accepted read keeps its suggested correction only when the officer took it.
      ocrCorrections: view.suggestedCorrection?.changes ?? [],
      mrzLines: document.mrzLines,
      cardPhotoPart: document.cardPhoto ? part('document-photo.wlt', document.cardPhoto) : null,
    },
    face: session.face ? faceJson(session.face, part) : null,
    faceException: session.faceException,
    fingerprints: session.fingerprints ? fingerprintsJson(session.fingerprints, part) : null,
    details,
    consent,
    approvedBy: approval.operatorId,
    approvedAt: approval.at.toISOString(),
    kioskVersion: approval.kioskVersion,
  };
  return { kind: RECORD_KINDS[session.flow], enrollmentId: session.id, json, parts };
}

type AddPart = (name: string, bytes: Uint8Array) => string;

function faceJson(face: FaceOutcome, part: AddPart) {
  return {
    ...faceOutcomeFacts(face),
    documentPortraitPart: part('portrait-document.jpg', face.documentPortrait),
    livePortraitPart: part('portrait-live.jpg', face.livePortrait),
  };
}

function fingerprintsJson(captures: FingerprintCaptures, part: AddPart) {
  return captures.outcomes().map((outcome) => {
    if (outcome.kind === 'exception') return { position: outcome.position, exception: { reason: outcome.reason, note: outcome.note } };
    const { position, quality, qualityAccepted, attempts } = outcome;
    return {
      position,
      quality,
      qualityAccepted,
      attempts,
      isoRecordPart: part(`finger-${position}.iso`, outcome.isoRecord),
      templatePart: part(`finger-${position}-template.bin`, outcome.template),
    };
  });
}
