// The doctor's look at the job table: a job that failed for good (a slip no printer took, a sync
// halted by the authority) and is not followed by a later job of the same kind and key that
// has not failed (a slip printed again, "sync now"), or a
// job long past its time (queued with nobody running it, or running for an hour), is a warning
// that says what to do. Kinds and counts only: payloads are not read.
import { CheckProblem, type Finding } from './doctor-check.js';
import type { Db } from '../store/database.js';

/** Failed jobs this recent count (older ones are history, pruned after 30 days). */
const FAILED_WITHIN_MS = 7 * 24 * 60 * 60_000;
/** A queued job this far past its time has nobody to run it. */
const OVERDUE_QUEUED_MS = 15 * 60_000;
/** A job running this long is stuck. */
const OVERDUE_RUNNING_MS = 60 * 60_000;

export function checkBackgroundJobs(db: Db, now: number): Finding {
  const at = (offset: number) => new Date(now - offset).toISOString();
  const failed = db.prepare(`SELECT kind FROM jobs AS failed WHERE state = 'failed' AND finished_at >= ?
      AND NOT EXISTS (SELECT 1 FROM jobs AS later WHERE later.kind = failed.kind AND later.dedupe_key = failed.dedupe_key
                      AND later.id > failed.id AND later.state <> 'failed')`)
    .all(at(FAILED_WITHIN_MS)) as Array<{ kind: string }>;
  const overdue = db.prepare(`SELECT kind FROM jobs WHERE (state = 'queued' AND next_attempt_at < ?) OR (state = 'running' AND updated_at < ?)`)
    .all(at(OVERDUE_QUEUED_MS), at(OVERDUE_RUNNING_MS)) as Array<{ kind: string }>;
  const kindsOf = (rows: Array<{ kind: string }>) => [...new Set(rows.map((row) => row.kind))].sort().join(', ');
  if (failed.length > 0) {
    throw new CheckProblem('failed-jobs', `${failed.length} background job(s) failed for good (${kindsOf(failed)}); "gatehouse jobs --state failed" `
      + 'shows each one\'s last error: fix its cause (the printer, the authority\'s refusal), then print the slip again or press "sync now"',
    { count: failed.length, kinds: kindsOf(failed) });
  }
  if (overdue.length > 0) {
    throw new CheckProblem('overdue', `${overdue.length} background job(s) are long past their time (${kindsOf(overdue)}); `
      + 'make sure the kiosk is running ("gatehouse serve" or its service), and if it is, restart it and read its log',
    { count: overdue.length, kinds: kindsOf(overdue) });
  }
  const waiting = (db.prepare("SELECT count(*) AS n FROM jobs WHERE state IN ('queued', 'running')").get() as { n: number }).n;
  return { detail: `${waiting} job(s) queued or running, none failed or overdue`, values: { waiting } };
}
