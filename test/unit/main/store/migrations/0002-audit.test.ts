import { describe, it, expect } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const NOW = '2026-03-01T09:00:00.000Z';
const HASH = 'a'.repeat(64);

describe('migration 0002 audit', () => {
  function migratedWithOperator() {
    const db = databaseAtVersion(1);
    db.prepare('INSERT INTO operators (name, role, pin_hash, created_at) VALUES (?, ?, ?, ?)').run('Anna', 'technician', 'h', NOW);
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('defaultLanguage', '"de"', NOW);
    expect(migrateTo(db, 2)).toEqual({ from: 1, to: 2 });
    return db;
  }
  const insertAudit = 'INSERT INTO audit (seq, at, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)';

  it('keeps operators and settings and adds a strict audit table', () => {
    const db = migratedWithOperator();
    expect(db.prepare('SELECT name, role FROM operators').all()).toEqual([{ name: 'Anna', role: 'technician' }]);
    expect(db.prepare('SELECT value FROM settings WHERE key = ?').get('defaultLanguage')).toEqual({ value: '"de"' });
    expect(isStrict(db, 'audit')).toBe(true);
    expect(columnsOf(db, 'audit')).toEqual({
      seq: { type: 'INTEGER', notnull: 0, pk: 1 },
      at: { type: 'TEXT', notnull: 1, pk: 0 },
      actor: { type: 'TEXT', notnull: 0, pk: 0 },
      action: { type: 'TEXT', notnull: 1, pk: 0 },
      details: { type: 'TEXT', notnull: 1, pk: 0 },
      prev_hash: { type: 'TEXT', notnull: 1, pk: 0 },
      hash: { type: 'TEXT', notnull: 1, pk: 0 },
    });
  });

  it('accepts appends and refuses UPDATE and DELETE', () => {
    const db = migratedWithOperator();
    db.prepare(insertAudit).run(1, NOW, 'Anna', 'operator.create', '{}', '0'.repeat(64), HASH);
    expect(() => db.prepare('UPDATE audit SET action = ? WHERE seq = 1').run('x')).toThrow('audit log is append-only');
    expect(() => db.prepare('DELETE FROM audit WHERE seq = 1').run()).toThrow('audit log is append-only');
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow('audit log is append-only');
    expect(db.prepare('SELECT action FROM audit').all()).toEqual([{ action: 'operator.create' }]);
  });

  it('refuses a duplicate sequence number', () => {
    const db = migratedWithOperator();
    db.prepare(insertAudit).run(1, NOW, null, 'kiosk.start', '{}', '0'.repeat(64), HASH);
    expect(() => db.prepare(insertAudit).run(1, NOW, null, 'kiosk.start', '{}', HASH, HASH)).toThrow(/UNIQUE|PRIMARY KEY/);
  });
});
