import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { applyDatabaseKey } from '../../../../main/store/database-encryption.js';
import { TEST_DATABASE_KEY } from '../../../fixtures/store-key.js';
import { openDatabase } from '../../../../main/store/database.js';
import { allMigrations } from '../../../../main/store/migrations/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase on a real file', () => {
  it('creates missing parent directories and uses WAL, synchronous FULL, foreign keys and a busy timeout', () => {
    const file = path.join(tempDir(), 'var', 'lib', 'gatehouse', 'store.db');
    const db = openDatabase(file, TEST_DATABASE_KEY);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('user_version', { simple: true })).toBe(allMigrations.length);
    } finally {
      db.close();
    }
    expect(fs.existsSync(file)).toBe(true);
  });

  it('re-opens an up-to-date store without changing it', () => {
    const file = path.join(tempDir(), 'store.db');
    const first = openDatabase(file, TEST_DATABASE_KEY);
    first.prepare('INSERT INTO operators (name, role, pin_hash, created_at) VALUES (?, ?, ?, ?)').run('Anna', 'technician', 'h', '2026-03-01T09:00:00.000Z');
    const schema = first.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all();
    first.close();

    const second = openDatabase(file, TEST_DATABASE_KEY);
    try {
      expect(second.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all()).toEqual(schema);
      expect(second.prepare('SELECT name FROM operators').all()).toEqual([{ name: 'Anna' }]);
      expect(second.pragma('user_version', { simple: true })).toBe(allMigrations.length);
    } finally {
      second.close();
    }
  });

  it.each([['encrypted', true], ['plain', false]])('refuses a store from a newer build (%s), names the file, and leaves it untouched', (_kind, encrypted) => {
    const file = path.join(tempDir(), 'store.db');
    const future = new Database(file);
    if (encrypted) applyDatabaseKey(future, TEST_DATABASE_KEY.key, file, TEST_DATABASE_KEY.where);
    future.exec('CREATE TABLE from_the_future (id INTEGER PRIMARY KEY)');
    future.pragma('user_version = 999');
    future.close();
    const before = fs.readFileSync(file);

    expect(() => openDatabase(file, TEST_DATABASE_KEY)).toThrow(
      expect.objectContaining({
        code: 'STORE_FROM_NEWER_VERSION',
        message: `The store ${file} was written by a newer Gatehouse (schema 999); this build supports up to ${allMigrations.length}. Update Gatehouse; do not delete the file.`,
      }),
    );
    const reopened = new Database(file, { readonly: true });
    if (encrypted) applyDatabaseKey(reopened, TEST_DATABASE_KEY.key, file, TEST_DATABASE_KEY.where);
    expect(reopened.pragma('user_version', { simple: true })).toBe(999);
    expect(reopened.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all()).toEqual([{ name: 'from_the_future' }]);
    reopened.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});
