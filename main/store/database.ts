// Opens the kiosk's SQLite store with the durability settings every connection needs
// (WAL, synchronous FULL, foreign keys, deleted content overwritten), encrypted with the key
// its vault holds, readable by its owner only, and brings its schema up to date.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { GatehouseError } from '../errors.js';
import { databaseKeyVaultFor, isPlainSqliteFile, SAFE_STORAGE_DATABASE_KEY_FILE, type DatabaseKeyVault } from './database-key.js';
import { applyDatabaseKey, encryptPlainDatabase } from './database-encryption.js';
import { migrate } from './migrate.js';
import { ensurePrivateFolder, tightenToOwner } from './private-file.js';

export type Db = Database.Database;

/** The store's key and where it came from (for messages). */
export interface DatabaseKey {
  key: Buffer;
  where: string;
}

/** The kiosk's store file in its data directory. */
export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'gatehouse.sqlite');
}

/**
 * Opens (creating if needed, with its parent directory) and migrates the store at `file`. A file
 * store needs its key; only an in-memory store (tests) has none. A plain store is encrypted first.
 */
export function openDatabase(file: string, key?: DatabaseKey): Db {
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory) {
    if (key === undefined) throw new GatehouseError('DATABASE_KEY_MISSING', `The store ${file} cannot be opened without its key.`, { file });
    prepareStoreFile(file, key.key);
  }
  const db = new Database(file);
  try {
    if (!inMemory) applyDatabaseKey(db, key!.key, file, key!.where);
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

/**
 * Opens the kiosk store in `dataDir` (made 0700) with the key `vault` holds. A new store gets a
 * new key; an existing store whose key is missing is refused (DATABASE_KEY_MISSING), never
 * replaced. The default vault is the systemd credential or DATA/keys/database.key.
 */
export function openKioskDatabase(dataDir: string, vault: DatabaseKeyVault = databaseKeyVaultFor(dataDir)): Db {
  ensurePrivateFolder(dataDir);
  const file = databasePath(dataDir);
  return openDatabase(file, { key: databaseKeyOf(file, vault), where: vault.description });
}

/** The key for the store `file`: the vault's, or a new one while the store holds nothing encrypted yet. */
function databaseKeyOf(file: string, vault: DatabaseKeyVault): Buffer {
  const key = vault.loadDatabaseKey();
  if (key !== null) return key;
  if (hasContent(file) && !isPlainSqliteFile(file)) {
    const electron = fs.existsSync(path.join(path.dirname(file), 'keys', SAFE_STORAGE_DATABASE_KEY_FILE));
    throw new GatehouseError('DATABASE_KEY_MISSING',
      electron
        ? `The store ${file} is encrypted with a key the Electron host keeps in the OS keyring, which only it can read; ` +
          'use the kiosk\'s own screens, or give both the same systemd credential (README, "Database key").'
        : `The store ${file} is encrypted, but its key is missing from ${vault.description}. Restore the key file (or the systemd ` +
          'credential) from the kiosk\'s backup; without it the store cannot be read. Do not delete the store.',
      { file, key: vault.description });
  }
  return vault.createDatabaseKey();
}

function hasContent(file: string): boolean {
  try {
    return fs.statSync(file).size > 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The store file and its -wal/-shm owner-only (SQLite gives those the store's mode), a plain store encrypted. */
function prepareStoreFile(file: string, key: Buffer): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const part of [file, `${file}-wal`, `${file}-shm`]) tightenToOwner(part, 0o600);
  if (isPlainSqliteFile(file)) encryptPlainDatabase(file, key);
}
