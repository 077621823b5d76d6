// Signed checkpoints of the audit chain: the kiosk signs its head (sequence number and entry
// hash) and the authority keeps it, so a log later cut short or rewritten no longer matches
// what the authority holds. Pushing a checkpoint writes no audit entry, or the head would move.
import type { KeyObject } from 'node:crypto';
import { signAuditCheckpoint, type AuditCheckpoint } from '../../protocol/audit-checkpoint.js';
import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { auditHead } from './audit-log.js';

/** The last checkpoint the authority acknowledged, if any. */
function lastAcknowledgedCheckpoint(db: Db): { seq: number; headHash: string } | null {
  const row = db.prepare('SELECT seq, head_hash AS headHash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; headHash: string } | undefined;
  return row ?? null;
}

/**
 * A signed checkpoint of the current head, or null when the authority already holds it (or the
 * log is empty). AUDIT_TRUNCATED when the head is behind a checkpoint already acknowledged.
 */
export function checkpointToPush(db: Db, kioskId: string, signingKey: KeyObject, now: Date): AuditCheckpoint | null {
  const head = auditHead(db);
  const last = lastAcknowledgedCheckpoint(db);
  if (last !== null && (head === null || head.seq < last.seq)) {
    throw new GatehouseError('AUDIT_TRUNCATED',
      `The audit log ends at entry ${head?.seq ?? 0}, but the authority holds a checkpoint at entry ${last.seq}; entries were removed. Report this kiosk.`,
      { seq: head?.seq ?? 0, checkpointSeq: last.seq });
  }
  if (head === null || head.seq === last?.seq) return null;
  return signAuditCheckpoint({ kioskId, seq: head.seq, headHash: head.hash, at: now.toISOString() }, signingKey);
}

export function recordAcknowledgedCheckpoint(db: Db, checkpoint: AuditCheckpoint, at: Date): void {
  db.prepare(`INSERT INTO audit_checkpoints (seq, head_hash, signed_at, signature, acknowledged_at) VALUES (?, ?, ?, ?, ?)
              ON CONFLICT (seq) DO NOTHING`)
    .run(checkpoint.seq, checkpoint.headHash, checkpoint.at, checkpoint.signature, at.toISOString());
}
