// Sealing an approved record on a provisioned kiosk: only the authority opens it, the kiosk
// cannot, no plaintext reaches the database files, and envelope, queue row and audit entry
// are written together or not at all.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePublicKey } from '../../../../protocol/keys.js';
import { openSealedRecord, readSealedHeader } from '../../../../protocol/sealed-record.js';
import { approveAndSeal, type EnrollmentRecord } from '../../../../main/sync/record-sealer.js';
import type { Harness } from '../../authority/authority-harness.js';
import { freshKioskPerTest, type KioskUnderTest } from './kiosk-under-test.js';

const MARKER = 'PLAINTEXT-MARKER-5f1c';
const record: EnrollmentRecord = {
  kind: 'person-enrollment',
  enrollmentId: null,
  json: { person: { surname: MARKER, givenNames: 'ERIKA' }, consent: { textVersion: 'v3' } },
  parts: [
    { name: 'portrait-live.jpg', bytes: Buffer.from(`${MARKER}-portrait-`.repeat(2_000)) },
    { name: 'finger-2.iso', bytes: Buffer.from(`${MARKER}-finger-`.repeat(2_000)) },
  ],
};

let h: Harness;
let k: KioskUnderTest;
freshKioskPerTest((fresh) => ({ h, k } = fresh));

const count = (table: string) => (k.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('approveAndSeal', () => {
  it('seals to the pinned authority key: the authority opens it, the kiosk cannot', () => {
    const queued = approveAndSeal(k.db, k.credentials, record, 'operator:7', h.now());
    const envelope = k.envelope(queued.recordId);
    expect(readSealedHeader(envelope)).toMatchObject({
      recordId: queued.recordId, kioskId: k.credentials.identity.kioskId, kind: 'person-enrollment', sealedTo: k.credentials.identity.authority.sealingKeyId,
    });
    const opened = openSealedRecord(envelope, {
      authoritySealingPrivateKey: h.authority.keys.sealing.privateKey,
      kioskSigningPublicKey: decodePublicKey('ed25519', k.credentials.identity.signingPublicKey),
    });
    expect(opened.json).toEqual(record.json);
    expect(opened.parts.map((p) => [p.name, Buffer.from(p.bytes).equals(Buffer.from(record.parts.find((q) => q.name === p.name)!.bytes))]))
      .toEqual([['portrait-live.jpg', true], ['finger-2.iso', true]]);

    const withKioskKeys = { authoritySealingPrivateKey: k.credentials.keys.sealing.privateKey, kioskSigningPublicKey: k.credentials.keys.signing.publicKey };
    expect(() => openSealedRecord(envelope, withKioskKeys)).toThrow(expect.objectContaining({ code: 'ENVELOPE_WRONG_AUTHORITY_KEY' }));
  });

  it('leaves only ciphertext and queue metadata on disk', () => {
    approveAndSeal(k.db, k.credentials, record, 'operator:7', h.now());
    k.db.pragma('wal_checkpoint(PASSIVE)');
    const files = fs.readdirSync(k.dataDir, { recursive: true, encoding: 'utf8' })
      .map((name) => path.join(k.dataDir, name)).filter((file) => fs.statSync(file).isFile());
    expect(files.some((file) => file.endsWith('gatehouse.sqlite'))).toBe(true);
    for (const file of files) expect(fs.readFileSync(file).includes(MARKER), file).toBe(false);
    const row = k.db.prepare('SELECT * FROM outbox').get() as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual([
      'accepted_at', 'attempts', 'authority_reason', 'authority_state', 'authority_state_at', 'bundle_id', 'created_at', 'digest',
      'enrollment_id', 'exported_at', 'last_error', 'last_error_code', 'last_error_kind', 'next_attempt_at', 'number', 'purge_after', 'purged_at', 'receipt', 'record_id', 'size',
      'state', 'updated_at',
    ]);
  });

  it('writes envelope, queue row, audit entry and the sync round that delivers it in one transaction under synchronous=FULL', () => {
    expect(k.db.pragma('synchronous', { simple: true })).toBe(2);
    const queued = approveAndSeal(k.db, k.credentials, record, 'operator:7', h.now());
    expect(k.outbox()).toEqual([expect.objectContaining({ recordId: queued.recordId, state: 'queued', attempts: 0, size: queued.size })]);
    const audit = k.db.prepare("SELECT actor, details FROM audit WHERE action = 'record.sealed'").all();
    expect(audit).toEqual([{ actor: 'operator:7', details: JSON.stringify({ kind: 'person-enrollment', number: null, recordId: queued.recordId, size: queued.size }) }]);
    const auditCount = count('audit');

    k.db.exec("CREATE TRIGGER audit_fails BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(() => approveAndSeal(k.db, k.credentials, record, 'operator:7', h.now())).toThrow(/disk full/);
    expect([count('outbox'), count('sealed_payloads')]).toEqual([1, 1]);

    // One waiting sync round for any number of records; if it cannot be written, nothing is.
    expect(k.db.prepare("SELECT kind, dedupe_key AS key, state, payload FROM jobs").all())
      .toEqual([{ kind: 'sync.round', key: 'sync', state: 'queued', payload: '{}' }]);
    k.db.exec('DROP TRIGGER audit_fails');
    k.db.exec("CREATE TRIGGER jobs_fail BEFORE UPDATE ON jobs BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(() => approveAndSeal(k.db, k.credentials, record, 'operator:7', h.now())).toThrow(/disk full/);
    expect([count('outbox'), count('sealed_payloads'), count('audit')]).toEqual([1, 1, auditCount]);
  });

  it('refuses a record the envelope cannot carry, with a code', () => {
    expect(() => approveAndSeal(k.db, k.credentials, { ...record, kind: 'Person Enrollment' }, 'operator:7'))
      .toThrow(expect.objectContaining({ code: 'RECORD_NOT_SEALABLE' }));
    expect(count('outbox')).toBe(0);
  });
});
