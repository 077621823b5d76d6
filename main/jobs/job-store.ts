// The job table's rows (migration 14): enqueueing inside the caller's transaction, so a job
// commits or rolls back with the change it belongs to; claiming due jobs; recording how an
// attempt ended; putting back jobs a dead process left running; listing and pruning. Enqueueing
// also tells the runners of this connection, once the caller's transaction has ended; another
// process's jobs are found by the runner's poll.
import type { Db } from '../store/database.js';
import { GatehouseError } from '../errors.js';
import type { JobType } from './job-kind.js';

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface EnqueueOptions {
  /**
   * At most one queued job of this kind per key: enqueueing again updates that one (newer payload,
   * the earlier time) instead of adding another — but never cuts short a backoff it waits out.
   */
  dedupeKey?: string;
  /** Not before this time (default: now). */
  runAt?: Date;
  now?: Date;
  /** A person asked for it now: a queued duplicate's backoff is cut short and its attempts count from zero. */
  overrideBackoff?: boolean;
}

export interface ClaimedJob {
  id: number;
  kind: string;
  payload: string;
  /** This attempt's number (1 for the first). */
  attempts: number;
}

export interface JobView {
  id: number;
  kind: string;
  /** Ids and settings only (the payload schemas allow nothing else). */
  payload: unknown;
  dedupeKey: string | null;
  state: JobState;
  attempts: number;
  nextAttemptAt: string;
  lastError: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** How an attempt ended, for the job's row. */
export type AttemptEnd =
  | { end: 'done' }
  | { end: 'again'; at: Date }
  | { end: 'retry'; at: Date; code: string; message: string }
  | { end: 'failed'; code: string; message: string }
  /** Stopped from outside (the runner stopped): queued again at once, the attempt not counted. */
  | { end: 'interrupted' };

const listeners = new WeakMap<Db, Set<() => void>>();

/** Calls `listener` after a transaction on `db` enqueued a job (even one rolled back: the listener finds nothing then). */
export function onJobEnqueued(db: Db, listener: () => void): () => void {
  let set = listeners.get(db);
  if (!set) listeners.set(db, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/** Queues a job of `type` (validating its payload); joins the caller's transaction. Returns the job's id. */
export function enqueueJob<P>(db: Db, type: JobType<P>, payload: P, options: EnqueueOptions = {}): number {
  const parsed = type.payload.safeParse(payload);
  if (!parsed.success) {
    throw new GatehouseError('JOB_PAYLOAD_INVALID', `A "${type.kind}" job cannot be queued with that payload: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      { kind: type.kind });
  }
  const now = (options.now ?? new Date()).toISOString();
  const runAt = options.runAt?.toISOString() ?? now;
  const json = JSON.stringify(parsed.data);
  const id = db.transaction(() => {
    const existing = options.dedupeKey === undefined ? undefined
      : db.prepare("SELECT id, attempts, next_attempt_at AS nextAttemptAt FROM jobs WHERE kind = ? AND dedupe_key = ? AND state = 'queued'")
        .get(type.kind, options.dedupeKey) as { id: number; attempts: number; nextAttemptAt: string } | undefined;
    if (existing === undefined) {
      return Number(db.prepare(`INSERT INTO jobs (kind, payload, dedupe_key, state, attempts, next_attempt_at, created_at, updated_at)
                                VALUES (?, ?, ?, 'queued', 0, ?, ?, ?)`)
        .run(type.kind, json, options.dedupeKey ?? null, runAt, now, now).lastInsertRowid);
    }
    const override = options.overrideBackoff === true;
    const backingOff = existing.attempts > 0 && !override;
    const next = backingOff || existing.nextAttemptAt <= runAt ? existing.nextAttemptAt : runAt;
    db.prepare('UPDATE jobs SET payload = ?, next_attempt_at = ?, attempts = ?, updated_at = ? WHERE id = ?')
      .run(json, next, override ? 0 : existing.attempts, now, existing.id);
    return existing.id;
  })();
  const set = listeners.get(db);
  if (set && set.size > 0) setImmediate(() => { for (const listener of [...set]) listener(); });
  return id;
}

/** Marks up to `limit` due jobs of `kind` running (one attempt more each), earliest first. */
export function claimDueJobs(db: Db, kind: string, now: Date, limit: number): ClaimedJob[] {
  if (limit <= 0) return [];
  const at = now.toISOString();
  return db.transaction(() => {
    const due = db.prepare(`SELECT id, kind, payload, attempts FROM jobs INDEXED BY jobs_due
                            WHERE state = 'queued' AND kind = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`)
      .all(kind, at, limit) as ClaimedJob[];
    const claim = db.prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ?");
    for (const job of due) claim.run(at, job.id);
    return due.map((job) => ({ ...job, attempts: job.attempts + 1 }));
  }).immediate();
}

/**
 * Records how the attempt of running job `id` ended. Returns the id of a duplicate queued
 * meanwhile that the job, queued again, took the place of (null when none).
 */
export function endAttempt(db: Db, id: number, ended: AttemptEnd, now: Date): number | null {
  const at = now.toISOString();
  return db.transaction(() => {
    switch (ended.end) {
      case 'done':
        db.prepare("UPDATE jobs SET state = 'done', updated_at = ?, finished_at = ? WHERE id = ? AND state = 'running'").run(at, at, id);
        return null;
      case 'failed':
        db.prepare(`UPDATE jobs SET state = 'failed', last_error_code = ?, last_error_message = ?, updated_at = ?, finished_at = ?
                    WHERE id = ? AND state = 'running'`).run(ended.code, ended.message, at, at, id);
        return null;
      case 'again':
        return requeue(db, id, { at: ended.at.toISOString(), earliest: true, attempts: 'reset' }, at);
      case 'retry': {
        const absorbed = requeue(db, id, { at: ended.at.toISOString(), earliest: false, attempts: 'keep' }, at);
        db.prepare('UPDATE jobs SET last_error_code = ?, last_error_message = ? WHERE id = ?').run(ended.code, ended.message, id);
        return absorbed;
      }
      case 'interrupted':
        return requeue(db, id, { at, earliest: true, attempts: 'uncount' }, at);
    }
  }).immediate();
}

/**
 * Puts running job `id` back in the queue at `at`. A duplicate queued meanwhile (same kind and
 * key) is merged into it: its newer payload is taken, and with `earliest` its time if sooner.
 */
function requeue(db: Db, id: number, how: { at: string; earliest: boolean; attempts: 'keep' | 'reset' | 'uncount' }, now: string): number | null {
  const job = db.prepare("SELECT kind, dedupe_key AS dedupeKey FROM jobs WHERE id = ? AND state = 'running'").get(id) as
    { kind: string; dedupeKey: string | null } | undefined;
  if (job === undefined) return null;
  let at = how.at;
  let absorbed: number | null = null;
  if (job.dedupeKey !== null) {
    const duplicate = db.prepare("SELECT id, payload, next_attempt_at AS nextAttemptAt FROM jobs WHERE kind = ? AND dedupe_key = ? AND state = 'queued'")
      .get(job.kind, job.dedupeKey) as { id: number; payload: string; nextAttemptAt: string } | undefined;
    if (duplicate !== undefined) {
      db.prepare('DELETE FROM jobs WHERE id = ?').run(duplicate.id);
      db.prepare('UPDATE jobs SET payload = ? WHERE id = ?').run(duplicate.payload, id);
      if (how.earliest && duplicate.nextAttemptAt < at) at = duplicate.nextAttemptAt;
      absorbed = duplicate.id;
    }
  }
  const attempts = how.attempts === 'reset' ? '0' : how.attempts === 'uncount' ? 'max(attempts - 1, 0)' : 'attempts';
  db.prepare(`UPDATE jobs SET state = 'queued', next_attempt_at = ?, attempts = ${attempts}, updated_at = ? WHERE id = ?`).run(at, now, id);
  return absorbed;
}

/** Jobs left running by a process that ended (a store has one runner: the serving host's) are queued again at once. */
export function recoverRunningJobs(db: Db, now: Date): number {
  const ids = (db.prepare("SELECT id FROM jobs WHERE state = 'running'").all() as Array<{ id: number }>).map((row) => row.id);
  const at = now.toISOString();
  db.transaction(() => { for (const id of ids) requeue(db, id, { at, earliest: true, attempts: 'keep' }, at); }).immediate();
  return ids.length;
}

/** A queued job nobody wants any more; false when it is not queued (running, or already ended). */
export function cancelJob(db: Db, id: number, now: Date): boolean {
  const at = now.toISOString();
  return db.prepare("UPDATE jobs SET state = 'cancelled', updated_at = ?, finished_at = ? WHERE id = ? AND state = 'queued'").run(at, at, id).changes === 1;
}

/** When the earliest queued job of one of `kinds` is due; null when none is queued. */
export function nextDueAt(db: Db, kinds: readonly string[]): string | null {
  if (kinds.length === 0) return null;
  const row = db.prepare(`SELECT min(next_attempt_at) AS at FROM jobs WHERE state = 'queued' AND kind IN (${kinds.map(() => '?').join(', ')})`)
    .get(...kinds) as { at: string | null };
  return row.at;
}

/** The queued job of `kind` under `dedupeKey`, if there is one. */
export function queuedJob(db: Db, kind: string, dedupeKey: string): JobView | undefined {
  const row = db.prepare(`${VIEW_SELECT} WHERE kind = ? AND dedupe_key = ? AND state = 'queued'`).get(kind, dedupeKey) as JobRow | undefined;
  return row && viewOf(row);
}

export function jobById(db: Db, id: number): JobView | undefined {
  const row = db.prepare(`${VIEW_SELECT} WHERE id = ?`).get(id) as JobRow | undefined;
  return row && viewOf(row);
}

/** Newest first. */
export function listJobs(db: Db, { state, limit }: { state?: JobState; limit: number }): JobView[] {
  const rows = state === undefined
    ? db.prepare(`${VIEW_SELECT} ORDER BY id DESC LIMIT ?`).all(limit)
    : db.prepare(`${VIEW_SELECT} WHERE state = ? ORDER BY id DESC LIMIT ?`).all(state, limit);
  return (rows as JobRow[]).map(viewOf);
}

/** Drops jobs that ended well (or were cancelled) before `doneBefore`, and failed ones before `failedBefore`. */
export function pruneEndedJobs(db: Db, { doneBefore, failedBefore }: { doneBefore: Date; failedBefore: Date }): number {
  return db.prepare(`DELETE FROM jobs WHERE (state IN ('done', 'cancelled') AND finished_at < ?) OR (state = 'failed' AND finished_at < ?)`)
    .run(doneBefore.toISOString(), failedBefore.toISOString()).changes;
}

type JobRow = Omit<JobView, 'payload' | 'lastError'> & { payload: string; lastErrorCode: string | null; lastErrorMessage: string | null };

const VIEW_SELECT = `SELECT id, kind, payload, dedupe_key AS dedupeKey, state, attempts, next_attempt_at AS nextAttemptAt,
  last_error_code AS lastErrorCode, last_error_message AS lastErrorMessage, created_at AS createdAt, updated_at AS updatedAt,
  finished_at AS finishedAt FROM jobs`;

function viewOf({ payload, lastErrorCode, lastErrorMessage, ...row }: JobRow): JobView {
  return {
    ...row,
    payload: JSON.parse(payload) as unknown,
    lastError: lastErrorCode === null ? null : { code: lastErrorCode, message: lastErrorMessage ?? '' },
  };
}
