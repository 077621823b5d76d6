// Operators in the local store: creation, look-up and the wrong-PIN count behind each
// operator's PIN wait (auth/pin-throttle.ts). Callers wrap writes in the RPC transaction that
// audits them.

import type { z } from 'zod';
import type { Operator } from '../rpc/contract.js';
import type { Role } from '../rpc/define.js';
import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { afterFailure, PIN_THROTTLE } from './pin-throttle.js';

export type OperatorView = z.infer<typeof Operator>;

export interface OperatorRow {
  id: number;
  name: string;
  role: Role;
  pin_hash: string;
  /** Wrong PINs since the last success or unlock. */
  failed_attempts: number;
  /** PIN attempts for this operator wait until then (null: no wait); fingers never do. */
  locked_until: string | null;
  last_failed_at: string | null;
  created_at: string;
  disabled_at: string | null;
}

export function toOperatorView(row: OperatorRow, now: Date): OperatorView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    disabled: row.disabled_at !== null,
    lockedUntil: isLocked(row, now) ? row.locked_until : null,
  };
}

export function isLocked(row: Pick<OperatorRow, 'locked_until'>, now: Date): boolean {
  return row.locked_until !== null && Date.parse(row.locked_until) > now.getTime();
}

export function countOperators(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM operators').get() as { n: number }).n;
}

export function createOperator(db: Db, op: { name: string; role: Role; pinHash: string }, now: Date): OperatorRow {
  try {
    const id = db.prepare('INSERT INTO operators (name, role, pin_hash, created_at) VALUES (?, ?, ?, ?)')
      .run(op.name, op.role, op.pinHash, now.toISOString()).lastInsertRowid;
    return getOperator(db, Number(id));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new GatehouseError('OPERATOR_NAME_TAKEN', `An operator named "${op.name}" already exists; choose another name.`);
    }
    throw error;
  }
}

export function listOperators(db: Db): OperatorRow[] {
  return db.prepare('SELECT * FROM operators ORDER BY name COLLATE NOCASE').all() as OperatorRow[];
}

export function findOperatorByName(db: Db, name: string): OperatorRow | undefined {
  return db.prepare('SELECT * FROM operators WHERE name = ?').get(name) as OperatorRow | undefined;
}

export function getOperator(db: Db, id: number): OperatorRow {
  const row = db.prepare('SELECT * FROM operators WHERE id = ?').get(id) as OperatorRow | undefined;
  if (!row) throw new GatehouseError('OPERATOR_NOT_FOUND', `There is no operator with id ${id}.`, { id });
  return row;
}

/** Counts a wrong PIN for the operator; from the fifth in a row their next PIN attempt waits. */
export function recordLoginFailure(db: Db, id: number, now: Date): OperatorRow {
  const row = getOperator(db, id);
  const next = afterFailure(
    { failures: row.failed_attempts, lastFailedAt: row.last_failed_at, waitUntil: row.locked_until }, now, PIN_THROTTLE.operator);
  db.prepare('UPDATE operators SET failed_attempts = ?, last_failed_at = ?, locked_until = ? WHERE id = ?')
    .run(next.failures, next.lastFailedAt, next.waitUntil, id);
  return getOperator(db, id);
}

/** The operator proved who they are (PIN or finger): their count and wait start over. */
export function recordLoginSuccess(db: Db, id: number): void {
  db.prepare('UPDATE operators SET failed_attempts = 0, last_failed_at = NULL, locked_until = NULL WHERE id = ?').run(id);
}

export function disableOperator(db: Db, id: number, now: Date): OperatorRow {
  db.prepare('UPDATE operators SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?').run(now.toISOString(), id);
  return getOperator(db, id);
}

export function unlockOperator(db: Db, id: number): OperatorRow {
  recordLoginSuccess(db, id);
  return getOperator(db, id);
}

/** A new PIN (reset by a manager or changed by its operator): the wrong-PIN count and wait start over. */
export function setOperatorPin(db: Db, id: number, pinHash: string): OperatorRow {
  db.prepare('UPDATE operators SET pin_hash = ?, failed_attempts = 0, last_failed_at = NULL, locked_until = NULL WHERE id = ?').run(pinHash, id);
  return getOperator(db, id);
}

/**
 * Changes an operator's role, refusing (OPERATOR_LAST_TECHNICIAN) to leave the kiosk without an
 * enabled technician, the one role that can create operators and set the kiosk up.
 */
export function setOperatorRole(db: Db, id: number, role: Role): OperatorRow {
  db.prepare('UPDATE operators SET role = ? WHERE id = ?').run(role, id);
  const technicians = db.prepare(`SELECT count(*) AS n FROM operators WHERE role = 'technician' AND disabled_at IS NULL`).get() as { n: number };
  if (technicians.n === 0) {
    throw new GatehouseError('OPERATOR_LAST_TECHNICIAN',
      'This would leave the kiosk without an enabled technician; give another operator the technician role first.', { id });
  }
  return getOperator(db, id);
}
