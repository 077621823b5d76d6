// The list of records a screen or `gatehouse records` shows: each enrollment that ended in a
// record, was held for review or was rejected here, joined with its queue row (number, delivery,
// the authority's state) into one state along the way: held → sealed → sent → received (or in
// review) by the authority → decided. A read model over tables other modules own; it writes
// nothing, and carries no personal data beyond numbers and states.

import type { z } from 'zod';
import type { RecordEntry } from '../rpc/procedures/records.js';
import type { Flow } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';

export type RecordEntryView = z.infer<typeof RecordEntry>;

interface Row {
  enrollmentId: string;
  flow: Flow;
  enrollmentState: 'awaiting-review' | 'sealed' | 'rejected';
  operatorId: number | null;
  operatorName: string | null;
  operatorRole: 'officer' | 'supervisor' | 'technician' | null;
  heldAt: string | null;
  decidedAt: string | null;
  rejectionReason: string | null;
  updatedAt: string;
  recordId: string | null;
  number: string | null;
  delivery: 'queued' | 'sending' | 'accepted' | 'rejected' | null;
  deliveryError: string | null;
  sealedAt: string | null;
  authorityState: 'received' | 'in-review' | 'accepted' | 'rejected' | null;
  authorityReason: string | null;
  authorityStateAt: string | null;
  ahead: number | null;
  slipKept: number;
}

export interface RecordQuery {
  /** Only what ended here from this time on (held enrollments and records the authority refused are listed whatever their age). */
  since?: string | null;
  /** Only the enrollments this operator ran. */
  operatorId?: number | null;
  /** Only this record. */
  recordId?: string | null;
}

export function listRecords(db: Db, { since = null, operatorId = null, recordId = null }: RecordQuery): RecordEntryView[] {
  const rows = db.prepare(`
    SELECT e.id AS enrollmentId, e.flow, e.state AS enrollmentState, e.operator_id AS operatorId,
           op.name AS operatorName, op.role AS operatorRole, e.held_at AS heldAt, e.decided_at AS decidedAt,
           e.rejection_reason AS rejectionReason, e.updated_at AS updatedAt,
           o.record_id AS recordId, o.number, o.state AS delivery, o.last_error AS deliveryError, o.created_at AS sealedAt,
           o.authority_state AS authorityState, o.authority_reason AS authorityReason, o.authority_state_at AS authorityStateAt,
           CASE WHEN o.state IN ('queued', 'sending')
                THEN (SELECT count(*) FROM outbox q WHERE q.state IN ('queued', 'sending') AND q.created_at < o.created_at) END AS ahead,
           EXISTS (SELECT 1 FROM slips s WHERE s.record_id = o.record_id) AS slipKept
    FROM enrollments e
    LEFT JOIN outbox o ON o.enrollment_id = e.id
    LEFT JOIN operators op ON op.id = e.operator_id
    WHERE e.state IN ('awaiting-review', 'sealed', 'rejected')
      AND (e.state = 'awaiting-review' OR o.state = 'rejected' OR ? IS NULL OR e.updated_at >= ?)
      AND (? IS NULL OR e.operator_id = ?)
      AND (? IS NULL OR o.record_id = ?)
    ORDER BY coalesce(o.created_at, e.held_at, e.updated_at) DESC, e.id`).all(since, since, operatorId, operatorId, recordId, recordId) as Row[];
  return rows.map(entryOf);
}

/** The one state a record is in along the way. */
function entryOf(row: Row): RecordEntryView {
  const base = {
    enrollmentId: row.enrollmentId,
    number: row.number,
    recordId: row.recordId,
    flow: row.flow,
    ranBy: row.operatorId !== null && row.operatorName !== null && row.operatorRole !== null
      ? { id: row.operatorId, name: row.operatorName, role: row.operatorRole } : null,
    ahead: null,
    decision: null,
    reason: null,
    decidedAt: null,
    slipKept: row.slipKept === 1,
  };
  if (row.enrollmentState === 'awaiting-review') return { ...base, state: 'held', at: row.heldAt ?? row.updatedAt };
  if (row.enrollmentState === 'rejected') {
    return { ...base, state: 'rejected-at-kiosk', at: row.decidedAt ?? row.updatedAt, reason: row.rejectionReason, decidedAt: row.decidedAt };
  }
  const at = row.sealedAt ?? row.updatedAt;
  if (row.authorityState === 'accepted' || row.authorityState === 'rejected') {
    return { ...base, at, state: 'decided', decision: row.authorityState, reason: row.authorityReason, decidedAt: row.authorityStateAt };
  }
  if (row.authorityState === 'received' || row.authorityState === 'in-review') {
    return { ...base, at, state: row.authorityState, reason: row.authorityReason };
  }
  if (row.delivery === 'accepted') return { ...base, at, state: 'sent' };
  if (row.delivery === 'rejected') return { ...base, at, state: 'delivery-refused', reason: row.deliveryError };
  return { ...base, at, state: 'sealed', ahead: row.ahead };
}

/** The start of the kiosk's calendar day of `now`, as the ISO time rows are compared with. */
export function startOfKioskDay(now: Date): string {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}
