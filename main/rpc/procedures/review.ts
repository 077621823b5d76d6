// The last two steps of both flows: the details form, the review with the consent text the
// person accepts, and the officer's approval with their PIN, which seals the record and queues
// it for the authority.

import { z } from 'zod';
import { procedure } from '../define.js';
import { Empty, Enrollment, EnrollmentDetails, Language, OperatorName } from '../schemas.js';

export const ConsentText = z.object({
  version: z.string(),
  language: Language,
  /** Paragraphs separated by a blank line. */
  text: z.string(),
});

export const SealedEnrollment = z.object({
  recordId: z.string(),
  /** Records waiting for the authority, this one included. */
  queueDepth: z.number().int().nonnegative(),
});

export const reviewProcedures = {
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
    summary: "An officer's approval with their PIN (person flow: the officer logged in here; company flow: name and PIN): seals and queues the record.",
    input: z.strictObject({ name: OperatorName.optional(), pin: z.string().min(1).max(128) }),
    output: SealedEnrollment,
    access: 'anyone',
    audit: 'enrollment.approve',
  }),
} as const;
