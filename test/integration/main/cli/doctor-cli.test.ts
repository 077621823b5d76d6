// `gatehouse doctor --json`: one JSON object with the overall verdict and every named
// check, and an exit status that agrees with it.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli, tempDataDir } from './run-cli.js';

const dirs: string[] = [];
beforeAll(() => {
  expect(fs.existsSync(builtCli), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface Check {
  id: string;
  group: string;
  name: string;
  ok: boolean;
  required: boolean;
  outcome: string;
  reason: string | null;
  detail: string;
  values: Record<string, unknown>;
}

const NAMES = ['node', 'sqlite (SQLite3 Multiple Ciphers)', 'serial ports (serialport)', 'USB HID (node-hid)', 'chip readers (PC/SC)', 'chromium',
  'face analysis (TensorFlow.js)', 'data directory writable', 'data folder and key permissions', 'database encryption', 'database integrity',
  'audit chain', 'provisioning', 'authority and clock', 'disk space', 'background jobs'];

describe('gatehouse doctor', () => {
  it('prints {ok, checks} with every named check and exits accordingly', async () => {
    const dir = path.join(tempDataDir(), 'not-yet-created');
    dirs.push(path.dirname(dir));
    const run = await runCli(['doctor', '--json', '--data', dir]);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: Check[] };
    expect(Object.keys(report).sort()).toEqual(['checks', 'ok']);
    expect(report.checks.map((c) => c.name)).toEqual(NAMES);
    for (const check of report.checks) {
      expect(check).toEqual({
        id: expect.any(String), group: expect.any(String), name: expect.any(String), ok: expect.any(Boolean), required: expect.any(Boolean),
        outcome: check.ok ? 'ok' : check.required ? 'failed' : 'warning', reason: check.reason, detail: expect.any(String), values: expect.any(Object),
      });
      expect(check.detail.length, check.name).toBeGreaterThan(0);
    }
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    expect(byName.get('node')).toMatchObject({ ok: true, required: true, detail: `Node ${process.versions.node}` });
    expect(byName.get('sqlite (SQLite3 Multiple Ciphers)')).toMatchObject({ ok: true, required: true, detail: expect.stringMatching(/^SQLite \d+\.\d+.*, SQLite3 Multiple Ciphers \d/) });
    expect(byName.get('data directory writable')).toMatchObject({ ok: true, required: true, detail: dir });
    expect(byName.get('chromium')?.required).toBe(false);
    // The wasm backend runs where tfjs-node's native TensorFlow cannot be installed (as here).
    expect(byName.get('face analysis (TensorFlow.js)')).toMatchObject({ ok: true, required: true, detail: expect.stringMatching(/^backend (wasm|tfjs-node)/) });
    expect(byName.get('USB HID (node-hid)')?.required).toBe(false);
    expect(byName.get('chip readers (PC/SC)')?.required).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]); // the probe file is gone again

    expect(report.ok).toBe(report.checks.every((c) => c.ok || !c.required));
    expect(run.code).toBe(report.ok ? 0 : 1);
  });

  it('fails the data directory check (and the doctor) when the directory cannot be made', async () => {
    const base = tempDataDir();
    dirs.push(base);
    const blocker = path.join(base, 'a-file');
    fs.writeFileSync(blocker, '');
    const run = await runCli(['doctor', '--json', '--data', path.join(blocker, 'data')]);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: Check[] };
    expect(report.checks.find((c) => c.name === 'data directory writable')).toMatchObject({ ok: false, required: true });
    expect(report.ok).toBe(false);
    expect(run.code).toBe(1);
  });
});
