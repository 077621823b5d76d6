// How long a sealed envelope (and its slip) stays after the authority's receipt: the station
// setting, unless the authority's station configuration sets its own; a changed retention
// reschedules the envelopes already kept, so the purge drops them by the new period.

import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../protocol/wire-fields.js';
import { readSettings, stationSettingsView, writeSettings } from '../../../../main/kiosk/station-settings.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';
import { enqueueSealed, outboxEntry, purgeEnvelopes, storeReceipt } from '../../../../main/store/outbox.js';
import { retentionMs } from '../../../../main/sync/authority-documents.js';

const T0 = '2026-03-01T09:00:00.000Z';
const hours = (n: number) => new Date(Date.parse(T0) + n * 3_600_000).toISOString();
const HOUR = 3_600_000;

/** A store with envelope `a` accepted at T0 (kept a week, as the default says) and `b` still queued. */
function storeWithReceipt(): Db {
  const db = openDatabase(':memory:');
  for (const recordId of ['a', 'b']) {
    const bytes = Buffer.from(`sealed ${recordId}`);
    enqueueSealed(db, { recordId, enrollmentId: null, number: null, createdAt: T0, envelope: { bytes, digest: sha256Hex(bytes), size: bytes.length } });
  }
  storeReceipt(db, 'a', { json: '{}', acceptedAt: T0, purgeAfter: new Date(Date.parse(T0) + retentionMs(db)).toISOString() });
  return db;
}

function holdAuthorityConfig(db: Db, settings: Record<string, unknown>): void {
  db.prepare("INSERT INTO authority_documents (kind, version, document, verified_at) VALUES ('station-config', 1, ?, ?)")
    .run(JSON.stringify({ kind: 'station-config', version: 1, settings }), T0);
}

describe('retention after the receipt', () => {
  it('is the station setting, a week unless set', () => {
    const db = openDatabase(':memory:');
    expect(retentionMs(db)).toBe(168 * HOUR);
    writeSettings(db, { sealedRetentionHours: 24 });
    expect(retentionMs(db)).toBe(24 * HOUR);
  });

  it('reschedules the envelopes already kept when it changes, so the next purge uses the new period', () => {
    const db = storeWithReceipt();
    expect(outboxEntry(db, 'a')).toMatchObject({ purgeAfter: hours(168) });
    writeSettings(db, { sealedRetentionHours: 2 }, new Date(hours(3)));
    expect(outboxEntry(db, 'a')).toMatchObject({ purgeAfter: hours(2), purgedAt: null });
    expect(outboxEntry(db, 'b')).toMatchObject({ state: 'queued', purgeAfter: null });
    expect(purgeEnvelopes(db, hours(3), 10)).toBe(1);
    expect(outboxEntry(db, 'a')).toMatchObject({ purgedAt: hours(3) });
    expect(db.prepare('SELECT record_id FROM sealed_payloads').all()).toEqual([{ record_id: 'b' }]);
  });

  it('is the authority\'s when its station configuration sets one: the station setting then changes nothing', () => {
    const db = storeWithReceipt();
    holdAuthorityConfig(db, { sealedRetentionHours: 48 });
    expect(retentionMs(db)).toBe(48 * HOUR);
    expect(stationSettingsView(db).authorityRetentionHours).toBe(48);
    writeSettings(db, { sealedRetentionHours: 1 }, new Date(hours(3)));
    expect(readSettings(db).sealedRetentionHours).toBe(1);
    expect(outboxEntry(db, 'a')).toMatchObject({ purgeAfter: hours(48) });
    expect(purgeEnvelopes(db, hours(3), 10)).toBe(0);
  });

  it('ignores an authority value outside the bounds a station accepts, and says so by showing none', () => {
    const db = openDatabase(':memory:');
    holdAuthorityConfig(db, { sealedRetentionHours: 9000 });
    expect(stationSettingsView(db).authorityRetentionHours).toBeNull();
    expect(retentionMs(db)).toBe(168 * HOUR);
  });
});
