// `gatehouse jobs` on a store with background work in every state: the list (newest first,
// kind, state, attempts, next attempt, last error; payloads by id only) as text and JSON, a
// filter by state, cancelling a queued job (audited) and refusing to cancel one that is not
// queued; and the doctor's "background jobs" check, which warns about a job that failed for good
// (until a later job of its kind and key does not fail) and about one long past its time.

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkBackgroundJobs } from '../../../../main/diagnostics/background-jobs-check.js';
import { jobType } from '../../../../main/jobs/job-kind.js';
import { claimDueJobs, endAttempt, enqueueJob } from '../../../../main/jobs/job-store.js';
import { openKioskDatabase, type Db } from '../../../../main/store/database.js';
import { builtCliDataDirs, runCli } from './run-cli.js';

const newDataDir = builtCliDataDirs();
const PRINT = jobType('slip.print', z.strictObject({ recordId: z.string(), language: z.string(), printer: z.string() }));
const ROUND = jobType('sync.round', z.strictObject({}));
const RECORD = '0b4c6a0e-5a43-4a8e-9d55-6f0f9f4c1a11';
const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** A printed slip, one that failed for good, and a queued sync round. */
function storeWithJobs(db: Db): { done: number; failed: number; round: number } {
  const done = enqueueJob(db, PRINT, { recordId: RECORD, language: 'de', printer: 'front-desk' }, { now: T0 });
  const failed = enqueueJob(db, PRINT, { recordId: RECORD, language: 'en', printer: 'back-office' }, { now: at(1) });
  claimDueJobs(db, PRINT.kind, at(2), 2);
  endAttempt(db, done, { end: 'done' }, at(2));
  endAttempt(db, failed, { end: 'failed', code: 'SLIP_PRINT_FAILED', message: 'The slip could not be sent to printer "back-office".' }, at(3));
  const round = enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: at(4), runAt: at(5) });
  return { done, failed, round };
}

describe('gatehouse jobs', () => {
  it('lists the jobs newest first, as text and JSON, filtered by state', async () => {
    const dataDir = newDataDir();
    const db = openKioskDatabase(dataDir);
    const { done, failed, round } = storeWithJobs(db);
    db.close();

    const json = await runCli(['--data', dataDir, 'jobs', '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual({ jobs: [
      expect.objectContaining({ id: round, kind: 'sync.round', state: 'queued', attempts: 0, nextAttemptAt: at(5).toISOString(), lastError: null, dedupeKey: 'sync' }),
      expect.objectContaining({ id: failed, kind: 'slip.print', state: 'failed', attempts: 1, finishedAt: at(3).toISOString(),
        payload: { recordId: RECORD, language: 'en', printer: 'back-office' }, lastError: { code: 'SLIP_PRINT_FAILED', message: expect.stringContaining('back-office') } }),
      expect.objectContaining({ id: done, kind: 'slip.print', state: 'done', attempts: 1 }),
    ] });

    const text = await runCli(['--data', dataDir, 'jobs']);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^ +${round}  sync\\.round +queued +attempts 0  next ${at(5).toISOString()}$`)),
      expect.stringMatching(new RegExp(`^ +${failed}  slip\\.print +failed +attempts 1  ended ${at(3).toISOString()}  last error SLIP_PRINT_FAILED: The slip could not`)),
      expect.stringMatching(new RegExp(`^ +${done}  slip\\.print +done +attempts 1  ended ${at(2).toISOString()}$`)),
    ]);

    const failedOnly = await runCli(['--data', dataDir, 'jobs', '--state', 'failed', '--json']);
    expect((JSON.parse(failedOnly.stdout) as { jobs: Array<{ id: number }> }).jobs.map((job) => job.id)).toEqual([failed]);
    const wrong = await runCli(['--data', dataDir, 'jobs', '--state', 'stuck']);
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringContaining('(CLI_INVALID_OPTIONS)') });
  });

  it('cancels a queued job, audited, and refuses one that is not queued', async () => {
    const dataDir = newDataDir();
    const db = openKioskDatabase(dataDir);
    const { failed, round } = storeWithJobs(db);
    db.close();

    const cancelled = await runCli(['--data', dataDir, 'jobs', '--cancel', String(round), '--json']);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ cancelled: { id: round, kind: 'sync.round', state: 'cancelled' } });
    const refused = await runCli(['--data', dataDir, 'jobs', '--cancel', String(failed)]);
    expect(refused).toMatchObject({ code: 2, stderr: `gatehouse: Job ${failed} is failed; only a queued job can be cancelled. (JOB_NOT_QUEUED)\n` });
    expect(await runCli(['--data', dataDir, 'jobs', '--cancel', '999'])).toMatchObject({ code: 2, stderr: expect.stringContaining('(JOB_NOT_FOUND)') });

    const after = openKioskDatabase(dataDir);
    try {
      expect(after.prepare('SELECT state FROM jobs WHERE id = ?').get(round)).toEqual({ state: 'cancelled' });
      expect(after.prepare("SELECT actor, details FROM audit WHERE action = 'job.cancelled'").all())
        .toEqual([{ actor: 'cli', details: JSON.stringify({ jobId: round, kind: 'sync.round' }) }]);
    } finally {
      after.close();
    }
  });
});

describe('the doctor\'s background jobs check', () => {
  it('warns about a job that failed for good until a later one of its kind and key does not fail, and about one long overdue', () => {
    const dataDir = newDataDir();
    const db = openKioskDatabase(dataDir);
    try {
      expect(checkBackgroundJobs(db, T0.getTime())).toEqual({ detail: '0 job(s) queued or running, none failed or overdue', values: { waiting: 0 } });
      const first = enqueueJob(db, PRINT, { recordId: RECORD, language: 'en', printer: 'p' }, { dedupeKey: RECORD, now: T0 });
      claimDueJobs(db, PRINT.kind, T0, 1);
      endAttempt(db, first, { end: 'failed', code: 'SLIP_PRINT_FAILED', message: 'x' }, at(1));
      expect(() => checkBackgroundJobs(db, at(2).getTime())).toThrow(expect.objectContaining({
        reason: 'failed-jobs', values: { count: 1, kinds: 'slip.print' }, message: expect.stringContaining('gatehouse jobs --state failed'),
      }));
      // Printed again: the failure no longer stands. A round nobody runs for an hour is overdue.
      const again = enqueueJob(db, PRINT, { recordId: RECORD, language: 'en', printer: 'p' }, { dedupeKey: RECORD, now: at(3) });
      claimDueJobs(db, PRINT.kind, at(3), 1);
      endAttempt(db, again, { end: 'done' }, at(3));
      enqueueJob(db, ROUND, {}, { dedupeKey: 'sync', now: at(4) });
      expect(checkBackgroundJobs(db, at(10).getTime())).toMatchObject({ values: { waiting: 1 } });
      expect(() => checkBackgroundJobs(db, at(64).getTime())).toThrow(expect.objectContaining({
        reason: 'overdue', values: { count: 1, kinds: 'sync.round' }, message: expect.stringContaining('make sure the kiosk is running'),
      }));
    } finally {
      db.close();
    }
  });
});
