// The outbox against an in-memory store: due order, retries, refusals, receipts stored once,
// purge only after receipt and retention, export marks, the counts the sync panel shows, and
// an enrollment record's number kept on its row (each number once).

import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../protocol/wire-fields.js';
import { openDatabase } from '../../../../main/store/database.js';
import {
  dueRecords, enqueueSealed, markExported, markRejected, outboxEntry, purgeEnvelopes, queueSummary, readEnvelope, scheduleRetry, storeReceipt,
} from '../../../../main/store/outbox.js';

const T0 = '2026-03-01T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function storeWith(...ids: string[]) {
  const db = openDatabase(':memory:');
  ids.forEach((recordId, index) => {
    const bytes = Buffer.from(`sealed ${recordId}`);
    enqueueSealed(db, { recordId, enrollmentId: null, number: null, createdAt: at(index), envelope: { bytes, digest: sha256Hex(bytes), size: bytes.length } });
  });
  return db;
}

describe('outbox', () => {
  it('keeps an enrollment record\'s number on its row and hands it back, and refuses a number twice', () => {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES ('e-1', 'person', 'sealed', NULL, ?, ?)").run(T0, T0);
    const envelope = (text: string) => ({ bytes: Buffer.from(text), digest: sha256Hex(text), size: text.length });
    const number = 'K00A-260301-0001-XX';
    expect(enqueueSealed(db, { recordId: 'a', enrollmentId: 'e-1', number, createdAt: T0, envelope: envelope('sealed a') }))
      .toEqual({ recordId: 'a', number, size: 8, digest: sha256Hex('sealed a'), createdAt: T0 });
    expect(outboxEntry(db, 'a')).toMatchObject({ recordId: 'a', number });
    expect(() => enqueueSealed(db, { recordId: 'b', enrollmentId: null, number, createdAt: T0, envelope: envelope('sealed b') })).toThrow(/UNIQUE/);
    expect(enqueueSealed(db, { recordId: 'c', enrollmentId: null, number: null, createdAt: T0, envelope: envelope('sealed c') }).number).toBeNull();
    expect(outboxEntry(db, 'c')).toMatchObject({ number: null });
  });

  it('hands out due records earliest first, without their envelopes', () => {
    const db = storeWith('a', 'b', 'c');
    expect(dueRecords(db, at(1), 10).map((r) => r.recordId)).toEqual(['a', 'b']);
    expect(dueRecords(db, at(5), 2)).toEqual([
      { recordId: 'a', size: 8, digest: sha256Hex('sealed a'), attempts: 0, exported: false },
      { recordId: 'b', size: 8, digest: sha256Hex('sealed b'), attempts: 0, exported: false },
    ]);
    expect(readEnvelope(db, 'c').toString()).toBe('sealed c');
    expect(() => readEnvelope(db, 'zzz')).toThrow(expect.objectContaining({ code: 'OUTBOX_ENVELOPE_MISSING' }));
  });

  it('puts a failed record back until its next attempt, and keeps a refused one out of the queue but sealed', () => {
    const db = storeWith('a', 'b');
    scheduleRetry(db, 'a', { nextAttemptAt: at(30), fault: { code: 'AUTHORITY_UNREACHABLE', kind: 'transient', message: 'The authority cannot be reached.' }, now: at(2) });
    markRejected(db, 'b', { code: 'RECORD_CONFLICT', kind: 'reject', message: 'Record b is already held with different content.' }, at(2));
    expect(dueRecords(db, at(29), 10)).toEqual([]);
    expect(dueRecords(db, at(30), 10).map((r) => [r.recordId, r.attempts])).toEqual([['a', 1]]);
    expect(outboxEntry(db, 'b')).toMatchObject({ state: 'rejected', attempts: 1, lastError: expect.stringContaining('different content'), lastErrorCode: 'RECORD_CONFLICT' });
    expect(readEnvelope(db, 'b').toString()).toBe('sealed b');
    expect(queueSummary(db)).toMatchObject({ queued: 1, rejected: 1, oldestQueuedAt: at(0), nextAttemptAt: at(30) });
  });

  it('stores a receipt once and purges the envelope only after its retention', () => {
    const db = storeWith('a', 'b');
    expect(storeReceipt(db, 'a', { json: '{"r":1}', acceptedAt: at(10), purgeAfter: at(70) })).toBe(true);
    expect(storeReceipt(db, 'a', { json: '{"r":2}', acceptedAt: at(20), purgeAfter: at(80) })).toBe(false);
    expect(outboxEntry(db, 'a')).toMatchObject({ state: 'accepted', acceptedAt: at(10), purgeAfter: at(70) });
    expect(purgeEnvelopes(db, at(69), 10)).toBe(0);
    expect(purgeEnvelopes(db, at(70), 10)).toBe(1);
    expect(outboxEntry(db, 'a')).toMatchObject({ purgedAt: at(70) });
    expect(purgeEnvelopes(db, at(10_000), 10)).toBe(0);
    expect(readEnvelope(db, 'b').toString()).toBe('sealed b');
    expect(queueSummary(db)).toMatchObject({ queued: 1, accepted: 1, retained: 0 });
  });

  it('marks only waiting records as exported, and they stay queued', () => {
    const db = storeWith('a', 'b');
    storeReceipt(db, 'b', { json: '{}', acceptedAt: at(1), purgeAfter: at(100) });
    markExported(db, ['a', 'b'], 'bundle-1', at(2));
    expect([outboxEntry(db, 'a'), outboxEntry(db, 'b')].map((e) => [e?.state, e?.bundleId])).toEqual([['queued', 'bundle-1'], ['accepted', null]]);
    expect(dueRecords(db, at(5), 10)).toEqual([expect.objectContaining({ recordId: 'a', exported: true })]);
    expect(queueSummary(db)).toMatchObject({ queued: 1, exported: 1 });
  });
});
