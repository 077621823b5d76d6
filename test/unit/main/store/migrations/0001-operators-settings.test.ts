import { describe, it, expect } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const NOW = '2026-03-01T09:00:00.000Z';

describe('migration 0001 operators-settings', () => {
  function migrated() {
    const db = databaseAtVersion(0);
    expect(migrateTo(db, 1)).toEqual({ from: 0, to: 1 });
    return db;
  }
  const insertOperator = 'INSERT INTO operators (name, role, pin_hash, created_at) VALUES (?, ?, ?, ?)';

  it('creates strict operators and settings tables', () => {
    const db = migrated();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(isStrict(db, 'operators')).toBe(true);
    expect(isStrict(db, 'settings')).toBe(true);
    expect(Object.keys(columnsOf(db, 'operators'))).toEqual([
      'id', 'name', 'role', 'pin_hash', 'failed_attempts', 'locked_until', 'created_at', 'disabled_at',
    ]);
    expect(columnsOf(db, 'settings')).toEqual({
      key: { type: 'TEXT', notnull: 1, pk: 1 }, // STRICT tables make a TEXT primary key NOT NULL
      value: { type: 'TEXT', notnull: 1, pk: 0 },
      updated_at: { type: 'TEXT', notnull: 1, pk: 0 },
    });
  });

  it('stores an operator with defaults', () => {
    const db = migrated();
    const { lastInsertRowid } = db.prepare(insertOperator).run('Anna Berg', 'officer', 'scrypt$x', NOW);
    expect(db.prepare('SELECT * FROM operators WHERE id = ?').get(lastInsertRowid)).toEqual({
      id: 1, name: 'Anna Berg', role: 'officer', pin_hash: 'scrypt$x', failed_attempts: 0,
      locked_until: null, created_at: NOW, disabled_at: null,
    });
  });

  it('refuses unknown roles, case-insensitive duplicate names and wrongly typed values', () => {
    const db = migrated();
    db.prepare(insertOperator).run('Anna Berg', 'officer', 'h', NOW);
    expect(() => db.prepare(insertOperator).run('Bo', 'admin', 'h', NOW)).toThrow(/CHECK constraint/);
    expect(() => db.prepare(insertOperator).run('ANNA BERG', 'supervisor', 'h', NOW)).toThrow(/UNIQUE constraint/);
    expect(() => db.prepare(insertOperator).run('Cleo', 'technician', null, NOW)).toThrow(/NOT NULL/);
    expect(() => db.prepare('INSERT INTO operators (name, role, pin_hash, created_at, failed_attempts) VALUES (?, ?, ?, ?, ?)').run('Dan', 'officer', 'h', NOW, 'three'))
      .toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('keeps one settings row per key', () => {
    const db = migrated();
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('idleTimeoutSeconds', '120', NOW);
    expect(() => db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('idleTimeoutSeconds', '60', NOW))
      .toThrow(/UNIQUE constraint/);
  });
});
