// Checking an operator's PIN wherever one is asked for (logging in, approving an enrollment),
// always the same way: an unknown name takes as long as a wrong PIN; while the station or the
// operator must wait after wrong PINs (auth/pin-throttle.ts) the attempt is refused unchecked and
// not counted; a disabled operator is refused; every wrong PIN counts for the operator and for
// the station. The checks at one store run one after the other, each on the counts as the ones
// before it left them, so guesses sent all at once (for one name or many) cannot outrun a wait.

import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { getOperator, isLocked, recordLoginFailure, type OperatorRow } from './operator-repository.js';
import { recordStationFailure, stationCount } from './pin-failures.js';
import { decoyHash, verifyPin } from './pin-hash.js';
import { secondsToWait } from './pin-throttle.js';

/** Why a PIN was refused: wrong, the operator's or the station's wait not over, or a disabled operator. */
export type PinRefusal = 'failed' | 'locked' | 'station-locked' | 'disabled';

export interface PinCheck {
  db: Db;
  /** The operator the PIN is claimed for; undefined when the name is unknown. */
  row: OperatorRow | undefined;
  pin: string;
  at: Date;
  /**
   * Runs `change` (the wrong-PIN counts, or nothing) in the caller's audited transaction, so the
   * refusal is written with the caller's own audit entry, and returns what it returned.
   */
  recordRefusal<T>(outcome: PinRefusal, change: () => T): T;
}

/** The check in progress per store: one at a time, so that concurrent guesses cannot outrun a wait. */
const checking = new WeakMap<Db, Promise<unknown>>();

/** The operator's row when `pin` is theirs and they may act; otherwise records the refusal and throws it. */
export async function checkOperatorPin(check: PinCheck): Promise<OperatorRow> {
  const { db } = check;
  const previous = checking.get(db) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(() => {
    // The row as it is now, after the checks before this one counted their failures.
    const row = check.row && getOperator(db, check.row.id);
    return checkPin({ ...check, row });
  });
  checking.set(db, current);
  try {
    return await current;
  } finally {
    if (checking.get(db) === current) checking.delete(db);
  }
}

async function checkPin({ db, row, pin, at, recordRefusal }: PinCheck): Promise<OperatorRow> {
  const stationWait = stationCount(db).waitUntil;
  if (secondsToWait(stationWait, at) > 0) {
    recordRefusal('station-locked', () => null);
    throw pinWaitError('station', stationWait!, at);
  }
  if (row && isLocked(row, at)) {
    recordRefusal('locked', () => null);
    throw pinWaitError('operator', row.locked_until!, at);
  }
  const pinMatches = await verifyPin(pin, row?.pin_hash ?? await decoyHash());
  if (row && pinMatches && !row.disabled_at) return row;
  if (row?.disabled_at) {
    recordRefusal('disabled', () => null);
    throw pinMatches ? disabledError() : failedError();
  }
  const after = recordRefusal('failed', () => ({
    station: recordStationFailure(db, at).waitUntil,
    operator: row ? recordLoginFailure(db, row.id, at).locked_until : null,
  }));
  // A wrong PIN that starts a wait says so at once; the longer wait is the one that holds.
  if (after.station !== null && (after.operator === null || after.station > after.operator)) throw pinWaitError('station', after.station, at);
  if (after.operator !== null) throw pinWaitError('operator', after.operator, at);
  throw failedError();
}

function failedError(): GatehouseError {
  return new GatehouseError('AUTH_FAILED', 'Name or PIN is not right. Try again.');
}

export function disabledError(): GatehouseError {
  return new GatehouseError('AUTH_DISABLED', 'This operator has been disabled. Ask a supervisor.');
}

/**
 * PIN attempts wait until `waitUntil`, for this operator (AUTH_LOCKED) or at this whole kiosk
 * (AUTH_STATION_LOCKED). `retryAfterSeconds` lets a screen count down on its own clock.
 */
export function pinWaitError(scope: 'operator' | 'station', waitUntil: string, now: Date): GatehouseError {
  const seconds = Math.max(1, secondsToWait(waitUntil, now));
  const where = scope === 'operator' ? 'for this operator' : 'at this kiosk';
  const message = `Too many wrong PINs ${where}. Wait ${seconds} second${seconds === 1 ? '' : 's'} before the next try, or log in with a finger.`;
  const details = { retryAfterSeconds: seconds, waitUntil };
  return scope === 'operator'
    ? new GatehouseError('AUTH_LOCKED', message, details)
    : new GatehouseError('AUTH_STATION_LOCKED', message, details);
}
