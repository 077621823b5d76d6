// The supervisor's review queue: enrollments an officer held because they need a second
// approval and nobody else was at hand. The list carries no personal data; opening one
// decrypts it for the supervisor (and is audited); approving seals and queues the record,
// rejecting deletes what was captured.

import { z } from 'zod';
import { procedure } from '../define.js';
import {
  Empty, Enrollment, EnrollmentFlow, EnrollmentMedia, OperatorCredential, OperatorRef, SecondApprovalReason,
} from '../schemas.js';
import { SealedEnrollment } from './enrollment.js';

const supervisors = ['supervisor'] as const;
const EnrollmentId = z.uuid();

export const RejectionReason = z.enum(['identity-doubt', 'document-doubt', 'poor-captures', 'incomplete', 'other']);

export const HeldEnrollmentSummary = z.object({
  id: z.string(),
  flow: EnrollmentFlow,
  heldAt: z.string(),
  heldBy: OperatorRef.nullable(),
  ranBy: OperatorRef.nullable(),
  reasons: z.array(SecondApprovalReason),
  /** Held longer than the station allows: decide it first. */
  overdue: z.boolean(),
});

export const ReviewQueue = z.object({
  enrollments: z.array(HeldEnrollmentSummary),
  /** New enrollments are refused once this many are held. */
  limit: z.number().int().positive(),
  maxAgeHours: z.number().int().positive(),
});

export const HeldEnrollment = z.object({
  summary: HeldEnrollmentSummary,
  enrollment: Enrollment,
  media: EnrollmentMedia,
});

export const reviewQueueProcedures = {
  'reviewQueue.list': procedure({
    summary: 'The enrollments held for a supervisor, oldest first, with why each needs a second approval (no personal data).',
    input: Empty,
    output: ReviewQueue,
    access: supervisors,
  }),
  'reviewQueue.open': procedure({
    summary: 'Everything a supervisor needs to decide one held enrollment: document fields, faces, fingers, exceptions with photos, who ran it.',
    input: z.strictObject({ id: EnrollmentId }),
    output: HeldEnrollment,
    access: supervisors,
    audit: 'enrollment.review-opened',
  }),
  'reviewQueue.approve': procedure({
    summary: "Approve a held enrollment with the supervisor's own PIN or finger: the record is sealed and queued.",
    input: z.strictObject({ id: EnrollmentId, credential: OperatorCredential }),
    output: SealedEnrollment,
    access: supervisors,
    audit: 'enrollment.review-approved',
  }),
  'reviewQueue.reject': procedure({
    summary: 'Reject a held enrollment with a reason from a fixed list (free text could carry personal data): what was captured is deleted.',
    input: z.strictObject({ id: EnrollmentId, reason: RejectionReason }),
    output: Empty,
    access: supervisors,
    audit: 'enrollment.review-rejected',
  }),
} as const;
