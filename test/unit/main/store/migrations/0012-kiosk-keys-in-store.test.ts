import { describe, expect, it } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const IDENTITY = ['k-1', 'HALA', 'Hall A', 'https://authority.example', 'sig', 'seal', 'as-id', 'as', 'ae-id', 'ae', '2026-03-01T09:00:00.000Z'];

describe('migration 0012 kiosk-keys-in-store', () => {
  it('gives the identity columns for its private keys, empty until the key file is imported, keeping the identity', () => {
    const db = databaseAtVersion(11);
    db.prepare(`INSERT INTO kiosk_identity (singleton, kiosk_id, code, name, authority_url, signing_public_key, sealing_public_key,
      authority_signing_key_id, authority_signing_public_key, authority_sealing_key_id, authority_sealing_public_key, registered_at)
      VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...IDENTITY);
    expect(migrateTo(db, 12)).toEqual({ from: 11, to: 12 });
    expect(columnsOf(db, 'kiosk_identity')).toMatchObject({
      signing_private_key: { type: 'TEXT', notnull: 0 }, sealing_private_key: { type: 'TEXT', notnull: 0 },
    });
    expect(db.prepare('SELECT kiosk_id, signing_private_key, sealing_private_key FROM kiosk_identity').get())
      .toEqual({ kiosk_id: 'k-1', signing_private_key: null, sealing_private_key: null });
  });

  it('adds a strict one-row provisioning lease and a strict table of retired identities', () => {
    const db = databaseAtVersion(12);
    expect(isStrict(db, 'provisioning_lease')).toBe(true);
    expect(isStrict(db, 'retired_kiosk_identities')).toBe(true);
    const lease = db.prepare('INSERT INTO provisioning_lease VALUES (?, ?, ?, ?, ?)');
    lease.run(1, 'host:1:a', 'register', '2026-03-01T09:00:00.000Z', '2026-03-01T09:02:00.000Z');
    expect(() => lease.run(2, 'host:2:b', 'register', 'x', 'y')).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE provisioning_lease SET purpose = 'other'").run()).toThrow(/CHECK/);
    expect(columnsOf(db, 'retired_kiosk_identities')).toMatchObject({ kiosk_id: { pk: 1 }, replaced_by: { type: 'TEXT', notnull: 1 } });
  });
});
