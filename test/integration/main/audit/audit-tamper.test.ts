import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openRawStore, TEST_DATABASE_KEY } from '../../../fixtures/store-key.js';
import { appendAudit, auditEntryHash } from '../../../../main/audit/audit-log.js';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

const AT = new Date('2026-03-01T09:00:00.000Z');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A closed store file holding a five-entry audit log; entry i has details {marker: 'MARKER-QX7-i'}. */
function storeWithLog(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-audit-'));
  dirs.push(dir);
  const file = path.join(dir, 'store.db');
  const db = openDatabase(file, TEST_DATABASE_KEY);
  for (let i = 1; i <= 5; i += 1) {
    appendAudit(db, { actor: 'anna', action: 'operator.update', details: { marker: `MARKER-QX7-${i}` }, at: AT });
  }
  expect(verifyAudit(db).ok).toBe(true);
  db.close();
  expect(fs.existsSync(`${file}-wal`)).toBe(false); // everything is in the main file
  return file;
}

function verifyFresh(file: string) {
  const db = openDatabase(file, TEST_DATABASE_KEY);
  try {
    return verifyAudit(db);
  } finally {
    db.close();
  }
}

function tamper(file: string, change: (raw: Db) => void): void {
  const raw = openRawStore(file);
  raw.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete');
  change(raw);
  raw.close();
}

describe('audit log tampering on a real store file', () => {
  it('keeps the log out of a byte editor\'s reach: the encrypted file does not show it, and an edited byte is refused', () => {
    const file = storeWithLog();
    const bytes = fs.readFileSync(file);
    expect(bytes.indexOf(Buffer.from('MARKER-QX7-3'))).toBe(-1);
    const raw = openRawStore(file, { readonly: true });
    const page = raw.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'audit'").pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    bytes[(page - 1) * pageSize + 100] ^= 0x01; // inside the audit table's page
    fs.writeFileSync(file, bytes);
    expect(() => verifyFresh(file)).toThrow(/malformed|not a database/);
  });

  it('names a deleted middle entry', () => {
    const file = storeWithLog();
    tamper(file, (raw) => raw.prepare('DELETE FROM audit WHERE seq = 3').run());
    expect(verifyFresh(file)).toEqual({
      ok: false,
      entries: 2,
      firstBroken: { seq: 3, reason: 'sequence-gap', message: 'entry 3 is missing (2 is followed by 4)' },
    });
  });

  it('detects a replaced hash even when the next entry’s prev_hash is changed to match', () => {
    const file = storeWithLog();
    const forged = 'e'.repeat(64);
    tamper(file, (raw) => {
      raw.prepare('UPDATE audit SET hash = ? WHERE seq = 3').run(forged);
      raw.prepare('UPDATE audit SET prev_hash = ? WHERE seq = 4').run(forged);
    });
    expect(verifyFresh(file)).toMatchObject({ ok: false, entries: 2, firstBroken: { seq: 3, reason: 'hash-mismatch' } });
  });

  it('detects a rewritten and correctly re-hashed entry at the next one', () => {
    const file = storeWithLog();
    tamper(file, (raw) => {
      const row = raw.prepare('SELECT seq, at, actor, action, prev_hash FROM audit WHERE seq = 3').get() as {
        seq: number; at: string; actor: string; action: string; prev_hash: string;
      };
      const details = { marker: 'rewritten' };
      const hash = auditEntryHash({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, details, prevHash: row.prev_hash });
      raw.prepare('UPDATE audit SET details = ?, hash = ? WHERE seq = 3').run(JSON.stringify(details), hash);
      raw.prepare('UPDATE audit SET prev_hash = ? WHERE seq = 4').run(hash);
    });
    expect(verifyFresh(file)).toMatchObject({ ok: false, entries: 3, firstBroken: { seq: 4, reason: 'hash-mismatch' } });
  });

  it('keeps one chain when two connections append in turn', () => {
    const file = storeWithLog();
    const [kiosk, cli] = [openDatabase(file, TEST_DATABASE_KEY), openDatabase(file, TEST_DATABASE_KEY)];
    try {
      appendAudit(kiosk, { actor: 'anna', action: 'login' });
      appendAudit(cli, { actor: 'tech', action: 'settings.set', details: { key: 'idleTimeoutSeconds' } });
      appendAudit(kiosk, { actor: 'anna', action: 'logout' });
      expect(verifyAudit(cli)).toMatchObject({ ok: true, entries: 8 });
    } finally {
      kiosk.close();
      cli.close();
    }
  });
});
