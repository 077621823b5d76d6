// Wrong PINs at this station as a whole: the count over all names behind the station's PIN
// wait (one row, station_pin_throttle), and what a supervisor sees of recent wrong PINs, read
// from the audit log, where every refusal is recorded with the operator it was claimed for.

import type { z } from 'zod';
import type { PinFailures } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';
import { listOperators } from './operator-repository.js';
import { afterFailure, PIN_THROTTLE, type FailureCount } from './pin-throttle.js';

/** What a supervisor's "recent" means: the last 24 hours. */
export const RECENT_MS = 24 * 60 * 60 * 1000;

interface StationRow {
  failures: number;
  last_failed_at: string | null;
  wait_until: string | null;
}

export function stationCount(db: Db): FailureCount {
  const row = db.prepare('SELECT failures, last_failed_at, wait_until FROM station_pin_throttle WHERE id = 1').get() as StationRow;
  return { failures: row.failures, lastFailedAt: row.last_failed_at, waitUntil: row.wait_until };
}

/** Counts a wrong PIN at the station (any name, known or not) and gives the new count. */
export function recordStationFailure(db: Db, at: Date): FailureCount {
  const next = afterFailure(stationCount(db), at, PIN_THROTTLE.station);
  db.prepare('UPDATE station_pin_throttle SET failures = ?, last_failed_at = ?, wait_until = ? WHERE id = 1')
    .run(next.failures, next.lastFailedAt, next.waitUntil);
  return next;
}

/** A wait that is over is no wait. */
const current = (waitUntil: string | null, now: Date) =>
  waitUntil !== null && Date.parse(waitUntil) > now.getTime() ? waitUntil : null;

/**
 * Wrong PINs of the last 24 hours from the audit log (`outcome: 'failed'`, written by every
 * procedure that checks a PIN), per operator and for the station, with the waits now in force.
 */
export function recentPinFailures(db: Db, now: Date): z.infer<typeof PinFailures> {
  const since = new Date(now.getTime() - RECENT_MS).toISOString();
  const rows = db.prepare(`
    SELECT json_extract(details, '$.operatorId') AS operatorId, count(*) AS failures, max(at) AS lastFailedAt
    FROM audit
    WHERE at >= ? AND json_extract(details, '$.outcome') = 'failed'
    GROUP BY 1
  `).all(since) as Array<{ operatorId: number | null; failures: number; lastFailedAt: string }>;
  const byOperator = new Map(rows.map((row) => [row.operatorId, row]));
  const station = stationCount(db);
  return {
    since,
    station: {
      failures: rows.reduce((sum, row) => sum + row.failures, 0),
      unknownNames: byOperator.get(null)?.failures ?? 0,
      lastFailedAt: rows.reduce<string | null>((last, row) => (last === null || row.lastFailedAt > last ? row.lastFailedAt : last), null),
      waitUntil: current(station.waitUntil, now),
    },
    operators: listOperators(db)
      .map((op) => ({ row: op, recent: byOperator.get(op.id) }))
      .filter(({ row, recent }) => recent !== undefined || row.failed_attempts > 0)
      .map(({ row, recent }) => ({
        operatorId: row.id,
        failures: recent?.failures ?? 0,
        inARow: row.failed_attempts,
        lastFailedAt: recent?.lastFailedAt ?? row.last_failed_at,
        waitUntil: current(row.locked_until, now),
      })),
  };
}
