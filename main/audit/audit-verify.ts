// Recomputes the audit chain from what is stored and names the first entry that was
// changed, removed or reordered, so a technician knows exactly where the log was touched.
import { canonicalJson } from '../../protocol/canonical-json.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import type { Db } from '../store/database.js';
import { auditEntryHash, GENESIS_PREV_HASH, type AuditHead, type AuditRow } from './audit-log.js';

export type AuditBreakReason = 'hash-mismatch' | 'chain-broken' | 'sequence-gap' | 'undecodable';

export type AuditBreak = { seq: number; reason: AuditBreakReason; message: string };

/** On failure, `entries` counts the intact entries before the break. */
export type AuditVerification =
  | { ok: true; entries: number; head: AuditHead | null }
  | { ok: false; entries: number; firstBroken: AuditBreak };

/** Walks the whole log in sequence order, streaming rows, and stops at the first break. */
export function verifyAudit(db: Db): AuditVerification {
  const rows = db.prepare('SELECT seq, at, actor, action, details, prev_hash, hash FROM audit ORDER BY seq').iterate() as IterableIterator<AuditRow>;
  let previous: AuditHead | null = null;
  let entries = 0;
  for (const row of rows) {
    const broken = checkRow(row, previous);
    if (broken) return { ok: false, entries, firstBroken: broken };
    previous = { seq: row.seq, hash: row.hash };
    entries += 1;
  }
  return { ok: true, entries, head: previous };
}

/**
 * verifyAudit for a running kiosk: reads `batch` entries at a time and lets the event loop run
 * between batches (a long log takes about a second to check in one go). Entries are append-only,
 * so paging by sequence number sees the same log; one appended meanwhile is checked too.
 */
export async function verifyAuditInSteps(db: Db, batch = 500): Promise<AuditVerification> {
  const page = db.prepare('SELECT seq, at, actor, action, details, prev_hash, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?');
  let previous: AuditHead | null = null;
  let entries = 0;
  for (;;) {
    const rows = page.all(previous?.seq ?? Number.MIN_SAFE_INTEGER, batch) as AuditRow[];
    for (const row of rows) {
      const broken = checkRow(row, previous);
      if (broken) return { ok: false, entries, firstBroken: broken };
      previous = { seq: row.seq, hash: row.hash };
      entries += 1;
    }
    if (rows.length < batch) return { ok: true, entries, head: previous };
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function checkRow(row: AuditRow, previous: AuditHead | null): AuditBreak | null {
  const expectedSeq = (previous?.seq ?? 0) + 1;
  const entry = `entry ${row.seq} (${row.action} at ${row.at})`;
  if (row.seq > expectedSeq) {
    const missing = row.seq - 1 === expectedSeq ? `entry ${expectedSeq} is` : `entries ${expectedSeq}–${row.seq - 1} are`;
    const context = previous ? `${previous.seq} is followed by ${row.seq}` : `the log starts at ${row.seq}`;
    return { seq: expectedSeq, reason: 'sequence-gap', message: `${missing} missing (${context})` };
  }
  if (row.seq < expectedSeq) {
    return { seq: row.seq, reason: 'sequence-gap', message: `${entry}: sequence numbers must start at 1` };
  }
  const expectedPrev = previous?.hash ?? GENESIS_PREV_HASH;
  if (row.prev_hash !== expectedPrev) {
    const predecessor = previous ? `the hash of entry ${previous.seq}` : 'the genesis value';
    return { seq: row.seq, reason: 'chain-broken', message: `${entry}: its prev_hash does not match ${predecessor}` };
  }
  let details: unknown;
  try {
    details = JSON.parse(row.details);
  } catch {
    return { seq: row.seq, reason: 'undecodable', message: `${entry}: its details are not valid JSON` };
  }
  if (!isCanonical(details, row.details)) {
    return { seq: row.seq, reason: 'undecodable', message: `${entry}: its details are not in canonical JSON form` };
  }
  const hash = auditEntryHash({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, details, prevHash: row.prev_hash });
  if (hash !== row.hash) {
    return { seq: row.seq, reason: 'hash-mismatch', message: `${entry}: stored hash does not match its contents` };
  }
  return null;
}

function isCanonical(details: unknown, stored: string): boolean {
  try {
    return canonicalJson(details) === stored;
  } catch (error) {
    if (error instanceof ProtocolError) return false; // the stored details hold no JSON value
    throw error;
  }
}
