// Encryption of the kiosk store with SQLite3 Multiple Ciphers: the cipher and the raw key applied
// to every connection, a wrong key told apart from a damaged file, and the one-time, crash-safe
// encryption of a store written by a build that did not encrypt (the plain "SQLite format 3" header).
//
// Cipher: ChaCha20-Poly1305 (sqleet), the library's default, named explicitly so a change of the
// default can never make a store unreadable. Every page is authenticated (Poly1305), so a page
// changed on disk is refused rather than read; it is fast without AES instructions (kiosk CPUs
// vary) and has no padding or mode to get wrong. SQLCipher's AES-256-CBC + HMAC would buy only
// compatibility with the sqlcipher shell, which no tool here needs. The key is 32 random bytes,
// passed raw (x'…'), so no password-stretching KDF runs on every open.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { GatehouseError } from '../errors.js';
import { isPlainSqliteFile } from './database-key.js';
import { assertNotFromNewerBuild } from './migrate.js';
import { nodeDurableFs, type DurableFs } from './private-file.js';

export const DATABASE_CIPHER = 'chacha20';

type Connection = Database.Database;

/**
 * Sets cipher and key on a fresh connection and proves them by reading the schema: DATABASE_KEY_WRONG
 * if they do not open `file` (SQLite says only "file is not a database"), DATABASE_DAMAGED if a page fails its check.
 */
export function applyDatabaseKey(db: Connection, key: Buffer, file: string, keyWhere: string): void {
  db.pragma(`cipher = '${DATABASE_CIPHER}'`);
  db.pragma(`key = "x'${key.toString('hex')}'"`);
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CORRUPT') {
      throw new GatehouseError('DATABASE_DAMAGED',
        `The store ${file} opens with its key, but its schema fails the page check: it was damaged or changed outside Gatehouse. ` +
          'Restore it from the kiosk\'s backup; do not delete it.', { file });
    }
    if (code !== 'SQLITE_NOTADB') throw error;
    throw new GatehouseError('DATABASE_KEY_WRONG',
      `The store ${file} does not open with the key from ${keyWhere}: that is not the key it was encrypted with, or the file is damaged. ` +
        'Restore the key this kiosk was using (or the store from its backup); do not delete the file.',
      { file, key: keyWhere });
  }
}

export interface EncryptionOutcome {
  /** What the store held, table by table, before and (checked to be equal) after. */
  rows: Record<string, number>;
  ms: number;
}

/**
 * Encrypts the plain store `file` in place without losing a row, crash-safely: with the store
 * locked against every other connection, its bytes are copied to `FILE.encrypting`, the copy is
 * rekeyed (in rollback-journal mode: rekey refuses WAL), synced, checked row for row against the
 * original, renamed over it and the folder synced. A crash before the rename leaves the plain
 * store and a partial copy that the next attempt removes; after it, the encrypted store.
 * Returns null when another process encrypted it first.
 */
export function encryptPlainDatabase(file: string, key: Buffer, durable: DurableFs = nodeDurableFs): EncryptionOutcome | null {
  const started = performance.now();
  const copy = `${file}.encrypting`;
  const plain = new Database(file);
  try {
    plain.pragma('busy_timeout = 5000');
    // Leaving WAL checkpoints every committed page into the file and needs every other
    // connection gone; the exclusive lock then keeps them out until the encrypted file is in place.
    plain.pragma('journal_mode = DELETE');
    plain.pragma('locking_mode = EXCLUSIVE');
    plain.exec('BEGIN EXCLUSIVE; COMMIT');
    // Whoever held the lock before us may have put an encrypted store in place meanwhile.
    if (!isPlainSqliteFile(file)) return null;
    // A store from a newer build is refused as it is, not encrypted first.
    assertNotFromNewerBuild(plain);
    const rows = rowCounts(plain);
    fs.rmSync(copy, { force: true });
    fs.copyFileSync(file, copy, fs.constants.COPYFILE_EXCL);
    fs.chmodSync(copy, 0o600);
    const encrypted = new Database(copy);
    try {
      encrypted.pragma('journal_mode = DELETE');
      encrypted.pragma(`cipher = '${DATABASE_CIPHER}'`);
      encrypted.pragma(`rekey = "x'${key.toString('hex')}'"`);
    } finally {
      encrypted.close();
    }
    syncFile(copy, durable);
    verifyCopy(copy, key, rows);
    for (const leftover of [`${file}-wal`, `${file}-shm`]) fs.rmSync(leftover, { force: true });
    fs.renameSync(copy, file);
    durable.fsyncFolder(path.dirname(file));
    return { rows, ms: performance.now() - started };
  } finally {
    plain.close();
    fs.rmSync(copy, { force: true });
  }
}

function rowCounts(db: Connection): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`).pluck().get() as number]));
}

function verifyCopy(copy: string, key: Buffer, expected: Record<string, number>): void {
  const check = new Database(copy, { readonly: true });
  try {
    applyDatabaseKey(check, key, copy, 'the key just made');
    const integrity = check.pragma('integrity_check', { simple: true });
    const found = rowCounts(check);
    if (integrity !== 'ok' || JSON.stringify(found) !== JSON.stringify(expected)) {
      throw new GatehouseError('DATABASE_ENCRYPTION_FAILED',
        `The encrypted copy of ${copy} does not hold what the store holds (${String(integrity)}); the plain store was left as it was.`,
        { file: copy, expected, found });
    }
  } finally {
    check.close();
  }
}

function syncFile(file: string, durable: DurableFs): void {
  const fd = fs.openSync(file, 'r+');
  try {
    durable.fsync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
