// Thousands of records from a kiosk to the real authority through a proxy that resets, stalls,
// cuts requests, drops answers after the authority committed, and answers 5xx and 429 with
// Retry-After. Whatever the faults, every record is stored at the authority exactly once, every
// kiosk record ends with a verified receipt, and no envelope is purged before its receipt.
// The kiosk's clock (shared with the authority) is moved between rounds, so backoff costs no
// real time; only stalls wait for the request timeout.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt } from '../../../../protocol/receipt.js';
import { publish } from '../../../../authority/published-documents.js';
import { auditHead } from '../../../../main/audit/audit-log.js';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import { syntheticRecord } from '../../../../tools/records/synthetic-records.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';
import { startFaultProxy, type Fault, type FaultKind, type FaultProxy } from '../../support/fault-proxy.js';
import { seededRandom } from '../../../../torture/seeded-random.js';
import { provisionedKiosk, type KioskUnderTest } from './kiosk-under-test.js';

const RECORDS = 2_000;
const LARGE_EVERY = 40; // every 40th record is large enough to go in chunks

/** Cumulative odds per request: about one request in eleven meets a fault. */
const FAULTS: Array<[number, Fault]> = [
  [0.02, { kind: 'reset' }],
  [0.025, { kind: 'stall' }],
  [0.04, { kind: 'cut-request' }],
  [0.065, { kind: 'drop-response' }],
  [0.08, { kind: 'server-error', status: 503 }],
  [0.09, { kind: 'throttle', retryAfterSeconds: 3 }],
];

let h: Harness;
let proxy: FaultProxy;
let k: KioskUnderTest;
beforeAll(async () => {
  h = await startHarness({ limits: { recordBodyBytes: 32 * 1024, chunkBytes: 16 * 1024 } });
  // Envelopes are purged as soon as their receipt is stored, so a purge without one would show.
  await publish(h.authority, { kind: 'station-config', settings: { sealedRetentionHours: 0 } });
  proxy = await startFaultProxy(h.url);
  k = await provisionedKiosk(h, proxy.url);
}, 120_000);
afterAll(async () => {
  k?.close();
  await proxy?.close();
  await h?.close();
});

/** After every round: an envelope is gone only from a record with a receipt, and every waiting record still has its envelope. */
function expectNothingPurgedWithoutReceipt(): void {
  const broken = k.db.prepare(`SELECT count(*) AS n FROM outbox o LEFT JOIN sealed_payloads p ON p.record_id = o.record_id
                               WHERE p.record_id IS NULL AND (o.receipt IS NULL OR o.state <> 'accepted')`).get() as { n: number };
  expect(broken.n).toBe(0);
}

describe(`${RECORDS} records through a faulty network`, () => {
  it('are each stored once at the authority and end with a verified receipt', async () => {
    const large = (index: number) => ({ ...syntheticRecord(index, 'small'), parts: [{ name: 'portrait-live.jpg', bytes: Buffer.alloc(40_000, index % 251) }] });
    const ids = k.seal(RECORDS, (index) => (index % LARGE_EVERY === 0 ? large(index) : syntheticRecord(index, 'small')));
    const random = seededRandom(20260301);
    proxy.plan = () => {
      const roll = random();
      return FAULTS.find(([odds]) => roll < odds)?.[1];
    };
    const sync = k.sync({ timeoutMs: 500, limits: { singleRequestMaxBytes: 16 * 1024, chunkBytes: 8 * 1024 }, documentsEveryMs: 60_000 });

    let rounds = 0;
    let throttledRecords = 0;
    for (;;) {
      const round = await sync.runOnce();
      rounds += 1;
      expectNothingPurgedWithoutReceipt();
      // Honours Retry-After: a record that met a 429 in this round is not due before 3 s have passed.
      const throttled = k.db.prepare("SELECT next_attempt_at AS at FROM outbox WHERE updated_at = ? AND last_error LIKE '%asked the kiosk to wait%'")
        .all(h.now().toISOString()) as Array<{ at: string }>;
      for (const { at } of throttled) expect(Date.parse(at) - h.now().getTime()).toBeGreaterThanOrEqual(3_000);
      throttledRecords += throttled.length;
      expect(round.failure?.kind ?? 'none').not.toBe('halt');
      expect(round.rejected).toBe(0);
      if (k.outbox().every((r) => r.state === 'accepted')) break;
      expect(rounds).toBeLessThan(5_000);
      h.advance(5); // past any backoff and Retry-After; well inside the signature window
    }
    proxy.plan = () => undefined;
    await sync.runOnce(); // a clean round to push the final audit checkpoint

    for (const kind of ['passed', ...FAULTS.map(([, fault]) => fault.kind)] as Array<FaultKind | 'passed'>) expect(proxy.counts[kind], kind).toBeGreaterThan(0);
    expect(throttledRecords).toBeGreaterThan(0);

    const held = await h.authority.repository.listRecords();
    expect(held).toHaveLength(RECORDS);
    expect((await h.authority.repository.counts()).records).toBe(RECORDS);
    const heldDigest = new Map(held.map((r) => [r.recordId, r.digest]));
    const rows = k.db.prepare('SELECT record_id AS recordId, digest, state, receipt, purged_at AS purgedAt FROM outbox').all() as
      Array<{ recordId: string; digest: string; state: string; receipt: string; purgedAt: string | null }>;
    expect(rows.map((r) => r.recordId).sort()).toEqual([...ids].sort());
    for (const row of rows) {
      expect(heldDigest.get(row.recordId)).toBe(row.digest);
      const checked = verifyReceipt(JSON.parse(row.receipt), k.credentials.authoritySigningKey,
        { recordId: row.recordId, digest: row.digest, kioskId: k.credentials.identity.kioskId });
      expect(checked.ok).toBe(true);
      expect(row.purgedAt).not.toBeNull();
    }
    expect((k.db.prepare('SELECT count(*) AS n FROM sealed_payloads').get() as { n: number }).n).toBe(0);

    expect(k.auditActions().filter((a) => a === 'record.delivered')).toHaveLength(RECORDS);
    expect(verifyAudit(k.db).ok).toBe(true);
    const checkpoints = await h.authority.repository.listCheckpoints(k.credentials.identity.kioskId);
    expect(checkpoints.at(-1)?.headHash).toBe(auditHead(k.db)!.hash);
  }, 600_000);
});
