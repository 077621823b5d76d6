// Issue 12, finding 4: the kiosk store is encrypted (SQLite3 Multiple Ciphers, ChaCha20-Poly1305)
// with a key its vault holds, readable by its owner only. A plain store left by an older build is
// encrypted in place without losing a row, crash-safely; a wrong or missing key is a typed error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../../../../main/audit/audit-log.js';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import { FileKeyVault } from '../../../../main/provisioning/key-vault.js';
import { databaseKeyPath, DATABASE_KEY_CREDENTIAL, isPlainSqliteFile } from '../../../../main/store/database-key.js';
import { encryptPlainDatabase } from '../../../../main/store/database-encryption.js';
import { databasePath, openKioskDatabase, type Db } from '../../../../main/store/database.js';
import { migrate } from '../../../../main/store/migrate.js';
import { allMigrations } from '../../../../main/store/migrations/index.js';
import { nodeDurableFs } from '../../../../main/store/private-file.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-crypt-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
const PIN_HASH = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0$PINHASH-THAT-MUST-NOT-SHOW';
const AUDIT_ENTRIES = 2_000;

/**
 * What an older build left: a plain store at schema 11 in a 0755 folder, 0644 files, an operator
 * with a PIN hash and a long audit log, its last entries still in the WAL (copied while open).
 */
function plainStoreOfAnOlderBuild(): { dataDir: string; rows: Record<string, number> } {
  const source = tempDir();
  const db = new Database(path.join(source, 'gatehouse.sqlite'));
  db.pragma('journal_mode = WAL');
  migrate(db, allMigrations.slice(0, 11));
  db.prepare('INSERT INTO operators (name, role, pin_hash, created_at) VALUES (?, ?, ?, ?)').run('Anna', 'technician', PIN_HASH, '2026-03-01T09:00:00.000Z');
  const at = new Date('2026-03-01T09:00:00.000Z');
  db.transaction(() => {
    for (let i = 0; i < AUDIT_ENTRIES - 10; i += 1) appendAudit(db, { actor: 'anna', action: 'operator.update', details: { n: i }, at });
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  for (let i = AUDIT_ENTRIES - 10; i < AUDIT_ENTRIES; i += 1) appendAudit(db, { actor: 'anna', action: 'operator.update', details: { n: i }, at });
  const dataDir = path.join(tempDir(), 'data');
  fs.mkdirSync(dataDir, { mode: 0o755 });
  fs.chmodSync(dataDir, 0o755);
  for (const suffix of ['', '-wal']) {
    fs.copyFileSync(path.join(source, `gatehouse.sqlite${suffix}`), path.join(dataDir, `gatehouse.sqlite${suffix}`));
    fs.chmodSync(path.join(dataDir, `gatehouse.sqlite${suffix}`), 0o644);
  }
  db.close();
  expect(fs.statSync(path.join(dataDir, 'gatehouse.sqlite-wal')).size).toBeGreaterThan(0);
  return { dataDir, rows: { audit: AUDIT_ENTRIES, operators: 1 } };
}

function countOf(db: Db, table: string): number {
  return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

describe('the kiosk store on disk', () => {
  it('is made encrypted, 0600 in a 0700 folder, with a new 32-byte key in a 0600 file', () => {
    const dataDir = path.join(tempDir(), 'data');
    const db = openKioskDatabase(dataDir);
    db.prepare('INSERT INTO operators (name, role, pin_hash, created_at) VALUES (?, ?, ?, ?)').run('Anna', 'technician', PIN_HASH, '2026-03-01T09:00:00.000Z');
    const file = databasePath(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    for (const part of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(part)).toBe(0o600);
    expect(modeOf(databaseKeyPath(dataDir))).toBe(0o600);
    expect(fs.readFileSync(databaseKeyPath(dataDir))).toHaveLength(32);
    db.close();
    expect(isPlainSqliteFile(file)).toBe(false);
    expect(fs.readFileSync(file).includes('PINHASH-THAT-MUST-NOT-SHOW')).toBe(false);
    const reopened = openKioskDatabase(dataDir);
    expect(reopened.prepare('SELECT pin_hash FROM operators').pluck().get()).toBe(PIN_HASH);
    reopened.close();
  });

  it('encrypts the plain store of an older build in place, every row kept, and tightens its folder and files', () => {
    const { dataDir, rows } = plainStoreOfAnOlderBuild();
    const file = databasePath(dataDir);
    expect(isPlainSqliteFile(file)).toBe(true);
    const started = performance.now();
    const db = openKioskDatabase(dataDir);
    const ms = performance.now() - started;
    try {
      expect(countOf(db, 'audit')).toBe(rows.audit);
      expect(countOf(db, 'operators')).toBe(rows.operators);
      expect(verifyAudit(db)).toMatchObject({ ok: true, entries: rows.audit });
      expect(db.pragma('user_version', { simple: true })).toBe(allMigrations.length);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    expect(isPlainSqliteFile(file)).toBe(false);
    expect(fs.readFileSync(file).includes('PINHASH-THAT-MUST-NOT-SHOW')).toBe(false);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(file)).toBe(0o600);
    expect(fs.readdirSync(dataDir).filter((name) => name.includes('encrypting'))).toEqual([]);
    console.info(`encrypting a plain store of ${fs.statSync(file).size} bytes (${rows.audit} audit entries) and migrating it took ${ms.toFixed(0)} ms`);
  });

  it('leaves the plain store whole when encryption fails half-way, and finishes on the next open', () => {
    const { dataDir, rows } = plainStoreOfAnOlderBuild();
    const file = databasePath(dataDir);
    const key = Buffer.alloc(32, 9);
    const powerCut = { ...nodeDurableFs, fsync: () => { throw Object.assign(new Error('EIO: power cut'), { code: 'EIO' }); } };
    expect(() => encryptPlainDatabase(file, key, powerCut)).toThrow('power cut');
    expect(isPlainSqliteFile(file)).toBe(true);
    expect(fs.readdirSync(dataDir).filter((name) => name.includes('encrypting'))).toEqual([]);
    const plain = new Database(file, { readonly: true });
    expect(countOf(plain, 'audit')).toBe(rows.audit);
    plain.close();

    fs.writeFileSync(`${file}.encrypting`, 'a copy a crash left behind');
    const db = openKioskDatabase(dataDir);
    expect(countOf(db, 'audit')).toBe(rows.audit);
    db.close();
  });

  it('refuses a wrong key with DATABASE_KEY_WRONG and a lost one with DATABASE_KEY_MISSING, leaving the store as it was', () => {
    const dataDir = tempDir();
    openKioskDatabase(dataDir).close();
    const file = databasePath(dataDir);
    const before = fs.readFileSync(file);
    fs.writeFileSync(databaseKeyPath(dataDir), Buffer.alloc(32, 1));
    expect(() => openKioskDatabase(dataDir)).toThrow(expect.objectContaining({
      code: 'DATABASE_KEY_WRONG', details: { file, key: databaseKeyPath(dataDir) },
    }));
    fs.rmSync(databaseKeyPath(dataDir));
    expect(() => openKioskDatabase(dataDir)).toThrow(expect.objectContaining({ code: 'DATABASE_KEY_MISSING' }));
    expect(fs.existsSync(databaseKeyPath(dataDir))).toBe(false); // no new key made for a store that has one
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('takes the key from a systemd credential when the service manager passes one, and writes no key file', () => {
    const dataDir = tempDir();
    const credentials = tempDir();
    fs.writeFileSync(path.join(credentials, DATABASE_KEY_CREDENTIAL), `${'ab'.repeat(32)}\n`, { mode: 0o400 });
    const vault = new FileKeyVault(dataDir, { CREDENTIALS_DIRECTORY: credentials });
    expect(vault.description).toContain(DATABASE_KEY_CREDENTIAL);
    openKioskDatabase(dataDir, vault).close();
    expect(fs.existsSync(databaseKeyPath(dataDir))).toBe(false);
    const raw = new Database(databasePath(dataDir));
    raw.pragma(`key = "x'${'ab'.repeat(32)}'"`);
    expect(raw.pragma('user_version', { simple: true })).toBe(allMigrations.length);
    raw.close();
  });
});
