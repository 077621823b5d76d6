// The outbox: sealed envelopes waiting for the authority's receipt. Queue rows (id, size,
// digest, state, attempts, next attempt, receipt) are polled through the (state,
// next_attempt_at) index; envelopes sit in sealed_payloads and are read only to be sent or
// exported, and dropped only after a verified receipt (a trigger refuses it otherwise).
// Functions that write expect to run inside the caller's transaction.
import type { SealedRecord } from '../../protocol/sealed-record.js';
import { GatehouseError } from '../errors.js';
import type { SyncFailure } from '../sync/retry-policy.js';
import type { Db } from './database.js';

export interface QueuedRecord {
  recordId: string;
  /** The enrollment number; null for records that are no enrollment. */
  number: string | null;
  size: number;
  digest: string;
  createdAt: string;
}

export interface DueRecord {
  recordId: string;
  size: number;
  digest: string;
  attempts: number;
  /** Carried out in an export bundle: the authority may hold it already. */
  exported: boolean;
}

export interface OutboxEntry extends QueuedRecord {
  state: 'queued' | 'sending' | 'accepted' | 'rejected';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  /** The code of the last failure (the authority's, or the kiosk's own). */
  lastErrorCode: string | null;
  acceptedAt: string | null;
  purgeAfter: string | null;
  purgedAt: string | null;
  bundleId: string | null;
  exportedAt: string | null;
}

export interface QueueSummary {
  /** Waiting for a receipt, exported ones included. */
  queued: number;
  exported: number;
  rejected: number;
  accepted: number;
  /** Accepted records whose envelope is still kept (not yet purged). */
  retained: number;
  oldestQueuedAt: string | null;
  nextAttemptAt: string | null;
}

/** Inserts the envelope and its queue row; the record is due at once. */
export function enqueueSealed(db: Db, record: {
  recordId: string; enrollmentId: string | null; number: string | null; createdAt: string; envelope: SealedRecord;
}): QueuedRecord {
  const { recordId, enrollmentId, number, createdAt, envelope } = record;
  db.prepare(`INSERT INTO outbox (record_id, enrollment_id, number, state, size, digest, attempts, next_attempt_at, created_at, updated_at)
              VALUES (?, ?, ?, 'queued', ?, ?, 0, ?, ?, ?)`)
    .run(recordId, enrollmentId, number, envelope.size, envelope.digest, createdAt, createdAt, createdAt);
  db.prepare('INSERT INTO sealed_payloads (record_id, envelope) VALUES (?, ?)').run(recordId, envelope.bytes);
  return { recordId, number, size: envelope.size, digest: envelope.digest, createdAt };
}

/** Queued records due by `now`, earliest first; reads only the index and queue rows. */
export function dueRecords(db: Db, now: string, limit: number): DueRecord[] {
  const rows = db.prepare(`SELECT record_id AS recordId, size, digest, attempts, exported_at IS NOT NULL AS exported FROM outbox
                           WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`).all(now, limit) as
    Array<Omit<DueRecord, 'exported'> & { exported: number }>;
  return rows.map((row) => ({ ...row, exported: row.exported === 1 }));
}

/** The sealed envelope of a record that still has one. */
export function readEnvelope(db: Db, recordId: string): Buffer {
  const row = db.prepare('SELECT envelope FROM sealed_payloads WHERE record_id = ?').get(recordId) as { envelope: Buffer } | undefined;
  if (row === undefined) {
    throw new GatehouseError('OUTBOX_ENVELOPE_MISSING', `The sealed envelope of record ${recordId} is no longer on this kiosk.`, { recordId });
  }
  return row.envelope;
}

/** Why an attempt failed, as the outbox keeps it. */
export type OutboxFault = Pick<SyncFailure, 'code' | 'kind' | 'message'>;

export function scheduleRetry(db: Db, recordId: string, retry: { nextAttemptAt: string; fault: OutboxFault; now: string }): void {
  const { fault } = retry;
  db.prepare(`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, last_error_code = ?, last_error_kind = ?, updated_at = ?
              WHERE record_id = ? AND state = 'queued'`).run(retry.nextAttemptAt, fault.message, fault.code, fault.kind, retry.now, recordId);
}

/** The authority refused the record for good; it stays sealed here for a supervisor to look into (and maybe queue again). */
export function markRejected(db: Db, recordId: string, fault: OutboxFault, now: string): void {
  db.prepare(`UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_error = ?, last_error_code = ?, last_error_kind = ?, updated_at = ?
              WHERE record_id = ? AND state = 'queued'`).run(fault.message, fault.code, fault.kind, now, recordId);
}

/** The latest fault a technician must fix (kind 'config') that a queued record waits on; null when none does. */
export function standingConfigFault(db: Db): { code: string; message: string; at: string } | null {
  return (db.prepare(`SELECT last_error_code AS code, last_error AS message, updated_at AS at FROM outbox
                      WHERE state = 'queued' AND last_error_kind = 'config' ORDER BY updated_at DESC LIMIT 1`).get() as
    { code: string; message: string; at: string } | undefined) ?? null;
}

/** A supervisor sends a refused record once more: due at once, its backoff started afresh; false unless it was rejected. */
export function requeueRejected(db: Db, recordId: string, now: string): boolean {
  return db.prepare(`UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ?
                     WHERE record_id = ? AND state = 'rejected'`).run(now, now, recordId).changes === 1;
}

export function outboxEntry(db: Db, recordId: string): OutboxEntry | undefined {
  return db.prepare(`${ENTRY_SELECT} WHERE record_id = ?`).get(recordId) as OutboxEntry | undefined;
}

export function listOutbox(db: Db, { state, limit }: { state?: OutboxEntry['state']; limit: number }): OutboxEntry[] {
  return state === undefined
    ? db.prepare(`${ENTRY_SELECT} ORDER BY created_at LIMIT ?`).all(limit) as OutboxEntry[]
    : db.prepare(`${ENTRY_SELECT} WHERE state = ? ORDER BY created_at LIMIT ?`).all(state, limit) as OutboxEntry[];
}

const ENTRY_SELECT = `SELECT record_id AS recordId, number, state, size, digest, attempts, next_attempt_at AS nextAttemptAt,
  last_error AS lastError, last_error_code AS lastErrorCode, created_at AS createdAt, accepted_at AS acceptedAt, purge_after AS purgeAfter,
  purged_at AS purgedAt, bundle_id AS bundleId, exported_at AS exportedAt FROM outbox`;

/**
 * Stores a verified receipt: the record leaves the queue and its envelope may be purged from
 * `purgeAfter`. False when the record already had one (nothing changes then).
 */
export function storeReceipt(db: Db, recordId: string, receipt: { json: string; acceptedAt: string; purgeAfter: string }): boolean {
  return db.prepare(`UPDATE outbox SET state = 'accepted', receipt = ?, accepted_at = ?, purge_after = ?, last_error = NULL, last_error_code = NULL, last_error_kind = NULL,
                         updated_at = ?
                     WHERE record_id = ? AND receipt IS NULL`)
    .run(receipt.json, receipt.acceptedAt, receipt.purgeAfter, receipt.acceptedAt, recordId).changes === 1;
}

/**
 * Drops up to `limit` envelopes whose receipt is older than their retention, and the slips kept
 * with them for reprints (they name the person: they go when the record does); returns how many.
 */
export function purgeEnvelopes(db: Db, now: string, limit: number): number {
  const ids = (db.prepare(`SELECT record_id AS recordId FROM outbox INDEXED BY outbox_purge
                           WHERE state = 'accepted' AND purged_at IS NULL AND purge_after <= ? LIMIT ?`)
    .all(now, limit) as Array<{ recordId: string }>).map((row) => row.recordId);
  const drop = db.prepare('DELETE FROM sealed_payloads WHERE record_id = ?');
  const dropSlip = db.prepare('DELETE FROM slips WHERE record_id = ?');
  const mark = db.prepare('UPDATE outbox SET purged_at = ?, updated_at = ? WHERE record_id = ?');
  for (const id of ids) {
    drop.run(id);
    dropSlip.run(id);
    mark.run(now, now, id);
  }
  return ids.length;
}

/**
 * After the retention changed: every envelope still kept may go `retentionMs` after its receipt
 * (so a shorter retention drops the overdue ones at the next purge); returns how many were rescheduled.
 */
export function reschedulePurges(db: Db, retentionMs: number, now: Date): number {
  const kept = db.prepare(`SELECT record_id AS recordId, accepted_at AS acceptedAt FROM outbox
                           WHERE state = 'accepted' AND purged_at IS NULL`).all() as Array<{ recordId: string; acceptedAt: string }>;
  const reschedule = db.prepare('UPDATE outbox SET purge_after = ?, updated_at = ? WHERE record_id = ?');
  for (const { recordId, acceptedAt } of kept) {
    reschedule.run(new Date(Date.parse(acceptedAt) + retentionMs).toISOString(), now.toISOString(), recordId);
  }
  return kept.length;
}

export function markExported(db: Db, recordIds: readonly string[], bundleId: string, at: string): void {
  const mark = db.prepare("UPDATE outbox SET bundle_id = ?, exported_at = ?, updated_at = ? WHERE record_id = ? AND state = 'queued'");
  for (const id of recordIds) mark.run(bundleId, at, at, id);
}

/** Every record waiting for a receipt, oldest first, as a bundle lists them. */
export function waitingRecords(db: Db): Array<{ recordId: string; size: number; digest: string }> {
  return db.prepare("SELECT record_id AS recordId, size, digest FROM outbox WHERE state = 'queued' ORDER BY created_at").all() as
    Array<{ recordId: string; size: number; digest: string }>;
}

export function queueSummary(db: Db): QueueSummary {
  const counts = db.prepare(`SELECT
      count(*) FILTER (WHERE state IN ('queued', 'sending')) AS queued,
      count(*) FILTER (WHERE state = 'queued' AND exported_at IS NOT NULL) AS exported,
      count(*) FILTER (WHERE state = 'rejected') AS rejected,
      count(*) FILTER (WHERE state = 'accepted') AS accepted,
      count(*) FILTER (WHERE state = 'accepted' AND purged_at IS NULL) AS retained
    FROM outbox`).get() as Omit<QueueSummary, 'oldestQueuedAt' | 'nextAttemptAt'>;
  const oldest = db.prepare("SELECT min(created_at) AS at FROM outbox WHERE state = 'queued'").get() as { at: string | null };
  const next = db.prepare("SELECT min(next_attempt_at) AS at FROM outbox WHERE state = 'queued'").get() as { at: string | null };
  return { ...counts, oldestQueuedAt: oldest.at, nextAttemptAt: next.at };
}
