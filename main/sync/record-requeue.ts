// A supervisor's way back for a record the authority refused for good: once the cause is
// looked into, the record goes back into the queue, due at once with its backoff started afresh,
// and a sync round is asked for — in the caller's transaction, beside its audit entry. The audit
// names the record (id, number) and why it was refused (code, message), never its content.
import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { outboxEntry, requeueRejected } from '../store/outbox.js';
import { requestSyncRound } from './sync-round-job.js';

export interface RequeuedRecord {
  recordId: string;
  number: string | null;
  /** The authority's code for the refusal. */
  code: string | null;
  /** The authority's refusal as the kiosk kept it, cut to what an audit entry holds. */
  reason: string;
}

/** What an audit detail string holds at most (main/audit/audit-log.ts). */
const REASON_MAX = 256;

/** Puts rejected record `recordId` back into the queue; RECORD_NOT_FOUND / RECORD_NOT_REJECTED otherwise. */
export function requeueRejectedRecord(db: Db, recordId: string, now: Date): RequeuedRecord {
  const entry = outboxEntry(db, recordId);
  if (entry === undefined) throw new GatehouseError('RECORD_NOT_FOUND', `There is no record ${recordId} on this kiosk.`, { recordId });
  if (!requeueRejected(db, recordId, now.toISOString())) {
    throw new GatehouseError('RECORD_NOT_REJECTED',
      `Record ${entry.number ?? recordId} is ${entry.state}, not refused by the authority; only a refused record can be queued again.`,
      { recordId, state: entry.state });
  }
  requestSyncRound(db, { now });
  const reason = entry.lastError ?? '';
  return { recordId, number: entry.number, code: entry.lastErrorCode, reason: reason.length > REASON_MAX ? `${reason.slice(0, REASON_MAX - 1)}…` : reason };
}

/** The record id of `idOrNumber` (a record id or an enrollment number), for the command line. */
export function outboxRecordId(db: Db, idOrNumber: string): string {
  const row = db.prepare('SELECT record_id AS recordId FROM outbox WHERE record_id = ? OR number = ?').get(idOrNumber, idOrNumber) as
    { recordId: string } | undefined;
  if (row === undefined) throw new GatehouseError('RECORD_NOT_FOUND', `There is no record ${idOrNumber} on this kiosk.`, { recordId: idOrNumber });
  return row.recordId;
}
