import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3-multiple-ciphers';
import { GatehouseError } from '../../../../main/errors.js';
import { migrate, type Migration } from '../../../../main/store/migrate.js';
import { allMigrations } from '../../../../main/store/migrations/index.js';

function table(version: number, name: string): Migration {
  return { version, name, up: (db) => db.exec(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY) STRICT`) };
}

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
}

function caught(action: () => unknown): GatehouseError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error('expected a GatehouseError');
}

describe('migrate', () => {
  it('numbers the shipped migrations 1..N', () => {
    expect(allMigrations.map((migration) => migration.version)).toEqual(allMigrations.map((_, index) => index + 1));
  });

  it('applies only the pending migrations and records the version', () => {
    const db = new Database(':memory:');
    expect(migrate(db, [table(1, 'a')])).toEqual({ from: 0, to: 1 });
    expect(migrate(db, [table(1, 'a'), table(2, 'b'), table(3, 'c')])).toEqual({ from: 1, to: 3 });
    expect(migrate(db, [table(1, 'a'), table(2, 'b'), table(3, 'c')])).toEqual({ from: 3, to: 3 });
    expect(tables(db)).toEqual(['a', 'b', 'c']);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
  });

  it('rolls a failing migration back entirely and keeps the earlier ones', () => {
    const db = new Database(':memory:');
    const failing: Migration = {
      version: 2,
      name: 'half-done',
      up: (conn) => {
        conn.exec('CREATE TABLE half (id INTEGER PRIMARY KEY) STRICT');
        conn.exec('CREATE TABLE a (id INTEGER PRIMARY KEY)');
      },
    };
    expect(() => migrate(db, [table(1, 'a'), failing])).toThrow(/table a already exists/);
    expect(tables(db)).toEqual(['a']);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
  });

  it('refuses migrations whose versions are not 1..N in order', () => {
    const db = new Database(':memory:');
    for (const list of [[table(2, 'a')], [table(1, 'a'), table(3, 'c')], [table(2, 'b'), table(1, 'a')]]) {
      expect(caught(() => migrate(db, list)).code).toBe('STORE_MIGRATIONS_INVALID');
    }
    expect(tables(db)).toEqual([]);
  });

  it('refuses a store written by a newer build, naming the file and both versions', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 7');
    const error = caught(() => migrate(db, [table(1, 'a'), table(2, 'b'), table(3, 'c')]));
    expect(error.code).toBe('STORE_FROM_NEWER_VERSION');
    expect(error.message).toBe(
      'The store :memory: was written by a newer Gatehouse (schema 7); this build supports up to 3. Update Gatehouse; do not delete the file.',
    );
    expect(error.details).toEqual({ file: ':memory:', version: 7, supported: 3 });
    expect(tables(db)).toEqual([]);
    expect(db.pragma('user_version', { simple: true })).toBe(7);
  });
});
