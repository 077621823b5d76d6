// The one owner of the `enrollments` and `held_enrollments` tables. Rows carry ids, states,
// operators, times and reasons, never personal data; a held enrollment's captures are an
// envelope sealed to the kiosk's own key. Writes run inside the caller's transaction.

import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { SecondApprovalReason, type Flow } from '../rpc/schemas.js';
import type { SecondApprovalReasonName } from './four-eyes.js';
import { CAPTURE_STATES, type EnrollmentState } from './transitions.js';

export interface HeldRow {
  id: string;
  flow: Flow;
  ranBy: number | null;
  heldAt: string;
  heldBy: number | null;
  reasons: SecondApprovalReasonName[];
}

interface StoredHeldRow {
  id: string;
  flow: Flow;
  operator_id: number | null;
  held_at: string;
  held_by: number | null;
  second_approval: string | null;
}

const Reasons = z.array(SecondApprovalReason);

/** A row as the queue lists it. Its reasons are an index only (the sealed copy is the truth): a damaged list shows as none. */
function heldRowOf(row: StoredHeldRow): HeldRow {
  let reasons: SecondApprovalReasonName[] = [];
  try {
    reasons = Reasons.parse(JSON.parse(row.second_approval ?? '[]'));
  } catch {
    reasons = [];
  }
  return { id: row.id, flow: row.flow, ranBy: row.operator_id, heldAt: row.held_at, heldBy: row.held_by, reasons };
}

export class EnrollmentRepository {
  constructor(private readonly db: Db) {}

  insert(row: { id: string; flow: Flow; state: EnrollmentState; ranBy: number | null; at: string }): void {
    this.db.prepare('INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, row.flow, row.state, row.ranBy, row.at, row.at);
  }

  setState(id: string, state: EnrollmentState, at: string): void {
    this.db.prepare('UPDATE enrollments SET state = ?, updated_at = ? WHERE id = ?').run(state, at, id);
  }

  /** Moves the row from `from` to `to`; refused unless it was in `from` (a row changed behind the kiosk's back). */
  moveState(id: string, from: EnrollmentState, to: EnrollmentState, at: string): void {
    const moved = this.db.prepare('UPDATE enrollments SET state = ?, updated_at = ? WHERE id = ? AND state = ?').run(to, at, id, from).changes;
    if (moved !== 1) {
      throw new GatehouseError('ENROLLMENT_STATE_CONFLICT', `Enrollment ${id} is not ${from} in the store; nothing was changed. Call a technician.`, { id, from, to });
    }
  }

  state(id: string): EnrollmentState | null {
    const row = this.db.prepare('SELECT state FROM enrollments WHERE id = ?').get(id) as { state: EnrollmentState } | undefined;
    return row?.state ?? null;
  }

  /** Keeps a held enrollment's sealed captures and who held it why. */
  hold(id: string, held: { envelope: Uint8Array; at: string; by: number; reasons: readonly SecondApprovalReasonName[] }): void {
    this.db.prepare('INSERT INTO held_enrollments (enrollment_id, envelope) VALUES (?, ?)').run(id, held.envelope);
    this.db.prepare('UPDATE enrollments SET held_at = ?, held_by = ?, second_approval = ? WHERE id = ?')
      .run(held.at, held.by, JSON.stringify(held.reasons), id);
  }

  /** A held enrollment's envelope; null when none is held under `id`. */
  heldEnvelope(id: string): Buffer | null {
    const row = this.db.prepare('SELECT envelope FROM held_enrollments WHERE enrollment_id = ?').get(id) as { envelope: Buffer } | undefined;
    return row?.envelope ?? null;
  }

  /** Held enrollments, oldest first. */
  listHeld(): HeldRow[] {
    const rows = this.db.prepare(`SELECT id, flow, operator_id, held_at, held_by, second_approval FROM enrollments
      WHERE state = 'awaiting-review' ORDER BY held_at, id`).all() as StoredHeldRow[];
    return rows.map(heldRowOf);
  }

  /** One held enrollment's row; null unless `id` is held. */
  heldRow(id: string): HeldRow | null {
    const row = this.db.prepare(`SELECT id, flow, operator_id, held_at, held_by, second_approval FROM enrollments
      WHERE id = ? AND state = 'awaiting-review'`).get(id) as StoredHeldRow | undefined;
    return row ? heldRowOf(row) : null;
  }

  countHeld(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM enrollments WHERE state = 'awaiting-review'").get() as { n: number }).n;
  }

  /** Approved (at the screen or from the queue): who approved, why four eyes were needed, which record it became. */
  recordApproval(id: string, approval: { by: number; at: string; reasons: readonly SecondApprovalReasonName[]; recordId: string }): void {
    this.db.prepare('UPDATE enrollments SET decided_at = ?, decided_by = ?, second_approval = ?, record_id = ? WHERE id = ?')
      .run(approval.at, approval.by, JSON.stringify(approval.reasons), approval.recordId, id);
  }

  recordRejection(id: string, rejection: { by: number; at: string; reason: string }): void {
    this.db.prepare('UPDATE enrollments SET decided_at = ?, decided_by = ?, rejection_reason = ? WHERE id = ?')
      .run(rejection.at, rejection.by, rejection.reason, id);
  }

  /** Drops a held enrollment's captures (approved and sealed, or rejected); secure_delete overwrites them. */
  dropHeld(id: string): void {
    this.db.prepare('DELETE FROM held_enrollments WHERE enrollment_id = ?').run(id);
  }

  /** Enrollments left on a step when the kiosk stopped: their captures were in memory and are gone. */
  unfinished(): string[] {
    const rows = this.db.prepare(`SELECT id FROM enrollments WHERE state IN (${CAPTURE_STATES.map(() => '?').join(', ')})
      ORDER BY created_at`).all(...CAPTURE_STATES) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }
}
