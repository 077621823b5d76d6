// Every `enrollment.*` procedure: starting one, the document and its chip, the face exception, an officer
// called to a business owner's screen, the details, the consent, and the end of the review —
// approval by the officer (or by a second operator where the enrollment needs one), or holding
// it for a supervisor. Role rules that depend on the input or on who is at the screen are the
// procedures' authorise hooks.

import { z } from 'zod';
import { officerLoggedIn, officerPresent, procedure } from '../define.js';
import { PrintedSlip, RecordEntry } from './records.js';
import {
  ChipSkipReason, Empty, Enrollment, EnrollmentDetails, EnrollmentFlow, EnrollmentMedia, ExceptionNote, FaceExceptionInput, Language,
  OperatorCredential,
} from '../schemas.js';

const ReadId = z.string().min(1).max(64);

export const ConsentText = z.object({
  version: z.string(),
  language: Language,
  /** Paragraphs separated by a blank line. */
  text: z.string(),
});

export const SealedEnrollment = z.object({
  recordId: z.string(),
  /** The enrollment number the person is given. */
  number: z.string(),
  /** Records waiting for the authority, this one included. */
  queueDepth: z.number().int().nonnegative(),
});

export const HeldForReview = z.object({
  enrollmentId: z.string(),
  /** Enrollments now waiting for a supervisor, this one included. */
  held: z.number().int().positive(),
});

export const enrollmentProcedures = {
  'enrollment.start': procedure({
    summary: 'Start an enrollment on this screen (a person: officer or supervisor logged in; a company: anyone).',
    input: z.strictObject({ flow: EnrollmentFlow }),
    output: Enrollment,
    access: 'anyone',
    authorise: ({ flow }, caller) => (flow === 'person'
      ? officerLoggedIn(caller, 'An officer or supervisor must be logged in to enroll a person.')
      : null),
    audit: 'enrollment.start',
  }),
  'enrollment.current': procedure({
    summary: 'The enrollment in progress on this screen, if any.',
    input: Empty,
    output: Enrollment.nullable(),
    access: 'anyone',
  }),
  'enrollment.media': procedure({
    summary: "The pictures of this screen's enrollment for its review: faces, finger images, exception photos.",
    input: Empty,
    output: EnrollmentMedia,
    access: 'anyone',
  }),
  'enrollment.acceptDocument': procedure({
    summary: 'Accept the pending document read (as read, or with the suggested OCR correction).',
    input: z.strictObject({ readId: ReadId, useCorrection: z.boolean().default(false) }),
    output: Enrollment,
    access: 'anyone',
    audit: 'enrollment.document-accepted',
  }),
  'enrollment.chipCan': procedure({
    summary: "The card access number printed on the document, for a chip that asks for it; the chip is read again with it.",
    input: z.strictObject({ readId: ReadId, can: z.string().regex(/^\d{6}$/, 'six digits') }),
    output: Enrollment,
    access: 'anyone',
  }),
  'enrollment.chipRetry': procedure({
    summary: "Read the document's chip again (after it was moved away or could not be read).",
    input: z.strictObject({ readId: ReadId }),
    output: Enrollment,
    access: 'anyone',
  }),
  'enrollment.skipChip': procedure({
    summary: "Go on without the document's chip (it has none, or it cannot be read): reason and note; a second person must approve the enrollment.",
    input: z.strictObject({ readId: ReadId, reason: ChipSkipReason, note: ExceptionNote }),
    output: Enrollment,
    access: 'anyone',
    audit: 'enrollment.chip-skipped',
  }),
  'enrollment.acknowledgeChip': procedure({
    summary: "Go on with a chip whose signer this kiosk cannot verify (no certificate for its country).",
    input: z.strictObject({ readId: ReadId }),
    output: Enrollment,
    access: 'anyone',
    audit: 'enrollment.chip-acknowledged',
  }),
  'enrollment.retryDocument': procedure({
    summary: 'Discard the pending read and wait for the document again.',
    input: Empty,
    output: Enrollment,
    access: 'anyone',
  }),
  'enrollment.cancel': procedure({
    summary: 'Abandon the enrollment; everything captured so far is dropped.',
    input: Empty,
    output: Empty,
    access: 'anyone',
    audit: 'enrollment.cancel',
  }),
  'enrollment.recordFaceException': procedure({
    summary: "An officer records that the person's face cannot be captured: reason, note and a photo of what they see; the flow moves on.",
    input: FaceExceptionInput,
    output: Enrollment,
    access: 'anyone',
    authorise: (_input, caller) => officerPresent(caller, 'Only an officer may record that the face cannot be captured: call one.'),
    audit: 'enrollment.face-exception',
  }),
  'enrollment.callOfficer': procedure({
    summary: "An officer called to a business owner's screen identifies (name and PIN, or finger) to help with the face step, without logging the screen in.",
    input: z.strictObject({ credential: OperatorCredential }),
    output: Enrollment,
    access: 'anyone',
    audit: 'enrollment.officer-called',
  }),
  'enrollment.endAssist': procedure({
    summary: 'The officer called to this screen is done; officer actions are no longer possible here.',
    input: Empty,
    output: Enrollment,
    access: 'anyone',
    audit: 'enrollment.officer-left',
  }),
  'enrollment.saveDetails': procedure({
    summary: 'Keep the details form (person: address, contact, purpose; company: its particulars and the role) and go on to the review.',
    input: EnrollmentDetails,
    output: Enrollment,
    access: 'anyone',
    audit: 'enrollment.details-saved',
  }),
  'enrollment.editDetails': procedure({
    summary: 'Go back from the review to change the details; the consent must be given again.',
    input: Empty,
    output: Enrollment,
    access: 'anyone',
    audit: 'enrollment.details-reopened',
  }),
  'enrollment.consentText': procedure({
    summary: 'The current consent text in one language, with its version.',
    input: z.strictObject({ language: Language }),
    output: ConsentText,
    access: 'anyone',
  }),
  'enrollment.acceptConsent': procedure({
    summary: 'The person ticks (or unticks) the consent: its version, the language it was read in and the time are kept.',
    input: z.strictObject({ accepted: z.boolean(), version: z.string().min(1).max(32), language: Language }),
    output: Enrollment,
    access: 'anyone',
    audit: 'enrollment.consent',
  }),
  'enrollment.approve': procedure({
    summary: 'Approve with a credential and seal and queue the record: the officer alone for a clean enrollment, a second operator where it needs one.',
    input: z.strictObject({ credential: OperatorCredential }),
    output: SealedEnrollment,
    access: 'anyone',
    audit: 'enrollment.approve',
  }),
  'enrollment.finished': procedure({
    summary: 'The record this screen just sealed: its number and where it is now (sent, or how many wait to be sent before it).',
    input: Empty,
    output: RecordEntry.nullable(),
    access: 'anyone',
  }),
  'enrollment.printSlip': procedure({
    summary: "Print the slip of the record this screen just sealed (in the person's language unless another is asked for) and show it.",
    input: z.strictObject({ language: Language.optional() }),
    output: PrintedSlip,
    access: 'anyone',
    audit: 'record.slip-printed',
  }),
  'enrollment.holdForReview': procedure({
    summary: 'No second approver at hand: hold the enrollment, encrypted, for a supervisor (company flow: the officer identifies).',
    input: z.strictObject({ credential: OperatorCredential.optional() }),
    output: HeldForReview,
    access: 'anyone',
    audit: 'enrollment.held',
  }),
} as const;
