// The job runner on a real store: a job enqueued in this process runs without any poll (enqueue
// wakes it), one written by another connection (the CLI) is found by the poll; a failure is
// retried after the policy's backoff and never before Retry-After, until the attempts run out or
// the failure says retrying cannot help; at most `concurrency` jobs of a kind run at once; a kind
// without a handler waits; a recurring job is put back for its next time; a job left running by a
// dead process runs again at start; stop() aborts a running handler and waits for it, and the job
// runs again later. Attempts are awaited through nextAttempt(), never timed.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobFailure, jobType, type JobHandler, type JobRetryPolicy } from '../../../../main/jobs/job-kind.js';
import { JobRunner } from '../../../../main/jobs/job-runner.js';
import { claimDueJobs, enqueueJob, jobById } from '../../../../main/jobs/job-store.js';
import { silentLog } from '../../../../main/log.js';
import { openDatabase, openKioskDatabase, type Db } from '../../../../main/store/database.js';

const WORK = jobType('test.work', z.strictObject({ n: z.number().int() }));
const NO_RETRY_WAIT: JobRetryPolicy = { baseMs: 1, capMs: 1, maxRetryAfterMs: 60_000, maxAttempts: 3 };
/** Nobody polls during these tests unless a test asks. */
const NEVER_POLL = 60 * 60_000;

let db: Db;
const runners: JobRunner[] = [];
beforeEach(() => { db = openDatabase(':memory:'); });
afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  db.close();
});

function runner(options: Partial<ConstructorParameters<typeof JobRunner>[0]> = {}): JobRunner {
  const created = new JobRunner({ db, log: silentLog, pollMs: NEVER_POLL, ...options });
  runners.push(created);
  return created;
}

function handler(run: JobHandler<{ n: number }>['run'], extra: Partial<JobHandler<{ n: number }>> = {}): JobHandler<{ n: number }> {
  return { type: WORK, retry: NO_RETRY_WAIT, run, ...extra };
}

/** A promise with its resolve, for handlers that wait on the test. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => { open = resolve; });
  return { promise, open };
}

describe('waking', () => {
  it('runs a job enqueued in this process at once, with no poll', async () => {
    const seen: number[] = [];
    const jobs = runner();
    jobs.register(handler(async ({ n }, { attempt }) => { seen.push(n, attempt); }));
    jobs.start();
    const id = enqueueJob(db, WORK, { n: 7 });
    expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(seen).toEqual([7, 1]);
  });

  it('finds a job another connection wrote by its poll', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-jobs-'));
    const kiosk = openKioskDatabase(dataDir);
    const cli = openKioskDatabase(dataDir);
    const jobs = new JobRunner({ db: kiosk, log: silentLog, pollMs: 50 });
    try {
      jobs.register(handler(async () => undefined));
      jobs.start();
      const id = enqueueJob(cli, WORK, { n: 1 }); // another connection: no in-process wake-up
      expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'done' });
    } finally {
      await jobs.stop();
      cli.close();
      kiosk.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves jobs of a kind without a handler queued, and runs them once one is registered', async () => {
    const jobs = runner();
    jobs.start();
    const id = enqueueJob(db, WORK, { n: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(jobById(db, id)).toMatchObject({ state: 'queued', attempts: 0 });
    jobs.register(handler(async () => undefined));
    expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'done' });
  });
});

describe('failures', () => {
  it('retries after the backoff, never before Retry-After, then succeeds', async () => {
    const now = new Date('2026-03-02T10:00:00.000Z');
    const jobs = runner({ now: () => now, random: () => 0.5 });
    const policy: JobRetryPolicy = { baseMs: 1_000, capMs: 60_000, maxRetryAfterMs: 10_000, maxAttempts: null };
    let calls = 0;
    jobs.register(handler(async () => {
      calls += 1;
      if (calls === 1) throw new Error('paper jam');
      if (calls === 2) throw new JobFailure('BUSY', 'asked to wait', { retryable: true, retryAfterMs: 3_600_000 });
    }, { retry: policy }));
    jobs.start();
    const id = enqueueJob(db, WORK, { n: 1 }, { now });
    // First failure: full jitter over base·2^0 = 1 s; half of it with random 0.5.
    expect(await jobs.nextAttempt(id)).toMatchObject({
      state: 'queued', attempts: 1, nextAttemptAt: new Date(now.getTime() + 500).toISOString(), lastError: { code: 'JOB_FAILED', message: 'paper jam' },
    });
    db.prepare('UPDATE jobs SET next_attempt_at = ? WHERE id = ?').run(now.toISOString(), id); // due again
    jobs.wake();
    // Second: Retry-After (capped at maxRetryAfterMs) outweighs the jitter of 2 s.
    expect(await jobs.nextAttempt(id)).toMatchObject({
      state: 'queued', attempts: 2, nextAttemptAt: new Date(now.getTime() + 10_000).toISOString(), lastError: { code: 'BUSY' },
    });
    db.prepare('UPDATE jobs SET next_attempt_at = ? WHERE id = ?').run(now.toISOString(), id);
    jobs.wake();
    expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'done', attempts: 3 });
  });

  it('fails a job for good when its attempts run out, keeping the last error', async () => {
    const jobs = runner();
    let calls = 0;
    jobs.register(handler(async () => {
      calls += 1;
      throw new JobFailure('SLIP_PRINT_FAILED', `refused ${calls}`, { retryable: true });
    }));
    jobs.start();
    const id = enqueueJob(db, WORK, { n: 1 });
    let job = await jobs.nextAttempt(id);
    while (job?.state === 'queued') job = await jobs.nextAttempt(id);
    expect(job).toMatchObject({ state: 'failed', attempts: 3, lastError: { code: 'SLIP_PRINT_FAILED', message: 'refused 3' } });
    expect(calls).toBe(3);
  });

  it('fails a job at once when retrying cannot help, or its stored payload is not valid', async () => {
    const jobs = runner();
    jobs.register(handler(async () => { throw new JobFailure('SLIP_NOT_KEPT', 'gone', { retryable: false }); }));
    jobs.start();
    const id = enqueueJob(db, WORK, { n: 1 });
    expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'failed', attempts: 1, lastError: { code: 'SLIP_NOT_KEPT' } });
    const bad = Number(db.prepare(`INSERT INTO jobs (kind, payload, state, next_attempt_at, created_at, updated_at)
                                   VALUES ('test.work', '{"n":"seven"}', 'queued', '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z')`)
      .run().lastInsertRowid);
    jobs.wake();
    expect(await jobs.nextAttempt(bad)).toMatchObject({ state: 'failed', lastError: { code: 'JOB_PAYLOAD_INVALID' } });
  });
});

describe('running', () => {
  it('runs at most `concurrency` jobs of a kind at once', async () => {
    const jobs = runner();
    let running = 0;
    let most = 0;
    const release = gate();
    jobs.register(handler(async () => {
      running += 1;
      most = Math.max(most, running);
      await release.promise;
      running -= 1;
    }, { concurrency: 2 }));
    jobs.start();
    const ids = [1, 2, 3, 4, 5].map((n) => enqueueJob(db, WORK, { n }));
    while (jobs.running().length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(jobs.running()).toHaveLength(2);
    release.open();
    for (const id of ids) expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'done' });
    expect(most).toBe(2);
  });

  it('puts a recurring job back for its next time, its attempts counted from zero', async () => {
    const jobs = runner();
    const next = new Date(Date.now() + NEVER_POLL);
    jobs.register(handler(async () => ({ again: next })));
    jobs.start();
    const id = enqueueJob(db, WORK, { n: 1 });
    expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: next.toISOString() });
  });

  it('runs again at start a job a dead process left running', async () => {
    const id = enqueueJob(db, WORK, { n: 1 });
    expect(claimDueJobs(db, WORK.kind, new Date(), 1)).toHaveLength(1); // the process that claimed it died here
    const jobs = runner();
    const attempts: number[] = [];
    jobs.register(handler(async (_payload, { attempt }) => { attempts.push(attempt); }));
    const done = jobs.nextAttempt(id);
    jobs.start();
    expect(await done).toMatchObject({ state: 'done', attempts: 2 });
    expect(attempts).toEqual([2]);
  });

  it('stop() aborts a running handler and waits for it; the job runs again later, the attempt not counted', async () => {
    const jobs = runner();
    const started = gate();
    let ended = false;
    jobs.register(handler(async (_payload, { signal }) => {
      started.open();
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      ended = true;
      throw new Error('aborted');
    }));
    jobs.start();
    const id = enqueueJob(db, WORK, { n: 1 });
    await started.promise;
    await jobs.stop();
    expect(ended).toBe(true);
    expect(jobById(db, id)).toMatchObject({ state: 'queued', attempts: 0, lastError: null });

    const again = runner();
    again.register(handler(async () => undefined));
    again.start();
    expect(await again.nextAttempt(id)).toMatchObject({ state: 'done', attempts: 1 });
  });

  it('reports a handler\'s progress', async () => {
    const jobs = runner();
    const seen: unknown[] = [];
    jobs.on('progress', (progress) => seen.push(progress));
    jobs.register(handler(async (_payload, { progress }) => { progress(5, 10); progress(10, 10); }));
    jobs.start();
    const id = enqueueJob(db, WORK, { n: 1 });
    await jobs.nextAttempt(id);
    expect(seen).toEqual([{ id, kind: WORK.kind, done: 5, total: 10 }, { id, kind: WORK.kind, done: 10, total: 10 }]);
  });
});
