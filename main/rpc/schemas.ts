// The zod schemas shared by the RPC contract's procedures and events (and by the
// per-domain procedure files under procedures/), kept apart so those files and the
// contract can import them without an import cycle.

import { z } from 'zod';
import { ROLES } from './define.js';

export const Language = z.enum(['en', 'de', 'zh-CN']);

export const OperatorName = z.string().trim().min(1).max(64)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} .'_-]*$/u, 'letters, digits, spaces and . \' _ - only');
export const Pin = z.string().min(6, 'at least 6 characters').max(128);

export const Operator = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: z.string(),
  disabled: z.boolean(),
  lockedUntil: z.string().nullable(),
});

export const DeviceStatus = z.object({
  kind: z.enum(['document-reader', 'fingerprint', 'camera']),
  name: z.string(),
  state: z.enum(['connected', 'ready', 'busy', 'disconnected', 'error', 'not-configured']),
  simulated: z.boolean(),
  reason: z.string().optional(),
});

export const SystemStatus = z.object({
  devices: z.array(DeviceStatus),
  network: z.enum(['online', 'offline', 'not-provisioned']),
  queueDepth: z.number().int().nonnegative(),
});

export const Settings = z.object({
  idleTimeoutSeconds: z.number().int().min(15).max(3600),
  defaultLanguage: Language,
});

export const DocumentField = z.object({
  /** Field name, also the translation key suffix (documentNumber, surname, idNumber, …). */
  name: z.string(),
  value: z.string(),
  ok: z.boolean(),
  /** Why the field failed its check, in English; never contains the field's value. */
  problem: z.string().optional(),
});

export const DocumentRead = z.object({
  readId: z.string(),
  at: z.string(),
  source: z.enum(['mrz', 'cnid', 'keyboard']),
  /** TD1, TD2, TD3, MRVA, MRVB or CNID. */
  documentType: z.string(),
  /** Every check digit / checksum holds. */
  valid: z.boolean(),
  expired: z.boolean(),
  fields: z.array(DocumentField),
  /** OCR corrections the officer may accept instead of the raw reading. */
  suggestedCorrection: z.object({ fields: z.array(DocumentField), changes: z.array(z.object({ field: z.string(), from: z.string(), to: z.string() })) }).nullable(),
  portraitAvailable: z.boolean(),
});

export const ReadFailure = z.object({ at: z.string(), code: z.string(), message: z.string() });

export const EnrollmentStep = z.enum(['document', 'face', 'fingerprints', 'details', 'review']);

/** ISO/IEC 19794-4 finger positions: 1 right thumb … 5 right little, 6 left thumb … 10 left little. */
export const FingerPosition = z.number().int().min(1).max(10);

export const FingerQuality = z.object({
  /** What the score is: an NFIQ 2-style estimate, not a certified NFIQ 2 score. */
  method: z.string(),
  score: z.number().int().min(0).max(100),
  /** Each 0…1. */
  components: z.object({ contrast: z.number(), orientationCoherence: z.number(), usableArea: z.number() }),
});

export const FingerExceptionReason = z.enum(['missing', 'injured', 'bandaged', 'other']);

/** What became of one requested finger; never the image or template themselves. */
export const FingerOutcome = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pending') }),
  z.object({
    kind: z.literal('captured'),
    quality: FingerQuality,
    /** False when the last allowed attempt was kept below the quality threshold. */
    qualityAccepted: z.boolean(),
    attempts: z.number().int().positive(),
    /** The finger is already enrolled: as another finger of this enrollment, or as an operator's login finger. */
    duplicateOf: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('session'), position: FingerPosition }),
      /** operatorId is null for a library template no operator is known for. */
      z.object({ kind: z.literal('operator'), operatorId: z.number().int().positive().nullable() }),
    ]).nullable(),
  }),
  z.object({ kind: z.literal('exception'), reason: FingerExceptionReason, note: z.string() }),
]);

export const FingerprintStep = z.object({
  fingers: z.array(z.object({ position: FingerPosition, outcome: FingerOutcome })),
  /** The finger being captured right now. */
  capturing: FingerPosition.nullable(),
});

export const FaceExceptionReason = z.enum(['no-camera', 'injured', 'medical', 'other']);

/** A postal address, as the person writes it (several lines). */
const PostalAddress = z.string().trim().min(5, 'at least 5 characters').max(300);
/** One line of text, e.g. a company name. */
const TextLine = (max: number) => z.string().trim().min(1, 'required').max(max).regex(/^[^\n\r\t]*$/, 'one line');
/** What "other" means; given with the choice "other" and only then. */
const OtherNote = TextLine(200).nullable().default(null);
const noteGoesWithOther = (choice: string, note: string | null) => (choice === 'other') === (note !== null);
const NOTE_WITH_OTHER = 'a note with "other", and only then';

const PhoneNumber = z.string().trim()
  .regex(/^\+?[0-9 ()/-]+$/, 'digits, spaces, ( ) / - and a leading +')
  .refine((phone) => { const digits = phone.replace(/\D/g, '').length; return digits >= 6 && digits <= 15; }, '6 to 15 digits');
const EmailAddress = z.string().trim().max(254).pipe(z.email('an e-mail address'));

export const EnrollmentPurpose = z.enum(['residence-registration', 'licence-application', 'employment-screening', 'other']);
export const LegalForm = z.enum(['sole-trader', 'limited-company', 'partnership', 'association', 'other']);
export const CompanyRole = z.enum(['owner', 'director', 'authorised-representative']);

/** The details step of the person flow: where the person lives, how to reach them, why they enroll. */
export const PersonDetails = z.strictObject({
  flow: z.literal('person'),
  address: PostalAddress,
  phone: PhoneNumber.nullable().default(null),
  email: EmailAddress.nullable().default(null),
  purpose: EnrollmentPurpose,
  purposeNote: OtherNote,
}).refine((d) => noteGoesWithOther(d.purpose, d.purposeNote), { path: ['purposeNote'], message: NOTE_WITH_OTHER });

/** The details step of the company flow: the company's particulars and the registering person's role in it. */
export const CompanyDetails = z.strictObject({
  flow: z.literal('company'),
  companyName: TextLine(200),
  registrationNumber: TextLine(40).regex(/^[\p{L}\p{N}][\p{L}\p{N} ./-]*$/u, 'letters, digits, spaces and . / -'),
  legalForm: LegalForm,
  legalFormNote: OtherNote,
  registeredAddress: PostalAddress,
  role: CompanyRole,
}).refine((d) => noteGoesWithOther(d.legalForm, d.legalFormNote), { path: ['legalFormNote'], message: NOTE_WITH_OTHER });

export const EnrollmentDetails = z.discriminatedUnion('flow', [PersonDetails, CompanyDetails]);

/** The person's acceptance of the consent text: which version, in which language, when. */
export const ConsentAcceptance = z.object({ version: z.string(), language: Language, acceptedAt: z.string() });

export const Enrollment = z.object({
  id: z.string(),
  flow: z.enum(['person', 'company']),
  steps: z.array(EnrollmentStep),
  step: EnrollmentStep,
  /** The document read the officer accepted for this enrollment. */
  document: DocumentRead.nullable(),
  /** The latest read while on the document step, waiting for the officer's decision. */
  pendingRead: DocumentRead.nullable(),
  readFailure: ReadFailure.nullable(),
  /** The fingers the person flow asks for and their captures or exceptions; null in flows without fingerprints. */
  fingerprints: FingerprintStep.nullable(),
  /** The officer's record that the face could not be captured. */
  faceException: z.object({ reason: FaceExceptionReason }).nullable(),
  /** The accepted face check: its decision band and how the capture was taken. */
  face: z.object({
    decision: z.enum(['match', 'review']),
    distance: z.number().nullable(),
    capture: z.enum(['automatic', 'officer']),
    livenessPassed: z.boolean(),
  }).nullable(),
  /** What the details step saved; kept in memory only, like everything captured. */
  details: EnrollmentDetails.nullable(),
  /** Set once the person ticked the consent on the review step. */
  consent: ConsentAcceptance.nullable(),
});

export const AuditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string().nullable(),
  action: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const AuditVerification = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  firstBroken: z.object({ seq: z.number().int(), reason: z.string(), message: z.string() }).nullable(),
});

export const Empty = z.object({}).strict();
