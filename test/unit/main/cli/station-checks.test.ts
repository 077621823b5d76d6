// The doctor's station checks against real data folders: permissions, a plain or encrypted
// store, a tampered audit chain, and an authority whose clock differs from ours.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { runStationChecks } from '../../../../main/cli/station-checks.js';
import { openKioskDatabase, databasePath } from '../../../../main/store/database.js';
import { appendAudit } from '../../../../main/audit/audit-log.js';
import { insertIdentity } from '../../../../main/provisioning/kiosk-credentials.js';
import { offlineIdentity } from '../../../fixtures/offline-identity.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-station-checks-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
let folders = 0;
const newDataDir = () => path.join(base, `data-${folders++}`);

const byName = async (dataDir: string, now?: () => number) =>
  new Map((await runStationChecks(dataDir, { now })).map((check) => [check.name, check]));

/** A data folder with a store made the way the kiosk makes it, and optionally registered with `authorityUrl`. */
function station(authorityUrl?: string): string {
  const dataDir = newDataDir();
  const db = openKioskDatabase(dataDir);
  try {
    appendAudit(db, { actor: 'system', action: 'test.entry', details: {} });
    if (authorityUrl !== undefined) {
      const { identity, keys } = offlineIdentity();
      insertIdentity(db, { ...identity, authorityUrl }, keys);
    }
  } finally {
    db.close();
  }
  return dataDir;
}

describe('runStationChecks', () => {
  it('passes a station as the kiosk leaves it, and names what it checked', async () => {
    const checks = await byName(station());
    expect([...checks.keys()]).toEqual([
      'data folder and key permissions', 'database encryption', 'database integrity', 'audit chain', 'provisioning', 'authority and clock', 'disk space', 'background jobs',
    ]);
    expect(checks.get('data folder and key permissions')).toMatchObject({ ok: true, required: true });
    expect(checks.get('database encryption')).toMatchObject({ ok: true, detail: expect.stringMatching(/^encrypted/) });
    expect(checks.get('database integrity')).toMatchObject({ ok: true });
    expect(checks.get('audit chain')).toMatchObject({ ok: true, detail: expect.stringMatching(/^\d+ entries, chain intact/) });
    expect(checks.get('provisioning')).toMatchObject({
      id: 'provisioning', ok: false, required: false, outcome: 'warning', reason: 'not-provisioned', detail: expect.stringMatching(/gatehouse provision/),
    });
    expect(checks.get('authority and clock')).toMatchObject({ id: 'authority', group: 'authority', ok: true, outcome: 'ok', reason: 'not-provisioned' });
    expect(checks.get('disk space')?.values).toMatchObject({ freeBytes: expect.any(Number), totalBytes: expect.any(Number) });
    expect(checks.get('disk space')).toMatchObject({ ok: true, detail: expect.stringMatching(/MiB free/) });
  });

  it('makes no store in a folder that has none', async () => {
    const dataDir = newDataDir();
    fs.mkdirSync(dataDir, { mode: 0o700 });
    const checks = await byName(dataDir);
    expect([...checks.values()].every((check) => check.ok || !check.required)).toBe(true);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('fails a folder or key others may read, saying how to close it', async () => {
    const dataDir = station();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, 'keys', 'database.key'), 0o644);
    const check = (await byName(dataDir)).get('data folder and key permissions');
    expect(check).toMatchObject({ ok: false, required: true, outcome: 'failed', reason: 'exposed', values: { count: 2 } });
    expect(check?.detail).toContain(`${dataDir} (755)`);
    expect(check?.detail).toContain('database.key (644)');
    expect(check?.detail).toContain(`chmod -R go-rwx ${dataDir}`);
  });

  it('fails a store nobody encrypted', async () => {
    const dataDir = newDataDir();
    fs.mkdirSync(dataDir, { mode: 0o700 });
    const plain = new Database(databasePath(dataDir));
    plain.exec('CREATE TABLE t (x)');
    plain.close();
    fs.chmodSync(databasePath(dataDir), 0o600);
    expect((await byName(dataDir)).get('database encryption')).toMatchObject({ ok: false, required: true, reason: 'plain', detail: expect.stringMatching(/not encrypted/) });
  });

  it('fails an audit chain changed behind the kiosk’s back', async () => {
    const dataDir = station();
    const db = openKioskDatabase(dataDir);
    // As someone with the key and a SQLite shell would: past the append-only triggers.
    db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET action = 'test.rewritten' WHERE action = 'test.entry'");
    db.close();
    expect((await byName(dataDir)).get('audit chain')).toMatchObject({ ok: false, required: true, outcome: 'failed', reason: 'broken', detail: expect.stringMatching(/broken at entry \d+/) });
  });

  it('checks the running kiosk\'s own store without closing it or opening another', async () => {
    const dataDir = station();
    const db = openKioskDatabase(dataDir);
    try {
      const checks = new Map((await runStationChecks(dataDir, { store: { db, databaseKey: () => fs.readFileSync(path.join(dataDir, 'keys', 'database.key')) } }))
        .map((check) => [check.id, check]));
      expect(checks.get('integrity')).toMatchObject({ ok: true, outcome: 'ok', detail: 'integrity_check ok' });
      expect(checks.get('audit-chain')).toMatchObject({ ok: true, values: { entries: 1 } });
      expect(db.open).toBe(true);
    } finally {
      db.close();
    }
  });

  it('reports integrity_check\'s problems (found on its own thread) with what to do', async () => {
    const dataDir = newDataDir();
    fs.mkdirSync(dataDir, { mode: 0o700 });
    const db = new Database(databasePath(dataDir));
    db.exec("CREATE TABLE t (x, y); CREATE INDEX t_x ON t (x); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');");
    // An index that disagrees with its table: what a torn write leaves behind.
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    db.exec("UPDATE sqlite_schema SET sql = 'CREATE INDEX t_x ON t (y)' WHERE name = 't_x'");
    db.close();
    const check = (await runStationChecks(dataDir, { store: { db: new Database(databasePath(dataDir)), databaseKey: () => null } }))
      .find((candidate) => candidate.id === 'integrity');
    expect(check).toMatchObject({ ok: false, outcome: 'failed', reason: 'problems', detail: expect.stringMatching(/SQLite reports \d+ problem.*call support/) });
  });

  describe('against the authority', () => {
    const server = http.createServer((_request, response) => response.end('{"service":"gatehouse-authority"}'));
    const listening = new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('reports it reachable with the clocks a few seconds apart', async () => {
      const check = (await byName(station(await listening))).get('authority and clock');
      expect(check).toMatchObject({ ok: true, reason: null, detail: expect.stringMatching(/reachable, clocks \d s apart/), values: { skewSeconds: expect.any(Number) } });
    });

    it('fails a kiosk clock ten minutes ahead, saying how to fix it', async () => {
      const dataDir = station(await listening);
      const check = (await byName(dataDir, () => Date.now() + 600_000)).get('authority and clock');
      expect(check).toMatchObject({ ok: false, outcome: 'warning', reason: 'clock-ahead', detail: expect.stringMatching(/clock is (599|600|601) s ahead of the authority's.*timedatectl/) });
    });

    it('says when the authority does not answer, without failing the doctor (the kiosk works offline)', async () => {
      const check = (await byName(station('http://127.0.0.1:9'))).get('authority and clock');
      expect(check).toMatchObject({ ok: false, required: false, reason: 'unreachable', detail: expect.stringMatching(/does not answer.*offline/) });
    });
  });
});
