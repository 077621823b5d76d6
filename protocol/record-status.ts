// What becomes of a record at the authority, as the kiosk learns it: each record the authority
// holds is received, may be taken into review, and is accepted or rejected (with a reason). The
// kiosk pulls the changes for its own records after the last one it has seen; the authority
// signs each page, so a status the kiosk shows is one the authority gave.
import { z } from 'zod';
import { EnrollmentNumber } from './enrollment-number.js';
import { authorityDocumentKind } from './signed-json.js';
import { IsoTime, KeyId, KioskId, RecordId, SignatureText } from './wire-fields.js';

export const ProcessingState = z.enum(['received', 'in-review', 'accepted', 'rejected']);
export type ProcessingState = z.infer<typeof ProcessingState>;

/** The largest page of changes one pull returns. */
export const STATUS_PAGE_SIZE = 500;

export const RecordStatusChange = z.strictObject({
  /** Position in the authority's log of changes; pulls ask for those after the last one seen. */
  seq: z.number().int().positive(),
  recordId: RecordId,
  number: EnrollmentNumber.nullable(),
  state: ProcessingState,
  /** Why, for a rejection (and optionally a review); null otherwise. */
  reason: z.string().max(500).nullable(),
  at: IsoTime,
});
export type RecordStatusChange = z.infer<typeof RecordStatusChange>;

export const RecordStatusPage = z.strictObject({
  kioskId: KioskId,
  /** The `after` the kiosk asked with. */
  after: z.number().int().nonnegative(),
  changes: z.array(RecordStatusChange).max(STATUS_PAGE_SIZE),
  /** Ask with this next; equal to `after` when nothing changed. */
  next: z.number().int().nonnegative(),
  /** More changes wait beyond this page. */
  more: z.boolean(),
  issuedAt: IsoTime,
  authorityKeyId: KeyId,
  signature: SignatureText,
});
export type RecordStatusPage = z.infer<typeof RecordStatusPage>;

export const recordStatusDocument = authorityDocumentKind('gatehouse record-status v1', RecordStatusPage);

/** The query of GET /v1/record-status. */
export const RecordStatusQuery = z.strictObject({
  after: z.string().regex(/^(0|[1-9][0-9]{0,14})$/, 'after is a whole number').transform(Number),
});
