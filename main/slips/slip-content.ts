// What an acknowledgement slip says, decided once when the record is sealed: the enrollment
// number, when and where, the kind of enrollment, the name as on the document (and the company,
// for a registration), what was captured and what was recorded as not captured, and the QR
// payload signed with the kiosk's key. It names the person, so it rests on disk only sealed for
// the kiosk (slip-store.ts); the slip is drawn from it in any language (slip-document.ts).

import { z } from 'zod';
import { EnrollmentNumber } from '../../protocol/enrollment-number.js';
import { signSlip } from '../../protocol/slip-payload.js';
import type { Enrollment } from '../enrollment/enrollment.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import {
  EnrollmentFlow, FaceExceptionReason, FingerExceptionReason, FingerPosition, Language, LivenessExceptionReason,
} from '../rpc/schemas.js';
import type { QueuedRecord } from '../store/outbox.js';

export const SlipContent = z.strictObject({
  number: EnrollmentNumber,
  recordId: z.string(),
  sealedAt: z.iso.datetime(),
  kioskName: z.string(),
  flow: EnrollmentFlow,
  /** The language the person read the consent in: the slip's language unless another is asked for. */
  language: Language,
  /** The holder's name as the document gives it. */
  name: z.string(),
  company: z.strictObject({ name: z.string(), registrationNumber: z.string() }).nullable(),
  captured: z.strictObject({ face: z.boolean(), fingers: z.array(FingerPosition) }),
  notCaptured: z.strictObject({
    face: FaceExceptionReason.nullable(),
    liveness: LivenessExceptionReason.nullable(),
    fingers: z.array(z.strictObject({ position: FingerPosition, reason: FingerExceptionReason })),
  }),
  /** The signed QR payload (GHS1:…). */
  qr: z.string(),
});
export type SlipContent = z.infer<typeof SlipContent>;

/** The holder's name from the document's fields: surname and given names (MRZ), or the card's name (CN resident ID). */
function holderName(fields: ReadonlyArray<{ name: string; value: string }>): string {
  const value = (name: string) => fields.find((field) => field.name === name)?.value ?? '';
  const name = value('name') || [value('surname'), value('givenNames')].filter(Boolean).join(', ');
  return name.trim();
}

/** The slip of an enrollment just sealed as `queued`; call before the enrollment's captures are dropped. */
export function slipContent(enrollment: Enrollment, queued: QueuedRecord & { number: string }, credentials: KioskCredentials): SlipContent {
  const { document, details, consent } = enrollment.readyToSeal();
  const face = enrollment.face;
  const outcomes = enrollment.fingerprints?.outcomes() ?? [];
  return {
    number: queued.number,
    recordId: queued.recordId,
    sealedAt: queued.createdAt,
    kioskName: credentials.identity.name,
    flow: enrollment.flow,
    language: consent.language,
    name: holderName(document.capture.view.fields),
    company: details.flow === 'company' ? { name: details.companyName, registrationNumber: details.registrationNumber } : null,
    captured: {
      face: face !== null,
      fingers: outcomes.flatMap((finger) => (finger.kind === 'captured' ? [finger.position] : [])),
    },
    notCaptured: {
      face: enrollment.faceException?.reason ?? null,
      liveness: face?.livenessException?.reason ?? null,
      fingers: outcomes.flatMap((finger) => (finger.kind === 'exception' ? [{ position: finger.position, reason: finger.reason }] : [])),
    },
    qr: signSlip({ n: queued.number, d: queued.digest, k: credentials.identity.kioskId, t: queued.createdAt }, credentials.keys.signing.privateKey),
  };
}
