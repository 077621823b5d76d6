import { describe, it, expect } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const NOW = '2026-03-01T09:00:00.000Z';
const KEY = 'A'.repeat(43);

describe('migration 0005 kiosk-identity', () => {
  function migrated() {
    const db = databaseAtVersion(4);
    db.prepare('INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(3, 'Tara', 'technician', 'h', NOW);
    db.prepare('INSERT INTO operator_fingers (operator_id, page, position, enrolled_at) VALUES (?, ?, ?, ?)').run(3, 0, 2, NOW);
    expect(migrateTo(db, 5)).toEqual({ from: 4, to: 5 });
    return db;
  }
  const insert = `INSERT INTO kiosk_identity (singleton, kiosk_id, name, authority_url, signing_public_key, sealing_public_key,
      authority_signing_key_id, authority_signing_public_key, authority_sealing_key_id, authority_sealing_public_key, registered_at)
    VALUES (?, ?, 'Hall A', 'https://authority.example', ?, ?, ?, ?, ?, ?, ?)`;
  const row = (singleton: unknown, kioskId = 'k-1') => [singleton, kioskId, KEY, KEY, 'a'.repeat(32), KEY, 'b'.repeat(32), KEY, NOW];

  it('keeps earlier data and adds a strict table of public keys only', () => {
    const db = migrated();
    expect(db.prepare('SELECT operator_id, page FROM operator_fingers').all()).toEqual([{ operator_id: 3, page: 0 }]);
    expect(isStrict(db, 'kiosk_identity')).toBe(true);
    const columns = Object.keys(columnsOf(db, 'kiosk_identity'));
    expect(columns).toContain('authority_sealing_public_key');
    expect(columns.filter((name) => /private|secret/.test(name))).toEqual([]);
  });

  it('holds exactly one identity', () => {
    const db = migrated();
    db.prepare(insert).run(...row(1));
    expect(() => db.prepare(insert).run(...row(1, 'k-2'))).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => db.prepare(insert).run(...row(2, 'k-2'))).toThrow(/CHECK constraint/);
    expect(db.prepare('SELECT kiosk_id FROM kiosk_identity').all()).toEqual([{ kiosk_id: 'k-1' }]);
  });
});
