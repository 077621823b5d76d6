// Sync rounds as the singleton `sync.round` job of a job runner, against the real authority on
// loopback: a record sealed while the runner is idle is delivered without anyone calling kick();
// an authority that is away makes the round back off (shown as the panel's next attempt), a
// record sealed meanwhile does not cut the backoff short and "sync now" does; a kiosk the
// authority refuses fails its round for good, and every round asked for while halted fails too,
// until "sync now". The harness clock stands still, so a backoff never runs out by itself here.

import { describe, expect, it } from 'vitest';
import { revokeKiosk } from '../../../../authority/registration.js';
import { JobRunner } from '../../../../main/jobs/job-runner.js';
import { jobById, queuedJob } from '../../../../main/jobs/job-store.js';
import { silentLog } from '../../../../main/log.js';
import type { SyncService } from '../../../../main/sync/sync-service.js';
import type { Harness } from '../../authority/authority-harness.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { freshKioskPerTest, type KioskUnderTest } from './kiosk-under-test.js';

let h: Harness;
let k: KioskUnderTest;
freshKioskPerTest((fresh) => ({ h, k } = fresh));

/** Jitter at half the ceiling: a first retry waits 30 s, a second 60 s. */
const POLICY = { baseMs: 60_000, capMs: 10 * 60_000, maxRetryAfterMs: 60 * 60_000 };

async function runningSync(options: Parameters<KioskUnderTest['sync']>[0] = {}): Promise<{ jobs: JobRunner; sync: SyncService; round(): number }> {
  const jobs = new JobRunner({ db: k.db, log: silentLog, now: h.now, random: () => 0.5, pollMs: 60 * 60_000 });
  const sync = k.sync({ jobs, policy: POLICY, ...options });
  jobs.start();
  sync.start();
  const round = () => queuedJob(k.db, 'sync.round', 'sync')?.id ?? (k.db.prepare("SELECT max(id) AS id FROM jobs WHERE kind = 'sync.round'").get() as { id: number }).id;
  return { jobs, sync, round };
}

const later = (seconds: number) => new Date(h.now().getTime() + seconds * 1000).toISOString();

describe('sync rounds as a job', () => {
  it('delivers a record sealed while the runner is idle, without anyone calling kick()', async () => {
    const { jobs, sync, round } = await runningSync();
    try {
      const id = round();
      // The first round finds nothing to send and is put back for the idle poll.
      expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: later(60) });
      expect(sync.progress()).toMatchObject({ state: 'idle', queueDepth: 0 });

      const [recordId] = k.seal(1);
      expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: later(60) });
      expect(k.outbox()).toEqual([expect.objectContaining({ recordId, state: 'accepted' })]);
      expect(k.db.prepare("SELECT count(*) AS n FROM jobs WHERE kind = 'sync.round'").get()).toEqual({ n: 1 });
    } finally {
      await sync.stop();
      await jobs.stop();
    }
  });

  it('backs off while the authority is away; a new record keeps the backoff, "sync now" cuts it short', async () => {
    const proxy = await startFaultProxy(h.url);
    proxy.down = true;
    const { jobs, sync, round } = await runningSync({ credentials: () => ({ ...k.credentials, identity: { ...k.credentials.identity, authorityUrl: proxy.url } }) });
    try {
      const id = round();
      expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAt: later(30), lastError: { code: 'AUTHORITY_UNREACHABLE' } });
      expect(sync.progress()).toMatchObject({ state: 'offline', nextAttemptAt: later(30) });

      k.seal(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(jobById(k.db, id)).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAt: later(30) });

      expect(sync.syncNow()).toMatchObject({ nextAttemptAt: null });
      expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAt: later(30) }); // tried at once, away still

      proxy.down = false;
      sync.syncNow();
      expect(await jobs.nextAttempt(id)).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: later(60) });
      expect(k.outbox()).toEqual([expect.objectContaining({ state: 'accepted' })]);
      expect(sync.progress()).toMatchObject({ state: 'idle', queueDepth: 0, nextAttemptAt: null, lastError: null });
    } finally {
      await sync.stop();
      await jobs.stop();
      await proxy.close();
    }
  });

  it('fails the round for good when the authority refuses the kiosk, and every round asked for while halted, until "sync now"', async () => {
    await revokeKiosk(h.authority, k.credentials.identity.kioskId);
    const { jobs, sync, round } = await runningSync();
    try {
      const first = round();
      expect(await jobs.nextAttempt(first)).toMatchObject({ state: 'failed', attempts: 1, lastError: { code: 'KEY_REVOKED' } });
      expect(sync.progress()).toMatchObject({ state: 'halted', nextAttemptAt: null });

      k.seal(1);
      const second = round();
      expect(second).not.toBe(first);
      expect(await jobs.nextAttempt(second)).toMatchObject({ state: 'failed', lastError: { code: 'KEY_REVOKED' } });
      expect(k.outbox().every((row) => row.state === 'queued')).toBe(true);

      sync.syncNow();
      const third = round();
      expect(await jobs.nextAttempt(third)).toMatchObject({ state: 'failed', lastError: { code: 'KEY_REVOKED' } });
      expect(third).not.toBe(second);
    } finally {
      await sync.stop();
      await jobs.stop();
    }
  });
});
