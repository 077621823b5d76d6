import { describe, expect, it } from 'vitest';
import { readIdentity } from '../../../../../main/provisioning/kiosk-credentials.js';
import { readUpdateChannelState, writeUpdateChannelState } from '../../../../../main/updates/update-channel-state.js';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const KEY = 'A'.repeat(43);

describe('migration 0015 update-key', () => {
  it('keeps an identity provisioned before it, with no update key pinned', () => {
    const db = databaseAtVersion(14);
    db.prepare(`INSERT INTO kiosk_identity (singleton, kiosk_id, name, authority_url, signing_public_key, sealing_public_key,
        authority_signing_key_id, authority_signing_public_key, authority_sealing_key_id, authority_sealing_public_key, registered_at)
      VALUES (1, 'k-1', 'Hall A', 'https://authority.example', ?, ?, ?, ?, ?, ?, '2026-01-01T08:00:00.000Z')`)
      .run(KEY, KEY, 'a'.repeat(32), KEY, 'b'.repeat(32), KEY);
    expect(migrateTo(db, 15)).toEqual({ from: 14, to: 15 });

    expect(columnsOf(db, 'kiosk_identity')).toMatchObject({
      authority_update_key_id: { type: 'TEXT', notnull: 0 }, authority_update_public_key: { type: 'TEXT', notnull: 0 },
    });
    const identity = readIdentity(db)!;
    expect(identity.kioskId).toBe('k-1');
    expect(identity.authority.updateKeyId).toBeUndefined();
    expect(identity.authority.updatePublicKey).toBeUndefined();
  });

  it('keeps the update channel to one row with a known state', () => {
    const db = databaseAtVersion(15);
    expect(isStrict(db, 'update_channel')).toBe(true);
    expect(readUpdateChannelState(db)).toMatchObject({ state: 'idle', lastCheckedAt: null, updatedAt: null });
    const at = new Date('2026-12-06T10:00:00.000Z');
    writeUpdateChannelState(db, { state: 'refused', version: '1.2.0', reason: { code: 'UPDATE_EXPIRED', message: 'expired' } }, at);
    writeUpdateChannelState(db, { lastCheckedAt: at.toISOString() }, at);
    expect(readUpdateChannelState(db)).toEqual({
      state: 'refused', lastCheckedAt: at.toISOString(), version: '1.2.0', sha256: null, manifest: null,
      reason: { code: 'UPDATE_EXPIRED', message: 'expired' }, updatedAt: at.toISOString(),
    });
    expect(() => db.prepare("UPDATE update_channel SET state = 'installed'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO update_channel (singleton, state, updated_at) VALUES (2, 'idle', 'now')").run()).toThrow(/CHECK/);
  });
});
