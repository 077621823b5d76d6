// The request-nonce store with expiry (nonce-window.ts, migration 7), on SQLite and on a PostgreSQL
// the test starts: a nonce used just before a bucket boundary is still refused after it, for as long
// as a signature carrying it can pass the time check (a property over random request sequences);
// whole buckets below the window go, so the store stays bounded; and two replicas sweeping the same
// database at the same moment delete each bucket once between them, without an error.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonceSweepCutoff, sweepExpiredNonces } from '../../../authority/nonce-window.js';
import { openPostgresRepository } from '../../../authority/store/postgres-repository.js';
import type { AuthorityRepository } from '../../../authority/store/repository.js';
import { openSqliteRepository } from '../../../authority/store/sqlite-repository.js';
import { DEFAULT_LIMITS } from '../../../authority/authority.js';
import { POSTGRES_MISSING, startPostgres, STORAGE_BACKENDS, type TestPostgres } from '../../../tools/postgres/throwaway-postgres.js';

const W = DEFAULT_LIMITS.skewSeconds;

let scratch: string;
let postgres: TestPostgres | undefined;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gatehouse-nonces-'));
});
afterAll(async () => {
  await postgres?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('the sweep cutoff', () => {
  it('drops whole buckets, none that a clock up to a window behind could still accept', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), fc.integer({ min: 1, max: 3600 }), (now, window) => {
      const cutoff = nonceSweepCutoff(now, window);
      expect(Number.isInteger(cutoff / window)).toBe(true);
      // A nonce below the cutoff fails the time check even on a clock `window` behind (now − window − created > window).
      expect(now - window - (cutoff - 1)).toBeGreaterThan(window);
      // And no more than three windows are kept behind the clock.
      expect(now - cutoff).toBeLessThanOrEqual(3 * window);
    }));
  });
});

describe.each(STORAGE_BACKENDS)('request nonces on $backend', ({ backend, available }) => {
  if (!available) {
    it.skip(POSTGRES_MISSING, () => {});
    return;
  }

  /** Opens one more connection (a replica) to the test's store. */
  let openReplica: () => Promise<AuthorityRepository>;
  const opened: AuthorityRepository[] = [];
  beforeAll(async () => {
    if (backend === 'PostgreSQL') {
      postgres ??= await startPostgres();
      const url = await postgres.createDatabase();
      openReplica = () => openPostgresRepository(url);
    } else {
      const file = join(scratch, `${randomUUID()}.db`);
      openReplica = async () => openSqliteRepository(file);
    }
  });
  afterAll(async () => {
    for (const repository of opened.splice(0)) await repository.close();
  });
  const replica = async () => {
    const repository = await openReplica();
    opened.push(repository);
    return repository;
  };
  /** The authority's view for the sweep: this store, the default window, a clock at `seconds`. */
  const at = (repository: AuthorityRepository, seconds: number) => ({ repository, limits: DEFAULT_LIMITS, clock: () => new Date(seconds * 1000) });
  /** Each test's times start far beyond the last test's, since the sweep mark only moves up. */
  let epoch = 1_000_000 * W;
  const freshEpoch = () => (epoch += 1_000 * W);

  it('refuses a nonce again across a bucket boundary, and forgets it once its bucket is below the window', async () => {
    const repository = await replica();
    const key = randomUUID();
    const start = freshEpoch();
    const created = start + W - 1; // the last second of its bucket
    expect(await repository.rememberNonce(key, 'nonce-at-the-edge', created)).toBe(true);

    // Next bucket, the signature still within the window: swept, yet still refused, with its own time or another.
    expect(await sweepExpiredNonces(at(repository, created + W))).not.toBeNull();
    expect(await repository.rememberNonce(key, 'nonce-at-the-edge', created)).toBe(false);
    expect(await repository.rememberNonce(key, 'nonce-at-the-edge', created + W)).toBe(false);

    // Past the window, but a replica whose clock is behind might still accept it: held a bucket longer.
    expect(await sweepExpiredNonces(at(repository, created + W + 1))).toBe(0);
    expect(await repository.rememberNonce(key, 'nonce-at-the-edge', created + W + 1)).toBe(false);
    // A window later than that, no clock within the window accepts it: its bucket goes.
    expect(await sweepExpiredNonces(at(repository, created + 2 * W + 1))).toBe(1);
    expect(await repository.rememberNonce(key, 'nonce-at-the-edge', created + 2 * W + 1)).toBe(true);
  });

  it('never accepts a replay that passes the time check, and keeps no nonce below the window (property)', async () => {
    const repository = await replica();
    const step = fc.record({
      advance: fc.integer({ min: 0, max: 2 * W }),
      nonce: fc.integer({ min: 0, max: 5 }),
      createdOffset: fc.integer({ min: -W, max: W }),
      replay: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      const key = randomUUID();
      let now = freshEpoch();
      const accepted: { nonce: string; created: number }[] = [];
      for (const { advance, nonce, createdOffset, replay } of steps) {
        now += advance;
        await sweepExpiredNonces(at(repository, now));
        const replayable = accepted.filter((use) => Math.abs(now - use.created) <= W);
        if (replay && replayable.length > 0) {
          const use = replayable[nonce % replayable.length]!;
          expect(await repository.rememberNonce(key, use.nonce, use.created), `replay of ${use.nonce}@${use.created} at ${now}`).toBe(false);
        } else {
          const use = { nonce: `nonce-${nonce}`, created: now + createdOffset };
          if (await repository.rememberNonce(key, use.nonce, use.created)) accepted.push(use);
        }
      }
      // Bounded: a nonce whose last use is below the window of the last sweep is gone (so it can be taken again).
      const cutoff = nonceSweepCutoff(now, W);
      const lastUse = new Map(accepted.map((use) => [use.nonce, use.created]));
      for (const [nonce, created] of lastUse) {
        if (created < cutoff) expect(await repository.rememberNonce(key, nonce, created), `${nonce}@${created} kept below ${cutoff}`).toBe(true);
      }
    }), { numRuns: backend === 'PostgreSQL' ? 25 : 60 });
  });

  it('lets two replicas sweep at the same moment: one deletes each bucket, the other skips it', async () => {
    const [first, second] = [await replica(), await replica()];
    const key = randomUUID();
    const start = freshEpoch();
    await sweepExpiredNonces(at(first, start)); // what the tests before left
    for (let i = 0; i < 50; i++) await first.rememberNonce(key, `old-${i}`, start + (i % W));

    for (let round = 0; round < 5; round++) {
      const now = start + (3 + round) * W + round;
      const outcomes = await Promise.all([sweepExpiredNonces(at(first, now)), sweepExpiredNonces(at(second, now))]);
      // Exactly one replica swept this cutoff (the other found it taken); only the first round had nonces below it.
      expect(outcomes.filter((outcome) => outcome !== null)).toEqual([round === 0 ? 50 : 0]);
      expect(await second.sweepNonces(nonceSweepCutoff(now, W))).toBeNull();
    }
    expect(await second.rememberNonce(key, 'old-0', start)).toBe(true);
  });
});
