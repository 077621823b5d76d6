// Checking an operator's PIN wherever one is asked for (logging in, approving an enrollment),
// always the same way: an unknown name takes as long as a wrong PIN, a locked or disabled
// operator is refused, every wrong PIN counts towards the lockout, and the checks for one
// operator run one after the other, each on the row as the ones before it left it.

import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { getOperator, isLocked, recordLoginFailure, type OperatorRow } from './operator-repository.js';
import { decoyHash, verifyPin } from './pin-hash.js';

export type PinRefusal = 'failed' | 'locked' | 'disabled';

export interface PinCheck {
  db: Db;
  /** The operator the PIN is claimed for; undefined when the name is unknown. */
  row: OperatorRow | undefined;
  pin: string;
  at: Date;
  /**
   * Runs `change` (the failure count, or nothing) in the caller's audited transaction, so the
   * refusal is written with the caller's own audit entry, and returns what it returned.
   */
  recordRefusal(outcome: PinRefusal, change: () => OperatorRow | null): OperatorRow | null;
}

/** Checks in progress per operator: one at a time, so that concurrent guesses cannot outrun the lockout. */
const checking = new Map<number, Promise<unknown>>();

/** The operator's row when `pin` is theirs and they may act; otherwise records the refusal and throws it. */
export async function checkOperatorPin(check: PinCheck): Promise<OperatorRow> {
  const id = check.row?.id;
  if (id === undefined) return checkPin(check); // an unknown name: the decoy check, nothing to lock
  const previous = checking.get(id) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(() => {
    // The row as it is now, after the checks before this one counted their failures.
    const row = getOperator(check.db, id);
    return checkPin({ ...check, row });
  });
  checking.set(id, current);
  try {
    return await current;
  } finally {
    if (checking.get(id) === current) checking.delete(id);
  }
}

async function checkPin({ db, row, pin, at, recordRefusal }: PinCheck): Promise<OperatorRow> {
  if (row && isLocked(row, at)) {
    recordRefusal('locked', () => null);
    throw lockedError(row.locked_until!, at);
  }
  const pinMatches = await verifyPin(pin, row?.pin_hash ?? await decoyHash());
  if (row && pinMatches && !row.disabled_at) return row;
  const after = recordRefusal(row?.disabled_at ? 'disabled' : 'failed',
    () => (row && !row.disabled_at ? recordLoginFailure(db, row.id, at) : null));
  if (after && isLocked(after, at)) throw lockedError(after.locked_until!, at);
  if (row?.disabled_at && pinMatches) throw disabledError();
  throw new GatehouseError('AUTH_FAILED', 'Name or PIN is not right. Try again.');
}

export function disabledError(): GatehouseError {
  return new GatehouseError('AUTH_DISABLED', 'This operator has been disabled. Ask a supervisor.');
}

export function lockedError(lockedUntil: string, now: Date): GatehouseError {
  const minutes = Math.max(1, Math.ceil((Date.parse(lockedUntil) - now.getTime()) / 60_000));
  return new GatehouseError('AUTH_LOCKED',
    `Too many wrong PINs. This operator is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}, or until a supervisor unlocks it.`,
    { lockedUntil });
}
