// What the slip tests start from: one kiosk's credentials (with its code), the queue row a
// sealed enrollment record gets (numbered on the kiosk's day), and slips made by slipContent
// from enrollments on their review step.

import { randomUUID } from 'node:crypto';
import { formatEnrollmentNumber } from '../../../../protocol/enrollment-number.js';
import type { Enrollment } from '../../../../main/enrollment/enrollment.js';
import { slipContent, type SlipContent } from '../../../../main/slips/slip-content.js';
import type { QueuedRecord } from '../../../../main/store/outbox.js';
import { credentialsOf, offlineIdentity } from '../../../fixtures/offline-identity.js';
import { onReview } from '../enrollment/sample-enrollments.js';

export const KIOSK = offlineIdentity();
export const CREDENTIALS = credentialsOf(KIOSK);
export const SEALED_AT = '2026-03-01T09:15:00.000Z';

/** The number of the `sequence`th enrollment of 1 March 2026 at this kiosk. */
export const numberOf = (sequence: number): string => formatEnrollmentNumber({ kioskCode: CREDENTIALS.identity.code!, day: '260301', sequence });

/** The queue row of a sealed enrollment record. */
export function queuedRecord(sequence = 1, recordId = randomUUID()): QueuedRecord & { number: string } {
  return { recordId, number: numberOf(sequence), size: 48_213, digest: 'c4'.repeat(32), createdAt: SEALED_AT };
}

/** The slip of `enrollment` (by default a clean person enrollment), sealed as `queued`. */
export function slipOf(enrollment: Enrollment = onReview('person'), queued = queuedRecord()): SlipContent {
  return slipContent(enrollment, queued, CREDENTIALS);
}
