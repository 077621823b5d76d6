// An enrollment held for a supervisor, as it rests on the kiosk's disk: every capture (document
// read and its chip's files, faces, finger records and images, exception photos, details, consent) as JSON plus
// binary parts, sealed for the kiosk alone (kiosk-sealed.ts). Opening checks the signature and
// the kind and validates the JSON before anything is rebuilt from it.

import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { RecordPart } from '../../protocol/sealed-record.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import { openForKiosk, sealForKiosk } from '../provisioning/kiosk-sealed.js';
import type { ChipFileName } from '../../native/emrtd/chip-reading.js';
import { FaceResult, PortraitSource } from '../rpc/procedures/face.js';
import {
  ConsentAcceptance, DocumentRead, EnrollmentDetails, EnrollmentFlow, FaceExceptionReason, FingerDuplicateOf, FingerExceptionReason,
  FingerPosition, LivenessExceptionReason, OperatorRef, type Flow,
} from '../rpc/schemas.js';
import type { VerificationResult } from '../face/verification.js';
import { Enrollment } from './enrollment.js';
import type { OperatorRefView } from './exception-evidence.js';
import type { FingerCapture } from './fingerprint-captures.js';
import { PART_NAMES, PartList } from './record-parts.js';

export const HELD_ENROLLMENT_KIND = 'held-enrollment';

const PartName = z.string().min(1).max(64);
const Evidence = <R extends z.ZodType>(reason: R) => z.strictObject({
  reason, note: z.string(), by: OperatorRef.nullable(), at: z.string(), photoPart: PartName.nullable(),
});
const CapturedFinger = z.strictObject({
  kind: z.literal('captured'),
  position: FingerPosition,
  quality: z.object({ method: z.string(), score: z.number(), components: z.record(z.string(), z.number()) }),
  qualityAccepted: z.boolean(),
  attempts: z.number().int().positive(),
  duplicateOf: FingerDuplicateOf.nullable(),
  by: OperatorRef.nullable(),
  isoPart: PartName,
  templatePart: PartName,
  pngPart: PartName,
});
const ExceptedFinger = Evidence(FingerExceptionReason).extend({ kind: z.literal('exception'), position: FingerPosition });
/** What PartList.chip wrote: the view's facts, Passive Authentication's checks, the chip's files and portrait as parts. */
const HeldChip = z.looseObject({
  status: z.string(),
  passiveAuthentication: z.record(z.string(), z.unknown()).nullable(),
  fileParts: z.array(z.strictObject({ name: z.string().regex(/^(EF\.(COM|SOD|CardAccess)|DG([1-9]|1[0-6]))$/), part: PartName })).max(20),
  portraitPart: PartName.nullable(),
});

const HeldJson = z.strictObject({
  format: z.literal('gatehouse-held-enrollment'),
  version: z.literal(1),
  id: z.uuid(),
  flow: EnrollmentFlow,
  ranBy: OperatorRef.nullable(),
  heldBy: OperatorRef,
  heldAt: z.string(),
  startedAt: z.string(),
  requestedFingers: z.array(FingerPosition),
  document: z.strictObject({
    view: DocumentRead,
    mrzLines: z.array(z.string()).nullable(),
    cardPhotoPart: PartName.nullable(),
    // Envelopes held before chips were read carry none.
    chip: HeldChip.nullable().default(null),
    by: OperatorRef.nullable(),
  }),
  face: z.strictObject({
    // The worker's result as it was; the fields the kiosk reads are checked as the screen's result is.
    verification: z.looseObject(FaceResult.pick({ decision: true, distance: true, thresholds: true, modelHash: true, backend: true }).shape),
    capture: z.enum(['automatic', 'officer']),
    livenessPassed: z.boolean(),
    officerDecision: z.enum(['same-person', 'not-same-person']).nullable(),
    portraitSource: PortraitSource.default('camera-photo-page'),
    capturedBy: OperatorRef.nullable(),
    decidedBy: OperatorRef.nullable(),
    livePart: PartName,
    documentPart: PartName,
    livenessException: Evidence(LivenessExceptionReason).nullable(),
    by: OperatorRef.nullable(),
  }).nullable(),
  faceException: Evidence(FaceExceptionReason).nullable(),
  fingers: z.array(z.discriminatedUnion('kind', [CapturedFinger, ExceptedFinger])),
  details: EnrollmentDetails,
  consent: ConsentAcceptance,
});

/** The enrollment (on review, consent given), held by `heldBy`, as JSON and parts. */
export function freezeEnrollment(enrollment: Enrollment, held: { by: OperatorRefView; at: string }): { json: unknown; parts: RecordPart[] } {
  const { document, details, consent } = enrollment.readyToSeal();
  const list = new PartList();
  const face = enrollment.face;
  const json = {
    format: 'gatehouse-held-enrollment' as const,
    version: 1 as const,
    id: enrollment.id,
    flow: enrollment.flow,
    ranBy: enrollment.ranBy,
    heldBy: held.by,
    heldAt: held.at,
    startedAt: enrollment.startedAt,
    requestedFingers: [...(enrollment.fingerprints?.requested ?? [])],
    document: {
      view: document.capture.view,
      mrzLines: document.capture.mrzLines,
      cardPhotoPart: document.capture.cardPhoto ? list.add(PART_NAMES.cardPhoto, document.capture.cardPhoto) : null,
      chip: document.chip && list.chip(document.chip),
      by: document.by,
    },
    face: face && {
      verification: face.outcome.verification,
      capture: face.outcome.capture,
      livenessPassed: face.outcome.livenessPassed,
      officerDecision: face.outcome.officerDecision,
      portraitSource: face.outcome.portraitSource,
      capturedBy: face.outcome.capturedBy,
      decidedBy: face.outcome.decidedBy,
      livePart: list.add(PART_NAMES.livePortrait, face.outcome.livePortrait),
      documentPart: list.add(PART_NAMES.documentPortrait, face.outcome.documentPortrait),
      livenessException: face.livenessException && list.evidence(face.livenessException, PART_NAMES.livenessException),
      by: face.by,
    },
    faceException: enrollment.faceException && list.evidence(enrollment.faceException, PART_NAMES.faceException),
    fingers: (enrollment.fingerprints?.outcomes() ?? []).map((finger) => (finger.kind === 'exception'
      ? { kind: 'exception' as const, position: finger.position, ...list.evidence(finger, PART_NAMES.fingerException(finger.position)) }
      : {
        kind: 'captured' as const,
        position: finger.position,
        quality: finger.quality,
        qualityAccepted: finger.qualityAccepted,
        attempts: finger.attempts,
        duplicateOf: finger.duplicateOf,
        by: finger.by,
        isoPart: list.add(PART_NAMES.fingerRecord(finger.position), finger.isoRecord),
        templatePart: list.add(PART_NAMES.fingerTemplate(finger.position), finger.template),
        pngPart: list.add(PART_NAMES.fingerImage(finger.position), finger.png),
      })),
    details,
    consent,
  };
  return { json, parts: list.parts };
}

/**
 * Rebuilds the held enrollment from what freezeEnrollment wrote; refuses JSON of another shape, or fingers the flow does not fit.
 * `alwaysSecondApproval`: the station's flows whose every enrollment needs a second approval, when it is decided.
 */
export function thawEnrollment(json: unknown, parts: readonly RecordPart[], alwaysSecondApproval?: () => readonly Flow[]): Enrollment {
  const parsed = HeldJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw heldUnreadable(`its content does not have the held-enrollment form (${issue?.path.join('.') || 'top'}: ${issue?.message})`);
  }
  const held = parsed.data;
  const outcomes = held.fingers.map((finger) => finger.position).sort((a, b) => a - b);
  const requested = [...held.requestedFingers].sort((a, b) => a - b);
  if (held.flow === 'company' ? outcomes.length > 0 || requested.length > 0 : outcomes.join() !== requested.join()) {
    throw heldUnreadable(`held enrollment ${held.id} has finger outcomes [${outcomes.join()}] for requested fingers [${requested.join()}] in the ${held.flow} flow`);
  }
  const bytes = new Map(parts.map((p) => [p.name, p.bytes]));
  const partBytes = (name: string): Uint8Array => {
    const found = bytes.get(name);
    if (!found) throw heldUnreadable(`held enrollment ${held.id} names a part "${name}" it does not carry`);
    return found;
  };
  const evidence = <R extends string>(e: { reason: R; note: string; by: z.infer<typeof OperatorRef> | null; at: string; photoPart: string | null }) =>
    ({ reason: e.reason, note: e.note, by: e.by, at: e.at, photo: e.photoPart === null ? null : partBytes(e.photoPart) });

  const enrollment = new Enrollment({
    id: held.id, flow: held.flow, ranBy: held.ranBy, startedAt: held.startedAt, fingers: held.requestedFingers, alwaysSecondApproval,
  });
  enrollment.held = { by: held.heldBy, at: held.heldAt };
  const chip = held.document.chip;
  const chipView = held.document.view.chip;
  if ((chip === null) !== (chipView === null)) throw heldUnreadable(`held enrollment ${held.id} has a chip view without its files, or files without a view`);
  enrollment.setDocument({
    capture: {
      view: held.document.view,
      correctedView: null,
      mrzLines: held.document.mrzLines,
      cardPhoto: held.document.cardPhotoPart === null ? null : partBytes(held.document.cardPhotoPart),
      chip: null, // the chip was dealt with before the enrollment was held; nothing is read again
    },
    chip: chip && chipView && {
      view: chipView,
      evidence: chipView.status === 'done' ? {
        files: chip.fileParts.map(({ name, part }) => ({ name: name as ChipFileName, bytes: partBytes(part) })),
        portraitJpeg: chip.portraitPart === null ? null : partBytes(chip.portraitPart),
        passiveAuthentication: chip.passiveAuthentication ?? {},
      } : null,
    },
    by: held.document.by,
  });
  if (held.face) {
    const { face } = held;
    enrollment.setFace({
      outcome: {
        verification: face.verification as unknown as VerificationResult,
        livePortrait: partBytes(face.livePart),
        documentPortrait: partBytes(face.documentPart),
        capture: face.capture,
        livenessPassed: face.livenessPassed,
        officerDecision: face.officerDecision,
        portraitSource: face.portraitSource,
        capturedBy: face.capturedBy,
        decidedBy: face.decidedBy,
      },
      livenessException: face.livenessException && evidence(face.livenessException),
      by: face.by,
    });
  }
  if (held.faceException) enrollment.setFaceException(evidence(held.faceException));
  for (const finger of held.fingers) {
    if (finger.kind === 'exception') {
      enrollment.fingerprints!.recordException({ kind: 'exception', position: finger.position, ...evidence(finger) });
    } else {
      enrollment.fingerprints!.record({
        kind: 'captured',
        position: finger.position,
        quality: finger.quality as FingerCapture['quality'],
        qualityAccepted: finger.qualityAccepted,
        attempts: finger.attempts,
        duplicateOf: finger.duplicateOf,
        by: finger.by,
        isoRecord: partBytes(finger.isoPart),
        template: partBytes(finger.templatePart),
        png: partBytes(finger.pngPart),
      });
    }
  }
  enrollment.setDetails(held.details);
  enrollment.enter('review');
  enrollment.setConsent(held.consent);
  enrollment.enter('awaiting-review');
  return enrollment;
}

/** The enrollment, held now by `heldBy`, sealed to this kiosk's own key and signed by it. */
export function sealHeldEnrollment(credentials: KioskCredentials, enrollment: Enrollment, heldBy: OperatorRefView, now: Date): Uint8Array {
  const json = freezeEnrollment(enrollment, { by: heldBy, at: now.toISOString() });
  return sealForKiosk(credentials, { id: enrollment.id, kind: HELD_ENROLLMENT_KIND, ...json }, now);
}

/** Opens what sealHeldEnrollment wrote for enrollment `id` (signature, key, kind, id and form checked) back into it. */
export function openHeldEnrollment(credentials: KioskCredentials, envelope: Uint8Array, id: string, alwaysSecondApproval?: () => readonly Flow[]): Enrollment {
  const { json, parts } = openForKiosk(credentials, envelope, HELD_ENROLLMENT_KIND, id);
  const enrollment = thawEnrollment(json, parts, alwaysSecondApproval);
  if (enrollment.id !== id) throw heldUnreadable(`envelope of held enrollment ${id} holds enrollment ${enrollment.id}`);
  return enrollment;
}

/** A held enrollment whose sealed content (signed by this kiosk) is not what this build can take back. */
function heldUnreadable(why: string): GatehouseError {
  return new GatehouseError('ENROLLMENT_HELD_UNREADABLE', `The held enrollment cannot be opened: ${why}.`, { why });
}
