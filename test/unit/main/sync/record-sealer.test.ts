// Sealing and queueing an approved record against an in-memory store, opened again with the
// authority's keys: an enrollment's record gets the next number of the kiosk's day, the same
// in its JSON, in the envelope's header, on its outbox row and in the `record.sealed` audit
// entry (which carries no content); a record outside an enrollment (synthetic) gets none and
// uses up none; a kiosk without a code is refused with KIOSK_CODE_MISSING, writing nothing; and
// a sealing rolled back with its caller's transaction leaves nothing and gives its number back.

import { describe, expect, it } from 'vitest';
import { openSealedRecord } from '../../../../protocol/sealed-record.js';
import { listAudit } from '../../../../main/audit/audit-log.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';
import { approveAndSeal, type EnrollmentRecord } from '../../../../main/sync/record-sealer.js';
import { credentialsOf, offlineIdentity, type OfflineIdentity } from '../../../fixtures/offline-identity.js';

const NOW = new Date(2026, 2, 1, 10, 15); // the kiosk's 1 March 2026
const DAY = '260301';

function kiosk(code: string | null = 'K7QZ') {
  const offline: OfflineIdentity = offlineIdentity();
  offline.identity.code = code;
  const db = openDatabase(':memory:');
  return { db, offline, credentials: credentialsOf(offline) };
}

function enrollmentRecord(db: Db, id: string): EnrollmentRecord {
  db.prepare("INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES (?, 'person', 'review', NULL, ?, ?)")
    .run(id, NOW.toISOString(), NOW.toISOString());
  return {
    kind: 'person-enrollment', enrollmentId: id,
    json: { enrollmentId: id, document: { fields: { surname: 'ERIKSSON' } } },
    parts: [{ name: 'portrait-live.jpg', bytes: new Uint8Array([1, 2, 3]) }],
  };
}

const SYNTHETIC: EnrollmentRecord = { kind: 'synthetic-load', enrollmentId: null, json: { filler: 'x'.repeat(40) }, parts: [] };

/** The envelope queued for `recordId`, opened as the authority opens it. */
function opened(db: Db, offline: OfflineIdentity, recordId: string) {
  const { envelope } = db.prepare('SELECT envelope FROM sealed_payloads WHERE record_id = ?').get(recordId) as { envelope: Buffer };
  return openSealedRecord(envelope, {
    authoritySealingPrivateKey: offline.authority.sealing.privateKey, kioskSigningPublicKey: offline.keys.signing.publicKey,
  });
}

const outboxRow = (db: Db, recordId: string) =>
  db.prepare('SELECT record_id AS recordId, enrollment_id AS enrollmentId, number, state, size, digest FROM outbox WHERE record_id = ?').get(recordId);

describe('approveAndSeal', () => {
  it('numbers an enrollment\'s record in its JSON, its envelope header, its outbox row and its audit entry', () => {
    const { db, offline, credentials } = kiosk();
    const queued = approveAndSeal(db, credentials, enrollmentRecord(db, 'e-1'), 'operator:3', NOW);
    expect(queued.number).toMatch(new RegExp(`^K7QZ-${DAY}-0001-[0-9A-Z]{2}$`));
    const { header, json, parts } = opened(db, offline, queued.recordId);
    expect(header).toMatchObject({ recordId: queued.recordId, kind: 'person-enrollment', number: queued.number, createdAt: NOW.toISOString() });
    expect(json).toEqual({ enrollmentId: 'e-1', document: { fields: { surname: 'ERIKSSON' } }, number: queued.number });
    expect(parts).toEqual([{ name: 'portrait-live.jpg', bytes: Buffer.from([1, 2, 3]) }]);
    expect(outboxRow(db, queued.recordId)).toEqual({
      recordId: queued.recordId, enrollmentId: 'e-1', number: queued.number, state: 'queued', size: queued.size, digest: queued.digest,
    });
    expect(listAudit(db).map(({ actor, action, details }) => ({ actor, action, details }))).toEqual([{
      actor: 'operator:3', action: 'record.sealed',
      details: { recordId: queued.recordId, kind: 'person-enrollment', size: queued.size, number: queued.number },
    }]);
    expect(JSON.stringify(listAudit(db))).not.toContain('ERIKSSON');
  });

  it('gives the next enrollment of the day the next number', () => {
    const { db, credentials } = kiosk();
    const numbers = ['e-1', 'e-2', 'e-3'].map((id) => approveAndSeal(db, credentials, enrollmentRecord(db, id), 'operator:3', NOW).number);
    expect(numbers.map((number) => number?.slice(0, 16))).toEqual(['0001', '0002', '0003'].map((sequence) => `K7QZ-${DAY}-${sequence}`));
  });

  it('gives a record outside an enrollment no number, and uses none up', () => {
    const { db, offline, credentials } = kiosk();
    const synthetic = approveAndSeal(db, credentials, SYNTHETIC, 'system', NOW);
    expect(synthetic.number).toBeNull();
    const { header, json } = opened(db, offline, synthetic.recordId);
    expect(header).not.toHaveProperty('number');
    expect(json).toEqual(SYNTHETIC.json);
    expect(outboxRow(db, synthetic.recordId)).toMatchObject({ enrollmentId: null, number: null });
    expect(listAudit(db).at(-1)?.details).toEqual({ recordId: synthetic.recordId, kind: 'synthetic-load', size: synthetic.size, number: null });
    expect(approveAndSeal(db, credentials, enrollmentRecord(db, 'e-1'), 'operator:3', NOW).number).toMatch(/-0001-/);
  });

  it('refuses an enrollment\'s record on a kiosk without a code, writing nothing; a synthetic one still seals', () => {
    const { db, credentials } = kiosk(null);
    const record = enrollmentRecord(db, 'e-1');
    expect(() => approveAndSeal(db, credentials, record, 'operator:3', NOW)).toThrow(expect.objectContaining({
      name: 'GatehouseError', code: 'KIOSK_CODE_MISSING', message: expect.stringContaining('provision it again'),
    }));
    for (const table of ['outbox', 'sealed_payloads', 'audit', 'enrollment_sequences']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
    expect(approveAndSeal(db, credentials, SYNTHETIC, 'system', NOW).number).toBeNull();
  });

  it('leaves nothing and gives the number back when the caller\'s transaction rolls back', () => {
    const { db, credentials } = kiosk();
    let inside: string | null = null;
    expect(() => db.transaction(() => {
      inside = approveAndSeal(db, credentials, enrollmentRecord(db, 'e-1'), 'operator:3', NOW).number;
      throw new Error('the enrollment could not move on');
    })()).toThrow('the enrollment could not move on');
    for (const table of ['outbox', 'sealed_payloads', 'audit', 'enrollment_sequences', 'enrollments']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
    expect(approveAndSeal(db, credentials, enrollmentRecord(db, 'e-2'), 'operator:3', NOW).number).toBe(inside);
  });
});
