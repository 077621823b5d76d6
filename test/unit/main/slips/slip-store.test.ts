// The slips a kiosk keeps for reprints, against an in-memory store: a slip kept for a queued
// record reads back as it was, sealed (its name is not on disk in the clear); keptSlips tells
// which records still have one; a record without one, and one whose envelope was purged after
// its retention (the slip goes with it), is SLIP_NOT_KEPT; a slip moved to another record's row,
// or read with another kiosk's keys, is refused; a slip for a record not queued is not kept.

import { describe, expect, it } from 'vitest';
import { keepSlip, keptSlips, readKeptSlip } from '../../../../main/slips/slip-store.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';
import { enqueueSealed, purgeEnvelopes, storeReceipt } from '../../../../main/store/outbox.js';
import { sha256Hex } from '../../../../protocol/wire-fields.js';
import { credentialsOf, offlineIdentity } from '../../../fixtures/offline-identity.js';
import { onReview } from '../enrollment/sample-enrollments.js';
import { CREDENTIALS, queuedRecord, SEALED_AT, slipOf } from './sample-slips.js';

const NOW = new Date(SEALED_AT);

/** A store with these records queued, as the sealer leaves them. */
function storeWith(...recordIds: string[]): Db {
  const db = openDatabase(':memory:');
  for (const recordId of recordIds) {
    const bytes = Buffer.from(`sealed ${recordId}`);
    enqueueSealed(db, { recordId, enrollmentId: null, number: null, createdAt: SEALED_AT, envelope: { bytes, digest: sha256Hex(bytes), size: bytes.length } });
  }
  return db;
}

describe('the kept slips', () => {
  it('reads back a kept slip as it was, and knows which records have one', () => {
    const [a, b] = [queuedRecord(1), queuedRecord(2)];
    const db = storeWith(a.recordId, b.recordId, 'r-none');
    const slipA = slipOf(onReview('person'), a);
    db.transaction(() => keepSlip(db, CREDENTIALS, slipA, NOW))();
    keepSlip(db, CREDENTIALS, slipOf(onReview('company'), b), NOW);
    expect(readKeptSlip(db, CREDENTIALS, a.recordId)).toEqual(slipA);
    expect(readKeptSlip(db, CREDENTIALS, b.recordId)).toMatchObject({ flow: 'company', number: b.number });
    expect(keptSlips(db, [a.recordId, 'r-none', b.recordId, 'r-unknown'])).toEqual(new Set([a.recordId, b.recordId]));
    expect(keptSlips(db, [])).toEqual(new Set());
  });

  it('keeps it sealed: the name and number are not on disk in the clear', () => {
    const queued = queuedRecord(3);
    const db = storeWith(queued.recordId);
    keepSlip(db, CREDENTIALS, slipOf(onReview('person'), queued), NOW);
    const { envelope } = db.prepare('SELECT envelope FROM slips WHERE record_id = ?').get(queued.recordId) as { envelope: Buffer };
    for (const text of ['ERIKSSON', 'ANNA MARIA', queued.number]) expect(envelope.includes(text)).toBe(false);
  });

  it('answers SLIP_NOT_KEPT for a record without a slip', () => {
    const db = storeWith('r-1');
    for (const recordId of ['r-1', 'r-unknown']) {
      expect(() => readKeptSlip(db, CREDENTIALS, recordId)).toThrow(expect.objectContaining({
        name: 'GatehouseError', code: 'SLIP_NOT_KEPT', details: { recordId },
      }));
    }
  });

  it('drops the slip with the envelope once the receipt\'s retention is over, and only then', () => {
    const [gone, stays] = [queuedRecord(1), queuedRecord(2)];
    const db = storeWith(gone.recordId, stays.recordId);
    keepSlip(db, CREDENTIALS, slipOf(onReview('person'), gone), NOW);
    keepSlip(db, CREDENTIALS, slipOf(onReview('person'), stays), NOW);
    storeReceipt(db, gone.recordId, { json: '{}', acceptedAt: '2026-03-01T10:00:00.000Z', purgeAfter: '2026-03-31T10:00:00.000Z' });
    expect(purgeEnvelopes(db, '2026-03-31T09:59:59.999Z', 10)).toBe(0);
    expect(readKeptSlip(db, CREDENTIALS, gone.recordId).number).toBe(gone.number);
    expect(purgeEnvelopes(db, '2026-03-31T10:00:00.000Z', 10)).toBe(1);
    expect(() => readKeptSlip(db, CREDENTIALS, gone.recordId)).toThrow(expect.objectContaining({ code: 'SLIP_NOT_KEPT' }));
    expect(keptSlips(db, [gone.recordId, stays.recordId])).toEqual(new Set([stays.recordId]));
    expect(readKeptSlip(db, CREDENTIALS, stays.recordId).number).toBe(stays.number);
  });

  it('refuses a slip moved to another record\'s row, and one read with another kiosk\'s keys', () => {
    const [a, b] = [queuedRecord(1), queuedRecord(2)];
    const db = storeWith(a.recordId, b.recordId);
    keepSlip(db, CREDENTIALS, slipOf(onReview('person'), a), NOW);
    db.prepare('INSERT INTO slips (record_id, envelope) SELECT ?, envelope FROM slips WHERE record_id = ?').run(b.recordId, a.recordId);
    expect(() => readKeptSlip(db, CREDENTIALS, b.recordId)).toThrow(expect.objectContaining({ code: 'KIOSK_SEALED_MISPLACED', message: expect.stringContaining(`acknowledgement-slip ${b.recordId}`) }));
    expect(() => readKeptSlip(db, credentialsOf(offlineIdentity()), a.recordId)).toThrow(expect.objectContaining({ name: 'ProtocolError' }));
  });

  it('keeps no slip for a record that is not queued, and one slip per record', () => {
    const queued = queuedRecord(1);
    const db = storeWith(queued.recordId);
    expect(() => keepSlip(db, CREDENTIALS, slipOf(onReview('person'), queuedRecord(2)), NOW)).toThrow(/FOREIGN KEY/);
    keepSlip(db, CREDENTIALS, slipOf(onReview('person'), queued), NOW);
    expect(() => keepSlip(db, CREDENTIALS, slipOf(onReview('person'), queued), NOW)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(db.prepare('SELECT count(*) AS n FROM slips').get()).toEqual({ n: 1 });
  });
});
