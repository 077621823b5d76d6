// Where each record of this kiosk is, for the people who follow it: officers see today's
// enrollments of their own, supervisors everyone's, each with its number, kind, state (held for
// review → sealed → sent → received by the authority → decided) and the authority's decision;
// a slip printed again from there; and a record the authority refused queued again (supervisor).
import { z } from 'zod';
import { procedure } from '../define.js';
import { EnrollmentFlow, Language, OperatorRef } from '../schemas.js';

const staff = ['officer', 'supervisor'] as const;

export const RecordState = z.enum(['held', 'rejected-at-kiosk', 'sealed', 'delivery-refused', 'sent', 'received', 'in-review', 'decided']);

export const RecordEntry = z.object({
  enrollmentId: z.string(),
  /** Given when sealed; null while held or after a supervisor rejected it. */
  number: z.string().nullable(),
  recordId: z.string().nullable(),
  flow: EnrollmentFlow,
  /** When it was sealed, held, or rejected here. */
  at: z.string(),
  ranBy: OperatorRef.nullable(),
  state: RecordState,
  /** Sealed and waiting: how many records wait to be sent before it. */
  ahead: z.number().int().nonnegative().nullable(),
  decision: z.enum(['accepted', 'rejected']).nullable(),
  /** The authority's reason for a rejection or for refusing the delivery, or the supervisor's reason code for one rejected here. */
  reason: z.string().nullable(),
  decidedAt: z.string().nullable(),
  /** The slip can still be printed again (it is kept until the record's retention ends). */
  slipKept: z.boolean(),
});

export const PrintedSlip = z.object({
  number: z.string(),
  /** The printed page as a PNG data: URL. */
  picture: z.string(),
  delivery: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('printed'), printer: z.string() }),
    /** The printer did not take it at once (off, out of paper …): the kiosk's print job retries until it does. */
    z.object({ kind: z.literal('queued'), printer: z.string() }),
    z.object({ kind: z.literal('saved'), file: z.string() }),
  ]),
});

export const recordsProcedures = {
  'records.list': procedure({
    summary: "Today's records: an officer's own, a supervisor's everyone's (and every enrollment still held for review).",
    input: z.strictObject({}),
    output: z.object({ day: z.string(), entries: z.array(RecordEntry) }),
    access: staff,
  }),
  'records.printSlip': procedure({
    summary: "Print a record's slip again (an officer their own records', a supervisor any), in the person's language or another.",
    input: z.strictObject({ recordId: z.uuid(), language: Language.optional() }),
    output: PrintedSlip,
    access: staff,
    audit: 'record.slip-printed',
  }),
  'records.requeue': procedure({
    summary: 'Queue a record the authority refused for good once more (a supervisor, once the cause is looked into); audited with its refusal.',
    input: z.strictObject({ recordId: z.uuid() }),
    output: z.object({ recordId: z.string(), number: z.string().nullable() }),
    access: ['supervisor'],
    audit: 'record.requeued',
  }),
} as const;
