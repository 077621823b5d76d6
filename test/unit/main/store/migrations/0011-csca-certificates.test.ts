import { describe, expect, it } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

describe('migration 0011 csca-certificates', () => {
  it('adds an empty, strict table of CSCA certificates keyed by their SHA-256 fingerprint, keeping settings', () => {
    const db = databaseAtVersion(10);
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('idleTimeoutSeconds', '90', '2026-12-01T09:00:00.000Z');
    expect(migrateTo(db, 11)).toEqual({ from: 10, to: 11 });
    expect(isStrict(db, 'csca_certificates')).toBe(true);
    expect(columnsOf(db, 'csca_certificates')).toMatchObject({
      fingerprint: { type: 'TEXT', pk: 1 }, der: { type: 'BLOB', notnull: 1 }, country: { type: 'TEXT', notnull: 1 },
      subject: { type: 'TEXT', notnull: 1 }, not_after: { type: 'TEXT', notnull: 1 }, source: { type: 'TEXT', notnull: 1 },
    });
    expect(db.prepare('SELECT count(*) AS n FROM csca_certificates').get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT value FROM settings WHERE key = 'idleTimeoutSeconds'").get()).toEqual({ value: '90' });
  });

  it('refuses a fingerprint that is not 64 hex characters and a country that is not two letters', () => {
    const db = databaseAtVersion(11);
    const insert = db.prepare('INSERT INTO csca_certificates VALUES (?, ?, ?, ?, ?, ?, ?)');
    expect(() => insert.run('ab', Buffer.from([1]), 'UT', 'CN=x', '2030-01-01', 'f', '2026-01-01')).toThrow(/CHECK/);
    expect(() => insert.run('a'.repeat(64), Buffer.from([1]), 'UTO', 'CN=x', '2030-01-01', 'f', '2026-01-01')).toThrow(/CHECK/);
  });
});
