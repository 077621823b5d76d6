// `gatehouse audit verify` on a real store file: intact logs pass (exit 0); a byte changed
// inside an audit row, or a row deleted behind the triggers' back, fails (exit 1) and
// names the entry.

import fs from 'node:fs';
import path from 'node:path';
import { openRawStore } from '../../../fixtures/store-key.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKeyPath } from '../../../../main/store/database-key.js';
import { databasePath } from '../../../../main/store/database.js';
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
  fs.cpSync(path.dirname(databaseKeyPath(template)), path.dirname(databaseKeyPath(dir)), { recursive: true }); // the store is encrypted with it
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

  it('is out of a byte editor\'s reach: the encrypted file does not show the log, and a changed byte is refused, never verified', async () => {
    const { dir, file } = dataDirWithLog();
    const bytes = fs.readFileSync(file);
    expect(bytes.indexOf(Buffer.from('"role":"supervisor"'))).toBe(-1);
    const raw = openRawStore(file, { readonly: true });
    const page = raw.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'audit'").pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    bytes[(page - 1) * pageSize + 100] ^= 0x01;
    fs.writeFileSync(file, bytes);

    const run = await runCli(['audit', 'verify', '--data', dir]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toMatch(/intact/);
    expect(run.stderr).toMatch(/malformed/);
  });

  it('names an entry deleted through a raw connection after its trigger was dropped', async () => {
    const { dir, file } = dataDirWithLog();
    const raw = openRawStore(file);
    raw.exec('DROP TRIGGER audit_no_delete');
    expect(raw.prepare('DELETE FROM audit WHERE seq = 2').run().changes).toBe(1);
    raw.close();

    const run = await runCli(['audit', 'verify', '--data', dir]);
    expect(run).toMatchObject({ code: 1, stdout: 'AUDIT LOG BROKEN at entry 2: entry 2 is missing (1 is followed by 3)\n' });
  });

  it('names an entry whose details were rewritten through a raw connection', async () => {
    const { dir, file } = dataDirWithLog();
    const raw = openRawStore(file);
    raw.exec('DROP TRIGGER audit_no_update');
    raw.prepare(`UPDATE audit SET details = '{"operatorId":1,"role":"officer"}' WHERE seq = 1`).run();
    raw.close();

    const run = await runCli(['audit', 'verify', '--data', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^AUDIT LOG BROKEN at entry 1: /);
  });
});
