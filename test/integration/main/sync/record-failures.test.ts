// One record's failure is that record's, not the round's: against the real authority through the
// fault proxy, a record whose request meets a reset or a 5xx (a replica restarting behind a load
// balancer) is retried later while the others of the round are delivered; a record sealed to a
// key the authority does not hold is retried, never rejected, and shown for a technician; a 429
// pauses the round; too many failures in a row end it. Each round reports its per-record outcomes
// in its result, on the sync panel and in the log. A supervisor's re-queue sends a refused record
// again, audited with its refusal.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatehouseError } from '../../../../main/errors.js';
import type { Log } from '../../../../main/log.js';
import { markRejected } from '../../../../main/store/outbox.js';
import { requeueRejectedRecord } from '../../../../main/sync/record-requeue.js';
import type { SyncServiceOptions } from '../../../../main/sync/sync-service.js';
import { appendAudit } from '../../../../main/audit/audit-log.js';
import type { Harness } from '../../authority/authority-harness.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { freshKioskPerTest, queueSealedToForeignKey, type KioskUnderTest } from './kiosk-under-test.js';

let h: Harness;
let k: KioskUnderTest;
let proxy: FaultProxy;
freshKioskPerTest((fresh) => ({ h, k } = fresh));
beforeEach(async () => {
  proxy = await startFaultProxy(h.url);
});
afterEach(async () => {
  await proxy.close();
});

interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A sync service talking to the authority through the proxy, its log lines kept. */
function syncThroughProxy(options: Partial<SyncServiceOptions> = {}) {
  const lines: LogLine[] = [];
  const line = (level: LogLine['level']) => (message: string, fields: Record<string, unknown> = {}) => lines.push({ level, message, fields });
  const log: Log = { info: line('info'), warn: line('warn'), error: line('error') };
  const viaProxy = () => ({ ...k.credentials, identity: { ...k.credentials.identity, authorityUrl: proxy.url } });
  return { sync: k.sync({ credentials: viaProxy, log, ...options }), lines };
}

const state = (recordId: string) => k.outbox().find((r) => r.recordId === recordId)!;
const heldIds = async () => (await h.authority.repository.listRecords()).map((r) => r.recordId).sort();

describe('a record whose request fails', () => {
  it('is retried later while the others of the round are delivered, and the round reports each record', async () => {
    const ids = k.seal(5);
    const [reset, faulted] = [ids[1]!, ids[3]!];
    const failOnce = new Set([reset, faulted]);
    proxy.plan = ({ method, path }) => {
      const id = path.slice('/v1/records/'.length);
      if (method !== 'PUT' || !failOnce.delete(id)) return undefined;
      return id === reset ? { kind: 'reset' } : { kind: 'server-error', status: 503 };
    };
    const { sync, lines } = syncThroughProxy({ random: () => 0.999_999 }); // each backoff its longest: a few ms of the authority's clock

    const round = await sync.runOnce();
    expect(round).toMatchObject({ state: 'idle', delivered: 3, retried: 2, rejected: 0, failure: null });
    expect(proxy.counts).toMatchObject({ reset: 1, 'server-error': 1 });
    expect(round.outcomes).toHaveLength(5);
    expect(round.outcomes).toEqual(expect.arrayContaining([
      { recordId: reset, outcome: 'retried', code: 'AUTHORITY_UNREACHABLE', kind: 'transient' },
      { recordId: faulted, outcome: 'retried', code: 'PROXY_FAULT', kind: 'transient' },
      ...ids.filter((id) => id !== reset && id !== faulted).map((recordId) => ({ recordId, outcome: 'delivered' })),
    ]));
    expect(await heldIds()).toEqual(ids.filter((id) => id !== reset && id !== faulted).sort());
    for (const id of [reset, faulted]) expect(state(id)).toMatchObject({ state: 'queued', attempts: 1, acceptedAt: null });

    // The sync panel lists them with the code, and the log has a line per record and one for the round.
    expect(sync.progress().lastRound).toMatchObject({
      delivered: 3, retried: 2, rejected: 0,
      failures: expect.arrayContaining([
        { recordId: reset, outcome: 'retried', code: 'AUTHORITY_UNREACHABLE', kind: 'transient' },
        { recordId: faulted, outcome: 'retried', code: 'PROXY_FAULT', kind: 'transient' },
      ]),
    });
    const notDelivered = lines.filter((l) => l.message === 'record not delivered').map((l) => l.fields);
    expect(notDelivered).toEqual(expect.arrayContaining([
      { recordId: reset, outcome: 'retried', code: 'AUTHORITY_UNREACHABLE', kind: 'transient' },
      { recordId: faulted, outcome: 'retried', code: 'PROXY_FAULT', kind: 'transient' },
    ]));
    expect(lines).toContainEqual({ level: 'warn', message: 'sync round: not every record was delivered', fields: { delivered: 3, retried: 2, rejected: 0, endedBy: null } });

    // Not before its own backoff; then delivered, exactly once.
    expect(await sync.runOnce()).toMatchObject({ delivered: 0, outcomes: [] });
    h.advance(1);
    expect(await sync.runOnce()).toMatchObject({ delivered: 2, retried: 0, failure: null });
    expect(await heldIds()).toEqual([...ids].sort());
    expect(k.outbox().every((r) => r.state === 'accepted')).toBe(true);
    expect(sync.progress().lastError).toBeNull();
    expect(lines.at(-1)).toEqual({ level: 'info', message: 'sync round', fields: { delivered: 2, retried: 0, rejected: 0, endedBy: null } });
  });

  it('sealed to a key the authority does not hold is retried, never rejected, and shown for a technician', async () => {
    const [first] = k.seal(1);
    const misSealed = queueSealedToForeignKey(k.db, k.credentials, null, h.now());
    const [last] = k.seal(1);
    const { sync } = syncThroughProxy();

    const round = await sync.runOnce();
    expect(round).toMatchObject({ delivered: 2, retried: 1, rejected: 0, failure: null });
    expect(round.outcomes).toContainEqual({ recordId: misSealed, outcome: 'retried', code: 'ENVELOPE_WRONG_AUTHORITY_KEY', kind: 'config' });
    expect(state(misSealed)).toMatchObject({ state: 'queued', lastError: expect.stringMatching(/tried again; a technician must fix/) });
    expect(sync.progress()).toMatchObject({ state: 'idle', rejected: 0, lastError: { code: 'ENVELOPE_WRONG_AUTHORITY_KEY', kind: 'config' } });
    expect(await heldIds()).toEqual([first!, last!].sort());

    // Later rounds keep trying it, and keep the fault on show while other records go through.
    h.advance(1);
    const [another] = k.seal(1);
    expect(await sync.runOnce()).toMatchObject({ delivered: 1, retried: 1, rejected: 0 });
    expect(state(another!).state).toBe('accepted');
    expect(state(misSealed)).toMatchObject({ state: 'queued', attempts: 2 });
    expect(sync.progress().lastError).toMatchObject({ code: 'ENVELOPE_WRONG_AUTHORITY_KEY', kind: 'config' });
  });
});

describe('failures that end the round', () => {
  it('a 429 pauses the round: the records after it wait, untouched, for the next one', async () => {
    const ids = k.seal(4);
    let puts = 0;
    proxy.plan = ({ method }) => (method === 'PUT' && ++puts === 2 ? { kind: 'throttle', retryAfterSeconds: 30 } : undefined);
    const { sync } = syncThroughProxy({ limits: { concurrency: 1 } });

    const round = await sync.runOnce();
    expect(round).toMatchObject({ delivered: 1, retried: 1, failure: { kind: 'transient', endsRound: true, retryAfterMs: 30_000 } });
    expect(round.outcomes.map((o) => o.outcome)).toEqual(['delivered', 'retried']);
    expect(state(ids[1]!)).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAt: new Date(h.now().getTime() + 30_000).toISOString() });
    for (const id of ids.slice(2)) expect(state(id)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('too many failures in a row end it (the authority itself is away, not one replica)', async () => {
    const ids = k.seal(6);
    proxy.plan = ({ method }) => (method === 'PUT' ? { kind: 'server-error', status: 503 } : undefined);
    const { sync } = syncThroughProxy({ limits: { concurrency: 1, failuresInARow: 3 } });

    const round = await sync.runOnce();
    expect(round).toMatchObject({ delivered: 0, retried: 3, failure: { code: 'PROXY_FAULT', kind: 'transient', endsRound: false } });
    expect(proxy.counts['server-error']).toBe(3);
    expect(ids.map((id) => state(id).attempts)).toEqual([1, 1, 1, 0, 0, 0]);
  });
});

describe("a supervisor's re-queue", () => {
  it('puts a refused record back into the queue, audited with its refusal, and the next round delivers it', async () => {
    const [refused, queued] = k.seal(2);
    const refusal = `Record ${refused} is sealed to authority key 0123, not 4567.`; // as a kiosk before this change rejected it
    k.db.transaction(() => markRejected(k.db, refused!, { code: 'ENVELOPE_WRONG_AUTHORITY_KEY', kind: 'reject', message: refusal }, h.now().toISOString())).immediate();
    expect(state(refused!).state).toBe('rejected');

    const requeue = (recordId: string) => k.db.transaction(() => {
      const done = requeueRejectedRecord(k.db, recordId, h.now());
      appendAudit(k.db, { actor: 'operator:8', action: 'record.requeued', details: { ...done }, at: h.now() });
      return done;
    }).immediate();
    const done = requeue(refused!);
    expect(done).toEqual({ recordId: refused, number: null, code: 'ENVELOPE_WRONG_AUTHORITY_KEY', reason: refusal }); // synthetic records carry no enrollment number
    expect(state(refused!)).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: h.now().toISOString() });
    const audited = k.db.prepare("SELECT details FROM audit WHERE action = 'record.requeued'").pluck().all() as string[];
    expect(audited.map((d) => JSON.parse(d) as unknown)).toEqual([{ recordId: refused, number: null, code: 'ENVELOPE_WRONG_AUTHORITY_KEY', reason: refusal }]);

    for (const [id, code] of [[queued!, 'RECORD_NOT_REJECTED'], ['7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6', 'RECORD_NOT_FOUND']] as const) {
      expect(() => requeue(id)).toThrow(expect.objectContaining({ code }) as GatehouseError);
    }

    expect(await syncThroughProxy().sync.runOnce()).toMatchObject({ delivered: 2, rejected: 0 });
    expect(await heldIds()).toEqual([refused!, queued!].sort());
  });
});
