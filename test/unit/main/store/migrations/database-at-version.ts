// Shared set-up for the migration tests: an in-memory store stopped at a given schema
// version, and a way to read back what a table looks like.
import Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../../../../../main/store/database.js';
import { migrate } from '../../../../../main/store/migrate.js';
import { allMigrations } from '../../../../../main/store/migrations/index.js';

export function databaseAtVersion(version: number): Db {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, allMigrations.slice(0, version));
  return db;
}

export function migrateTo(db: Db, version: number): { from: number; to: number } {
  return migrate(db, allMigrations.slice(0, version));
}

export function columnsOf(db: Db, table: string): Record<string, { type: string; notnull: number; pk: number }> {
  const rows = db.pragma(`table_info(${table})`) as { name: string; type: string; notnull: number; pk: number }[];
  return Object.fromEntries(rows.map(({ name, type, notnull, pk }) => [name, { type, notnull, pk }]));
}

export function isStrict(db: Db, table: string): boolean {
  const row = db.prepare('SELECT strict FROM pragma_table_list WHERE name = ?').get(table) as { strict: number };
  return row.strict === 1;
}
