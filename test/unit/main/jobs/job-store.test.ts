// The job table's rows against a real in-memory store: a job enqueued in a transaction that
// rolls back is gone with it; a payload is checked against its kind's schema; a dedupe key keeps
// one queued job (newer payload, earlier time) but never cuts a backoff short unless a person
// asks; claiming takes due jobs earliest first and counts the attempt; an attempt's end is
// recorded (done, failed, retry, again, interrupted), merging a duplicate queued meanwhile; jobs
// a dead process left running are queued again; and a property test drives random operations
// (with one running job per kind, as the runner does) and checks the table's invariants.

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jobType } from '../../../../main/jobs/job-kind.js';
import {
  cancelJob, claimDueJobs, endAttempt, enqueueJob, jobById, listJobs, nextDueAt, onJobEnqueued, pruneEndedJobs, queuedJob, recoverRunningJobs,
} from '../../../../main/jobs/job-store.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

const PRINT = jobType('test.print', z.strictObject({ recordId: z.string(), copies: z.number().int().positive() }));
const ROUND = jobType('test.round', z.strictObject({}));
const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let db: Db;
beforeEach(() => { db = openDatabase(':memory:'); });
afterEach(() => db.close());

const states = () => db.prepare('SELECT id, state, attempts, next_attempt_at AS next, payload FROM jobs ORDER BY id').all();

describe('enqueueJob', () => {
  it('joins the caller\'s transaction: a rollback leaves no job', () => {
    expect(() => db.transaction(() => {
      enqueueJob(db, PRINT, { recordId: 'r1', copies: 1 }, { now: T0 });
      throw new Error('the change it belonged to failed');
    })()).toThrow('the change it belonged to failed');
    expect(listJobs(db, { limit: 10 })).toEqual([]);
  });

  it('tells listeners after the transaction, and a rolled-back one finds nothing', async () => {
    let told = 0;
    onJobEnqueued(db, () => { told += 1; });
    db.transaction(() => {
      enqueueJob(db, ROUND, {}, { now: T0 });
      expect(told).toBe(0); // not inside the transaction
    })();
    await new Promise((resolve) => setImmediate(resolve));
    expect(told).toBe(1);
  });

  it('refuses a payload its kind\'s schema does not allow', () => {
    expect(() => enqueueJob(db, PRINT, { recordId: 'r1', copies: 0 })).toThrow(expect.objectContaining({ code: 'JOB_PAYLOAD_INVALID' }));
    expect(() => enqueueJob(db, PRINT, { recordId: 'r1', copies: 1, name: 'Erik' } as never)).toThrow(expect.objectContaining({ code: 'JOB_PAYLOAD_INVALID' }));
  });

  it('keeps one queued job per dedupe key: the newer payload, the earlier time', () => {
    const first = enqueueJob(db, PRINT, { recordId: 'r1', copies: 1 }, { dedupeKey: 'r1', now: T0, runAt: at(60) });
    expect(enqueueJob(db, PRINT, { recordId: 'r1', copies: 2 }, { dedupeKey: 'r1', now: at(1), runAt: at(10) })).toBe(first);
    expect(enqueueJob(db, PRINT, { recordId: 'r1', copies: 3 }, { dedupeKey: 'r1', now: at(2), runAt: at(30) })).toBe(first);
    expect(queuedJob(db, PRINT.kind, 'r1')).toMatchObject({ id: first, payload: { recordId: 'r1', copies: 3 }, nextAttemptAt: at(10).toISOString() });
    // Another key, or another kind under the same key, is another job.
    expect(enqueueJob(db, PRINT, { recordId: 'r2', copies: 1 }, { dedupeKey: 'r2', now: T0 })).not.toBe(first);
    expect(enqueueJob(db, ROUND, {}, { dedupeKey: 'r1', now: T0 })).not.toBe(first);
    expect(listJobs(db, { limit: 10 })).toHaveLength(3);
  });

  it('never cuts short a backoff a queued duplicate waits out, unless a person asks now', () => {
    const id = enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: T0 });
    claimDueJobs(db, ROUND.kind, T0, 1);
    endAttempt(db, id, { end: 'retry', at: at(300), code: 'AUTHORITY_UNREACHABLE', message: 'away' }, at(1));
    enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: at(2) }); // a record sealed meanwhile
    expect(jobById(db, id)).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAt: at(300).toISOString() });
    enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: at(3), overrideBackoff: true }); // "sync now"
    expect(jobById(db, id)).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: at(3).toISOString() });
  });
});

describe('claiming and ending attempts', () => {
  it('claims due jobs of one kind, earliest first, up to the limit, counting the attempt', () => {
    const late = enqueueJob(db, PRINT, { recordId: 'late', copies: 1 }, { now: T0, runAt: at(20) });
    const early = enqueueJob(db, PRINT, { recordId: 'early', copies: 1 }, { now: T0, runAt: at(5) });
    const later = enqueueJob(db, PRINT, { recordId: 'later', copies: 1 }, { now: T0, runAt: at(90) });
    enqueueJob(db, ROUND, {}, { now: T0 });
    expect(nextDueAt(db, [PRINT.kind])).toBe(at(5).toISOString());
    expect(claimDueJobs(db, PRINT.kind, at(30), 5).map((job) => [job.id, job.attempts])).toEqual([[early, 1], [late, 1]]);
    expect(claimDueJobs(db, PRINT.kind, at(30), 5)).toEqual([]);
    expect(jobById(db, later)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(claimDueJobs(db, PRINT.kind, at(100), 0)).toEqual([]);
    expect(claimDueJobs(db, PRINT.kind, at(100), 1).map((job) => job.id)).toEqual([later]);
  });

  it('records done and failed with when they ended and the last error', () => {
    const done = enqueueJob(db, PRINT, { recordId: 'a', copies: 1 }, { now: T0 });
    const failed = enqueueJob(db, PRINT, { recordId: 'b', copies: 1 }, { now: T0 });
    claimDueJobs(db, PRINT.kind, T0, 2);
    endAttempt(db, done, { end: 'done' }, at(1));
    endAttempt(db, failed, { end: 'failed', code: 'SLIP_NOT_KEPT', message: 'gone' }, at(2));
    expect(jobById(db, done)).toMatchObject({ state: 'done', finishedAt: at(1).toISOString(), lastError: null });
    expect(jobById(db, failed)).toMatchObject({ state: 'failed', finishedAt: at(2).toISOString(), lastError: { code: 'SLIP_NOT_KEPT', message: 'gone' } });
  });

  it('merges a duplicate queued while the job ran: a retry keeps its backoff, a recurring job takes the earlier time', () => {
    const id = enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: T0 });
    claimDueJobs(db, ROUND.kind, T0, 1);
    const duplicate = enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: at(1) });
    expect(duplicate).not.toBe(id); // a running job may have one queued successor
    expect(endAttempt(db, id, { end: 'retry', at: at(60), code: 'AUTHORITY_UNREACHABLE', message: 'away' }, at(2))).toBe(duplicate);
    expect(states()).toEqual([{ id, state: 'queued', attempts: 1, next: at(60).toISOString(), payload: '{}' }]);

    claimDueJobs(db, ROUND.kind, at(60), 1);
    enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: at(61) });
    expect(endAttempt(db, id, { end: 'again', at: at(120) }, at(62))).toEqual(expect.any(Number));
    expect(states()).toEqual([{ id, state: 'queued', attempts: 0, next: at(61).toISOString(), payload: '{}' }]);
  });

  it('queues an interrupted job again at once without counting the attempt', () => {
    const id = enqueueJob(db, PRINT, { recordId: 'a', copies: 1 }, { now: T0, runAt: at(0) });
    claimDueJobs(db, PRINT.kind, at(5), 1);
    endAttempt(db, id, { end: 'interrupted' }, at(6));
    expect(jobById(db, id)).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: at(6).toISOString() });
  });

  it('queues again what a dead process left running, merging a successor queued meanwhile', () => {
    const lone = enqueueJob(db, PRINT, { recordId: 'a', copies: 1 }, { now: T0 });
    const keyed = enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: T0 });
    claimDueJobs(db, PRINT.kind, T0, 1);
    claimDueJobs(db, ROUND.kind, T0, 1);
    enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: at(1) });
    expect(recoverRunningJobs(db, at(10))).toBe(2);
    expect(states()).toEqual([
      { id: lone, state: 'queued', attempts: 1, next: at(10).toISOString(), payload: '{"recordId":"a","copies":1}' },
      { id: keyed, state: 'queued', attempts: 1, next: at(1).toISOString(), payload: '{}' },
    ]);
  });

  it('cancels only queued jobs, and prunes ended ones by age', () => {
    const queued = enqueueJob(db, PRINT, { recordId: 'a', copies: 1 }, { now: T0 });
    const running = enqueueJob(db, ROUND, {}, { now: T0 });
    claimDueJobs(db, ROUND.kind, T0, 1);
    expect(cancelJob(db, running, at(1))).toBe(false);
    expect(cancelJob(db, queued, at(1))).toBe(true);
    expect(cancelJob(db, queued, at(2))).toBe(false);
    endAttempt(db, running, { end: 'failed', code: 'X', message: 'x' }, at(1));
    expect(pruneEndedJobs(db, { doneBefore: at(1), failedBefore: at(1) })).toBe(0);
    expect(pruneEndedJobs(db, { doneBefore: at(2), failedBefore: at(1) })).toBe(1);
    expect(listJobs(db, { limit: 10 }).map((job) => job.state)).toEqual(['failed']);
    expect(pruneEndedJobs(db, { doneBefore: at(2), failedBefore: at(2) })).toBe(1);
  });
});

type Op =
  | { op: 'enqueue'; kind: 0 | 1; key: string | null; runAt: number; override: boolean; copies: number }
  | { op: 'claim'; kind: 0 | 1; time: number }
  | { op: 'end'; pick: number; how: 'done' | 'failed' | 'retry' | 'again' | 'interrupted'; time: number }
  | { op: 'recover'; time: number }
  | { op: 'cancel'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('enqueue' as const), kind: fc.constantFrom(0 as const, 1 as const), key: fc.constantFrom(null, 'a', 'b'),
    runAt: fc.integer({ min: 0, max: 100 }), override: fc.boolean(), copies: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ op: fc.constant('claim' as const), kind: fc.constantFrom(0 as const, 1 as const), time: fc.integer({ min: 0, max: 200 }) }),
  fc.record({ op: fc.constant('end' as const), pick: fc.nat(), how: fc.constantFrom('done', 'failed', 'retry', 'again', 'interrupted' as const),
    time: fc.integer({ min: 0, max: 200 }) }),
  fc.record({ op: fc.constant('recover' as const), time: fc.integer({ min: 0, max: 200 }) }),
  fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }),
);

describe('the job table under any sequence of operations (one running job per kind, as the runner runs them)', () => {
  it('keeps its invariants, and a queued keyed job carries the payload last asked for under its key', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 10, maxLength: 80, size: 'max' }), (ops) => {
      const store = openDatabase(':memory:');
      try {
        const types = [PRINT, jobType('test.other', PRINT.payload)] as const;
        const lastPayload = new Map<string, string>();
        for (const op of ops) {
          const running = (kind: string) => store.prepare("SELECT id FROM jobs WHERE state = 'running' AND kind = ?").all(kind) as Array<{ id: number }>;
          if (op.op === 'enqueue') {
            const type = types[op.kind];
            const payload = { recordId: op.key ?? 'none', copies: op.copies };
            enqueueJob(store, type, payload, { ...(op.key === null ? {} : { dedupeKey: op.key }), now: at(op.runAt), runAt: at(op.runAt), overrideBackoff: op.override });
            if (op.key !== null) lastPayload.set(`${type.kind}/${op.key}`, JSON.stringify(payload));
          } else if (op.op === 'claim') {
            const { kind } = types[op.kind];
            if (running(kind).length === 0) claimDueJobs(store, kind, at(op.time), 1);
          } else if (op.op === 'end') {
            const all = [...running(types[0].kind), ...running(types[1].kind)];
            const job = all[op.pick % Math.max(all.length, 1)];
            if (job) {
              const ended = op.how === 'retry' ? { end: op.how, at: at(op.time), code: 'E', message: 'e' }
                : op.how === 'again' ? { end: op.how, at: at(op.time) }
                  : op.how === 'failed' ? { end: op.how, code: 'E', message: 'e' } : { end: op.how };
              endAttempt(store, job.id, ended as Parameters<typeof endAttempt>[2], at(op.time));
            }
          } else if (op.op === 'recover') {
            recoverRunningJobs(store, at(op.time));
          } else {
            const queued = store.prepare("SELECT id, kind, dedupe_key AS key FROM jobs WHERE state = 'queued'").all() as
              Array<{ id: number; kind: string; key: string | null }>;
            const job = queued[op.pick % Math.max(queued.length, 1)];
            if (job) {
              cancelJob(store, job.id, at(0));
              // What was asked under the key now is what its running job (if any) carries.
              const stillRunning = store.prepare("SELECT payload FROM jobs WHERE state = 'running' AND kind = ? AND dedupe_key = ?")
                .get(job.kind, job.key) as { payload: string } | undefined;
              if (stillRunning) lastPayload.set(`${job.kind}/${job.key}`, stillRunning.payload);
            }
          }
          const rows = listJobs(store, { limit: 1000 });
          for (const row of rows) {
            expect(row.attempts).toBeGreaterThanOrEqual(0);
            expect(row.finishedAt === null).toBe(row.state === 'queued' || row.state === 'running');
          }
          const queuedKeys = rows.filter((row) => row.state === 'queued' && row.dedupeKey !== null).map((row) => `${row.kind}/${row.dedupeKey}`);
          expect(new Set(queuedKeys).size).toBe(queuedKeys.length);
          for (const row of rows.filter((candidate) => candidate.state === 'queued' && candidate.dedupeKey !== null)) {
            expect(JSON.stringify(row.payload)).toBe(lastPayload.get(`${row.kind}/${row.dedupeKey}`));
          }
        }
      } finally {
        store.close();
      }
    }), { numRuns: 100 });
  });
});
