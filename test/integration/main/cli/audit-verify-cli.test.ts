// `gatehouse audit verify` on a real store file: intact logs pass (exit 0); a byte changed
// inside an audit row, or a row deleted behind the triggers' back, fails (exit 1) and
// names the entry.

import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../../../main/kiosk/data-dir.js';
import { builtCli, runCli, tempDataDir } from './run-cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
beforeAll(() => {
  expect(fs.existsSync(builtCli), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
});

let template = '';

/** Builds, once, a data directory whose log holds three operator.create entries: technician, supervisor, officer. */
beforeAll(async () => {
  template = tempDataDir();
  dirs.push(template);
  const people = [['technician', 'Tara'], ['supervisor', 'Sven'], ['officer', 'Olga']];
  for (const [role, name] of people) {
    expect((await runCli(['operator', 'add', '--role', role!, '--name', name!, '--pin', '123456', '--data', template])).code).toBe(0);
  }
  expect(fs.existsSync(`${databasePath(template)}-wal`)).toBe(false); // everything is in the main file
});

/** A fresh copy of the template data directory, for one test to tamper with. */
function dataDirWithLog(): { dir: string; file: string } {
  const dir = tempDataDir();
  dirs.push(dir);
  const file = databasePath(dir);
  fs.copyFileSync(databasePath(template), file);
  return { dir, file };
}

describe('gatehouse audit verify', () => {
  it('passes an empty log and an intact one', async () => {
    const empty = tempDataDir();
    dirs.push(empty);
    expect(await runCli(['audit', 'verify', '--data', empty])).toMatchObject({ code: 0, stdout: 'audit log intact: 0 entries\n' });

    const { dir } = dataDirWithLog();
    expect(await runCli(['audit', 'verify', '--data', dir])).toMatchObject({ code: 0, stdout: 'audit log intact: 3 entries\n' });
    const json = await runCli(['audit', 'verify', '--json', '--data', dir]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, entries: 3, head: { seq: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  });

  it('names the entry whose bytes were changed in the database file', async () => {
    const { dir, file } = dataDirWithLog();
    const bytes = fs.readFileSync(file);
    const needle = Buffer.from('"role":"supervisor"');
    const at = bytes.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    expect(bytes.lastIndexOf(needle)).toBe(at); // only the audit row holds it in this form
    bytes[at + needle.length - 2] = 'R'.charCodeAt(0); // "supervisoR": same length, still valid JSON
    fs.writeFileSync(file, bytes);

    const run = await runCli(['audit', 'verify', '--data', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^AUDIT LOG BROKEN at entry 2: entry 2 \(operator\.create at [^)]+\): stored hash does not match its contents\n$/);
    const json = JSON.parse((await runCli(['audit', 'verify', '--json', '--data', dir])).stdout) as unknown;
    expect(json).toMatchObject({ ok: false, entries: 1, firstBroken: { seq: 2, reason: 'hash-mismatch' } });
  });

  it('names an entry deleted through a raw connection after its trigger was dropped', async () => {
    const { dir, file } = dataDirWithLog();
    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_no_delete');
    expect(raw.prepare('DELETE FROM audit WHERE seq = 2').run().changes).toBe(1);
    raw.close();

    const run = await runCli(['audit', 'verify', '--data', dir]);
    expect(run).toMatchObject({ code: 1, stdout: 'AUDIT LOG BROKEN at entry 2: entry 2 is missing (1 is followed by 3)\n' });
  });

  it('names an entry whose details were rewritten through a raw connection', async () => {
    const { dir, file } = dataDirWithLog();
    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_no_update');
    raw.prepare(`UPDATE audit SET details = '{"operatorId":1,"role":"officer"}' WHERE seq = 1`).run();
    raw.close();

    const run = await runCli(['audit', 'verify', '--data', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^AUDIT LOG BROKEN at entry 1: /);
  });
});
