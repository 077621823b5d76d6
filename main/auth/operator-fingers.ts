// Which slot (page) of the fingerprint module's library holds each operator's login
// finger (table operator_fingers, one finger per operator). The templates themselves
// stay on the module; callers wrap writes in the RPC transaction that audits them.

import type { Db } from '../store/database.js';

export interface OperatorFinger {
  operatorId: number;
  page: number;
  /** ISO finger position 1–10. */
  position: number;
}

export function operatorFingerOf(db: Db, operatorId: number): OperatorFinger | undefined {
  return db.prepare('SELECT operator_id AS operatorId, page, position FROM operator_fingers WHERE operator_id = ?')
    .get(operatorId) as OperatorFinger | undefined;
}

/** The operator whose login finger is in `page`, or null for a slot no operator is known for. */
export function operatorAtPage(db: Db, page: number): number | null {
  const row = db.prepare('SELECT operator_id AS operatorId FROM operator_fingers WHERE page = ?').get(page) as { operatorId: number } | undefined;
  return row?.operatorId ?? null;
}

export function pagesInUse(db: Db): number[] {
  return (db.prepare('SELECT page FROM operator_fingers').all() as { page: number }[]).map((row) => row.page);
}

/** Records (or moves) the operator's login finger. */
export function saveOperatorFinger(db: Db, finger: OperatorFinger, now: Date): void {
  db.prepare(`INSERT INTO operator_fingers (operator_id, page, position, enrolled_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (operator_id) DO UPDATE SET page = excluded.page, position = excluded.position, enrolled_at = excluded.enrolled_at`)
    .run(finger.operatorId, finger.page, finger.position, now.toISOString());
}

/** Every operator's login finger with when it was enrolled. */
export function listOperatorFingers(db: Db): Array<OperatorFinger & { enrolledAt: string }> {
  return db.prepare('SELECT operator_id AS operatorId, page, position, enrolled_at AS enrolledAt FROM operator_fingers')
    .all() as Array<OperatorFinger & { enrolledAt: string }>;
}

/** Forgets the operator's login finger; its slot's template no longer logs anyone in. */
export function forgetOperatorFinger(db: Db, operatorId: number): void {
  db.prepare('DELETE FROM operator_fingers WHERE operator_id = ?').run(operatorId);
}
