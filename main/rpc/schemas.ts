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

/** Wrong PINs since `since` (the last 24 hours) and the PIN waits in force, for a supervisor. */
export const PinFailures = z.object({
  since: z.string(),
  station: z.object({
    failures: z.number().int().nonnegative(),
    /** Of those, for names that are no operator's. */
    unknownNames: z.number().int().nonnegative(),
    lastFailedAt: z.string().nullable(),
    /** Every PIN attempt at this kiosk waits until then; null: no wait now. */
    waitUntil: z.string().nullable(),
  }),
  /** Operators with a wrong PIN recently or still counted. */
  operators: z.array(z.object({
    operatorId: z.number().int().positive(),
    failures: z.number().int().nonnegative(),
    /** Wrong PINs since the operator's last success or unlock: what their wait grows with. */
    inARow: z.number().int().nonnegative(),
    lastFailedAt: z.string().nullable(),
    waitUntil: z.string().nullable(),
  })),
});

/**
 * What is wrong with a device, in terms an officer can act on (each has a translated message
 * saying what to do): `not-set-up` (no device configured: a technician sets one up),
 * `not-connected` (its port or reader is absent: cable), `not-responding` (present but silent
 * or garbled), `wrong-settings` (it answers, but not as configured: baud, address, password,
 * framing), `in-use` (another program holds it), `no-permission` (the service may not open it),
 * `failed` (anything else). The technical detail goes to the log and the diagnostics screen only.
 */
export const DeviceProblem = z.enum(['not-set-up', 'not-connected', 'not-responding', 'wrong-settings', 'in-use', 'no-permission', 'failed']);

export const DeviceStatus = z.object({
  kind: z.enum(['document-reader', 'chip-reader', 'fingerprint', 'camera']),
  name: z.string(),
  state: z.enum(['connected', 'ready', 'busy', 'disconnected', 'error', 'not-configured']),
  simulated: z.boolean(),
  /** Set while the device is not usable; what the screen tells the officer. */
  problem: DeviceProblem.optional(),
});

/** Why no enrollment can start right now; null when one can. */
export const EnrollmentBlock = z.enum(['not-provisioned', 'held-limit']).nullable();

export const SystemStatus = z.object({
  devices: z.array(DeviceStatus),
  network: z.enum(['online', 'offline', 'not-provisioned']),
  queueDepth: z.number().int().nonnegative(),
  /** Enrollments held for a supervisor's review. */
  heldEnrollments: z.number().int().nonnegative(),
  enrollmentBlocked: EnrollmentBlock,
});

/** Who may give the second approval an enrollment with exceptions or doubts needs. */
export const SecondApprover = z.enum(['supervisor', 'supervisor-or-officer']);

export const EnrollmentFlow = z.enum(['person', 'company']);
export type Flow = z.infer<typeof EnrollmentFlow>;

/** Hours a sealed envelope (and the slip kept with it) stays after the authority's receipt: from 0 (gone at the receipt) to a year. */
export const RetentionHours = z.number().int().min(0).max(8760);

export const Settings = z.object({
  idleTimeoutSeconds: z.number().int().min(15).max(3600),
  /** How long before the idle logout the countdown shows; shorter than the timeout (checked together: kiosk/station-settings.ts). */
  idleWarningSeconds: z.number().int().min(5).max(600),
  defaultLanguage: Language,
  secondApprover: SecondApprover,
  /** Flows in which every enrollment needs a second approval at this station, on top of the mandatory reasons (enrollment/four-eyes.ts), which no setting switches off. */
  alwaysSecondApproval: z.array(EnrollmentFlow).max(2).refine((flows) => new Set(flows).size === flows.length, 'each flow at most once'),
  /** New enrollments are refused while this many wait for a supervisor. */
  heldEnrollmentLimit: z.number().int().min(1).max(500),
  /** A held enrollment older than this is flagged in the supervisor's queue. */
  heldEnrollmentMaxAgeHours: z.number().int().min(1).max(720),
  /** Retention after the receipt when the authority's station configuration names none (it decides when it does). */
  sealedRetentionHours: RetentionHours,
  /** The CUPS queue slips are printed on; null: no printer, slips are saved as PDF. */
  slipPrinter: z.string().regex(/^[A-Za-z0-9_.-]{1,127}$/, 'a CUPS queue name').nullable(),
  /** Where slips are saved as PDF without a printer; null: DATA/slips. */
  slipFolder: z.string().max(255).refine((path) => path.startsWith('/'), 'an absolute path').nullable(),
});

export const DocumentField = z.object({
  /** Field name, also the translation key suffix (documentNumber, surname, idNumber, …). */
  name: z.string(),
  value: z.string(),
  ok: z.boolean(),
  /** Why the field failed its check, in English; never contains the field's value. */
  problem: z.string().optional(),
});

/** An operator as records and screens name them. */
export const OperatorRef = z.object({ id: z.number().int().positive(), name: z.string(), role: z.enum(ROLES) });

/** The chips a simulated chip reader can be given: CHIP_SCENARIOS of native/sim/emrtd/virtual-chip.ts (not imported: screens type-check this file without Node). */
export const ChipScenario = z.enum(['valid', 'altered-dg1', 'rogue-ds', 'expired-ds', 'unknown-csca', 'no-pace', 'can-only', 'removed-mid-read']);

/** Why an officer went on without reading a document's chip. */
export const ChipSkipReason = z.enum(['no-chip', 'chip-unreadable', 'other']);

/** How a document's chip checked out (Passive Authentication, DG1 against the printed MRZ). */
export const ChipVerdict = z.enum(['verified', 'not-verifiable', 'failed']);

/**
 * The chip of the document being read, as the document step shows it: waiting for it on the
 * reader, reading (with progress), asking for the card access number, the verdict, or skipped.
 * `code`s are for translation and the log (CHIP_ACCESS_DENIED, PCSC_CARD_REMOVED …);
 * `reason` names why a verdict is not `verified` (dg-hash-mismatch, chain-invalid, expired,
 * signature-invalid, dg1-mismatch, no-csca-for-country …).
 */
export const ChipRead = z.discriminatedUnion('status', [
  z.object({ status: z.literal('waiting') }),
  z.object({ status: z.literal('reading'), fraction: z.number().min(0).max(1), stage: z.enum(['access-control', 'reading', 'authenticating', 'verifying']) }),
  z.object({ status: z.literal('needs-can'), retry: z.boolean() }),
  z.object({ status: z.literal('error'), code: z.string(), message: z.string() }),
  z.object({
    status: z.literal('done'),
    verdict: ChipVerdict,
    reason: z.string().nullable(),
    access: z.enum(['PACE', 'BAC']),
    /** The country and subject of the CSCA the document signer chains to (verified), or the signer's country. */
    country: z.string().nullable(),
    csca: z.string().nullable(),
    /** Chip or Active Authentication: null when the chip offers neither. */
    cloneCheck: z.object({ protocol: z.enum(['chip-authentication', 'active-authentication']), verified: z.boolean() }).nullable(),
    portrait: z.boolean(),
    /** Going on with a chip that could not be verified was confirmed at the screen, by this officer (null: the person alone). */
    acknowledged: z.boolean(),
    acknowledgedBy: OperatorRef.nullable(),
  }),
  z.object({ status: z.literal('skipped'), reason: ChipSkipReason, note: z.string(), by: OperatorRef.nullable(), at: z.string() }),
]);

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
  /** The document's chip; null where there is nothing to read (no chip reader here, a CN resident ID). */
  chip: ChipRead.nullable(),
});

export const ReadFailure = z.object({ at: z.string(), code: z.string(), message: z.string() });

/** The steps an enrollment goes through on a screen (which of them a flow has: main/enrollment/transitions.ts). */
export const EnrollmentStep = z.enum(['document', 'face', 'fingerprints', 'details', 'review']);
export type Step = z.infer<typeof EnrollmentStep>;

/** Where an enrollment is: on one of its steps, held for a supervisor, or ended. */
export const EnrollmentState = z.enum([...EnrollmentStep.options, 'awaiting-review', 'sealed', 'rejected', 'cancelled', 'abandoned']);
export type EnrollmentStateName = z.infer<typeof EnrollmentState>;


/** A camera picture as JPEG, base64-encoded (a 640×480 frame is about 40–80 KB). */
export const JpegBase64 = z.string().min(16).max(4_000_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

/** What the officer writes about an exception: one line, long enough to say something. */
export const ExceptionNote = z.string().trim().min(3, 'at least 3 characters').max(200).regex(/^[^\n\r\t]*$/, 'one line');

/** How a second person proves who they are at the screen: name (or the operator logged in here) and PIN, or a finger. */
export const OperatorCredential = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('pin'), name: OperatorName.optional(), pin: z.string().min(1).max(128) }),
  z.strictObject({ method: z.literal('fingerprint') }),
]);

/** Why an enrollment needs a second operator's approval. */
export const SecondApprovalReason = z.enum([
  'chip-not-read', 'face-exception', 'face-review-band', 'liveness-not-passed', 'finger-exception', 'finger-duplicate',
  /** Not mandatory: the station asks it for every enrollment of this flow (setting `alwaysSecondApproval`). */
  'station-rule',
]);

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

/** A captured finger that is already enrolled: as another finger of this enrollment, or as an operator's login finger. */
export const FingerDuplicateOf = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('session'), position: FingerPosition }),
  /** operatorId is null for a library template no operator is known for. */
  z.object({ kind: z.literal('operator'), operatorId: z.number().int().positive().nullable() }),
]);

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
    duplicateOf: FingerDuplicateOf.nullable(),
    /** The officer at the screen when it was captured. */
    by: OperatorRef.nullable(),
  }),
  z.object({
    kind: z.literal('exception'), reason: FingerExceptionReason, note: z.string(), by: OperatorRef.nullable(), at: z.string(), photo: z.boolean(),
  }),
]);

export const FingerprintStep = z.object({
  fingers: z.array(z.object({ position: FingerPosition, outcome: FingerOutcome })),
  /** The finger being captured right now. */
  capturing: FingerPosition.nullable(),
});

export const FaceExceptionReason = z.enum(['no-camera', 'injured', 'medical', 'cannot-face-camera', 'other']);
/** Why the face was taken without a passed liveness challenge. */
export const LivenessExceptionReason = z.enum(['failed-repeatedly', 'cannot-follow', 'medical', 'other']);

/** An exception as the screen shows it: why, the officer's note, who recorded it and when; the photo comes with the media. */
const exceptionView = <R extends z.ZodType>(reason: R) =>
  z.object({ reason, note: z.string(), by: OperatorRef.nullable(), at: z.string(), photo: z.boolean() });
export const FaceExceptionView = exceptionView(FaceExceptionReason);
export const LivenessExceptionView = exceptionView(LivenessExceptionReason);

/** An exception as it is recorded: a reason, a note and the camera's photo of what the officer sees. */
const exceptionInput = <R extends z.ZodType>(reason: R) => z.strictObject({ reason, note: ExceptionNote, photo: JpegBase64.nullable() });
/** The photo may be missing only when the reason is that there is no camera. */
export const FaceExceptionInput = exceptionInput(FaceExceptionReason)
  .refine((e) => e.photo !== null || e.reason === 'no-camera', { path: ['photo'], message: 'a photo, unless there is no camera' });
export const LivenessExceptionInput = exceptionInput(LivenessExceptionReason)
  .refine((e) => e.photo !== null, { path: ['photo'], message: 'a photo' });

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
  flow: EnrollmentFlow,
  steps: z.array(EnrollmentStep),
  state: EnrollmentState,
  /** The step it is on (a held or ended enrollment: the last one it was on). */
  step: EnrollmentStep,
  /** The operator logged in when it started; null for a business owner who started alone. */
  ranBy: OperatorRef.nullable(),
  /** An officer called to this screen and identified here (company flow), while they assist. */
  assistedBy: OperatorRef.nullable(),
  /** The document read the officer accepted for this enrollment. */
  document: DocumentRead.nullable(),
  /** The latest read while on the document step, waiting for the officer's decision. */
  pendingRead: DocumentRead.nullable(),
  readFailure: ReadFailure.nullable(),
  /** The fingers the person flow asks for and their captures or exceptions; null in flows without fingerprints. */
  fingerprints: FingerprintStep.nullable(),
  /** The officer's record that the face could not be captured. */
  faceException: FaceExceptionView.nullable(),
  /** The accepted face check: its decision band and how the capture was taken. */
  face: z.object({
    decision: z.enum(['match', 'review']),
    distance: z.number().nullable(),
    thresholds: z.object({ match: z.number(), review: z.number() }),
    capture: z.enum(['automatic', 'officer']),
    livenessPassed: z.boolean(),
    /** Where the document portrait came from: the chip, or the camera's photo of the photo page. */
    portraitSource: z.enum(['chip', 'camera-photo-page']),
    /** Why the face was kept without a passed challenge (an officer's capture). */
    livenessException: LivenessExceptionView.nullable(),
    /** The officer who captured it or decided a review result; null for an automatic capture alone. */
    by: OperatorRef.nullable(),
  }).nullable(),
  /** What the details step saved; kept in memory only, like everything captured. */
  details: EnrollmentDetails.nullable(),
  /** Set once the person ticked the consent on the review step. */
  consent: ConsentAcceptance.nullable(),
  /** Why approving it needs a second operator; empty when the officer alone may approve. */
  secondApproval: z.array(SecondApprovalReason),
});

/** A picture for a screen: a data: URL (JPEG or PNG). */
const DataUrl = z.string().regex(/^data:image\/(jpeg|png);base64,/);

/** The pictures of an enrollment for the review and the supervisor: faces, fingers and exception photos. */
export const EnrollmentMedia = z.object({
  documentPortrait: DataUrl.nullable(),
  livePortrait: DataUrl.nullable(),
  faceExceptionPhoto: DataUrl.nullable(),
  livenessExceptionPhoto: DataUrl.nullable(),
  fingers: z.array(z.object({ position: FingerPosition, image: DataUrl.nullable(), exceptionPhoto: DataUrl.nullable() })),
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
