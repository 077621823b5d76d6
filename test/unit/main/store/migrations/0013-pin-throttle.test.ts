import { describe, expect, it } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

describe('migration 0013 pin-throttle', () => {
  it('ends the old 15-minute lockouts keeping their five wrong PINs, adds the station\'s count, keeps the rest', () => {
    const db = databaseAtVersion(12);
    const insert = db.prepare('INSERT INTO operators (name, role, pin_hash, failed_attempts, locked_until, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('Locked Lena', 'officer', 'scrypt$h', 0, '2026-03-02T10:15:04.000Z', '2026-01-01T08:00:00.000Z');
    insert.run('Typo Tom', 'officer', 'scrypt$h', 2, null, '2026-01-01T08:00:00.000Z');
    expect(migrateTo(db, 13)).toEqual({ from: 12, to: 13 });

    expect(columnsOf(db, 'operators')).toMatchObject({ last_failed_at: { type: 'TEXT', notnull: 0 } });
    expect(db.prepare('SELECT name, failed_attempts, locked_until, last_failed_at FROM operators ORDER BY id').all()).toEqual([
      { name: 'Locked Lena', failed_attempts: 5, locked_until: null, last_failed_at: '2026-03-02T10:00:04.000Z' },
      { name: 'Typo Tom', failed_attempts: 2, locked_until: null, last_failed_at: null },
    ]);
    expect(isStrict(db, 'station_pin_throttle')).toBe(true);
    expect(db.prepare('SELECT * FROM station_pin_throttle').all()).toEqual([
      { id: 1, failures: 0, last_failed_at: null, wait_until: null },
    ]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit'").all()).toContainEqual({ name: 'audit_at' });
  });

  it('keeps the station\'s count to one row that never goes below zero', () => {
    const db = databaseAtVersion(13);
    expect(() => db.prepare('INSERT INTO station_pin_throttle (id, failures) VALUES (2, 0)').run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE station_pin_throttle SET failures = -1').run()).toThrow(/CHECK/);
  });
});
