// Opens the kiosk's SQLite store with the durability settings every connection needs
// (WAL, synchronous FULL, foreign keys, deleted content overwritten) and brings its schema
// up to date.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';

export type Db = Database.Database;

/** Opens (creating if needed, with its parent directory) and migrates the store at `file`. */
export function openDatabase(file: string): Db {
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // What is deleted (a rejected held enrollment, a purged envelope) is overwritten, not left in free pages.
    db.pragma('secure_delete = ON');
    migrate(db);
    // After migrate, which refuses a store from a newer build before anything is written to it.
    db.pragma('journal_mode = WAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
