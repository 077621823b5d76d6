// The key the kiosk database is encrypted with (32 random bytes) and where it is kept. The
// database holds the operators' PIN hashes and, since schema 12, the kiosk's private keys, so
// its key must not lie beside it for any local user: it is a 0600 file under DATA/keys/ (browser
// host, CLI), a systemd credential when the service manager provides one ($CREDENTIALS_DIRECTORY,
// TPM-sealed by systemd-creds where available), or wrapped by the OS keyring under Electron
// (main/app/safe-storage-key-vault.ts).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GatehouseError } from '../errors.js';
import { createPrivateFile, readPrivateFile } from './private-file.js';

export const DATABASE_KEY_BYTES = 32;
/** The name of the systemd credential (LoadCredential=/LoadCredentialEncrypted=) holding the key. */
export const DATABASE_KEY_CREDENTIAL = 'gatehouse-database-key';

/** Something that keeps the database key: it gives back the key it holds and makes one for a new store. */
export interface DatabaseKeyVault {
  /** Where the key is kept, for messages to a technician. */
  readonly description: string;
  /** The key, or null when none was made yet. */
  loadDatabaseKey(): Buffer | null;
  /** Makes, stores and returns a new key; only for a store that has no key yet. */
  createDatabaseKey(): Buffer;
}

/** The Electron host's database key under DATA/keys/, wrapped by the OS keyring (main/app/safe-storage-key-vault.ts). */
export const SAFE_STORAGE_DATABASE_KEY_FILE = 'database-key.safe';

/** The file that holds the database key for the browser host and the CLI. */
export function databaseKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'database.key');
}

/** True when `file` starts with SQLite's plain header, i.e. it is a database nobody encrypted. */
export function isPlainSqliteFile(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const header = Buffer.alloc(16);
    return fs.readSync(fd, header, 0, 16, 0) === 16 && header.equals(PLAIN_HEADER);
  } finally {
    fs.closeSync(fd);
  }
}

const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** A database key as stored: 32 raw bytes, or their 64 hex digits (what `systemd-creds` users tend to write). */
export function parseDatabaseKey(bytes: Buffer, where: string): Buffer {
  if (bytes.length === DATABASE_KEY_BYTES) return Buffer.from(bytes);
  const text = bytes.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  throw new GatehouseError('DATABASE_KEY_UNREADABLE',
    `${where} does not hold a database key (32 bytes, or 64 hex digits); restore the key this kiosk's database was encrypted with.`, { where });
}

export function newDatabaseKey(): Buffer {
  return randomBytes(DATABASE_KEY_BYTES);
}

/** The key as a 0600 file under DATA/keys/. */
export class FileDatabaseKey implements DatabaseKeyVault {
  constructor(readonly file: string) {}

  get description(): string {
    return this.file;
  }

  loadDatabaseKey(): Buffer | null {
    const bytes = readPrivateFile(this.file);
    return bytes === null ? null : parseDatabaseKey(bytes, this.file);
  }

  createDatabaseKey(): Buffer {
    const key = newDatabaseKey();
    // Never replaces a key: another process that made one first wins, and its key is the store's.
    if (createPrivateFile(this.file, key)) return key;
    return this.loadDatabaseKey()!;
  }
}

/**
 * The key as a systemd credential: systemd decrypts it (with the TPM where it was sealed to one)
 * into a private, read-only $CREDENTIALS_DIRECTORY for the service alone. It is made once by a
 * technician (docs: README, "Database key"), never by the kiosk.
 */
export class SystemdCredentialDatabaseKey implements DatabaseKeyVault {
  readonly file: string;

  constructor(credentialsDirectory: string) {
    this.file = path.join(credentialsDirectory, DATABASE_KEY_CREDENTIAL);
  }

  get description(): string {
    return `the systemd credential ${DATABASE_KEY_CREDENTIAL} (${this.file})`;
  }

  loadDatabaseKey(): Buffer | null {
    return parseDatabaseKey(fs.readFileSync(this.file), this.description);
  }

  createDatabaseKey(): Buffer {
    throw new GatehouseError('DATABASE_KEY_MISSING', `${this.description} is empty; it cannot be written from here.`, { where: this.file });
  }
}

/** The systemd credential when the service manager passed one, else the key file under `dataDir`. */
export function databaseKeyVaultFor(dataDir: string, env: NodeJS.ProcessEnv = process.env): DatabaseKeyVault {
  const credentials = env.CREDENTIALS_DIRECTORY;
  if (credentials && fs.existsSync(path.join(credentials, DATABASE_KEY_CREDENTIAL))) return new SystemdCredentialDatabaseKey(credentials);
  return new FileDatabaseKey(databaseKeyPath(dataDir));
}
