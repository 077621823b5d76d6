// The installation checks behind `gatehouse doctor`, run in-process (the station's own are in station-checks.test.ts).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctorChecks } from '../../../../main/cli/doctor-checks.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-doctor-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('runDoctorChecks', () => {
  it('runs the named checks in a fixed order, required ones passing on this machine', async () => {
    const checks = await runDoctorChecks(path.join(base, 'data'));
    expect(checks.map((c) => [c.name, c.required])).toEqual([
      ['node', true], ['sqlite (SQLite3 Multiple Ciphers)', true], ['serial ports (serialport)', true],
      ['USB HID (node-hid)', false], ['chip readers (PC/SC)', false], ['chromium', false], ['face analysis (TensorFlow.js)', true], ['data directory writable', true],
      ['data folder and key permissions', true], ['database encryption', true], ['database integrity', true], ['audit chain', true],
      ['provisioning', false], ['authority and clock', false], ['disk space', true], ['background jobs', false],
    ]);
    expect(checks.map((c) => c.id)).toEqual([
      'node', 'sqlite', 'serial-ports', 'hid', 'chip-readers', 'chromium', 'face', 'data-writable',
      'permissions', 'encryption', 'integrity', 'audit-chain', 'provisioning', 'authority', 'disk-space', 'jobs',
    ]);
    for (const check of checks) expect(check.outcome, check.id).toBe(check.ok ? 'ok' : check.required ? 'failed' : 'warning');
    for (const check of checks.filter((c) => c.required)) {
      expect(check, check.name).toMatchObject({ ok: true });
    }
    expect(fs.readdirSync(path.join(base, 'data'))).toEqual([]);
  });

  it('reports an unusable data directory with the reason instead of throwing', async () => {
    const file = path.join(base, 'plain-file');
    fs.writeFileSync(file, '');
    const checks = await runDoctorChecks(path.join(file, 'data'));
    expect(checks.find((c) => c.name === 'data directory writable')).toMatchObject({ ok: false, outcome: 'failed', reason: null, detail: expect.stringMatching(/ENOTDIR|EEXIST/) });
  });

  it('tells a listener each check\'s progress: all waiting, each running, each done with its result', async () => {
    const seen: Array<Array<{ id: string; state: string }>> = [];
    const checks = await runDoctorChecks(path.join(base, 'watched'), {}, (progress) => seen.push(progress.map(({ id, state }) => ({ id, state }))));
    expect(seen.length).toBe(2 * checks.length);
    expect(seen[0]!.filter((entry) => entry.state === 'running').map((entry) => entry.id)).toEqual(['node']);
    const last = seen.at(-1)!;
    expect(last.every((entry) => entry.state === 'done')).toBe(true);
    // The station's checks run one after the other: while one runs, the later ones wait.
    const auditRunning = seen.find((snapshot) => snapshot.find((entry) => entry.id === 'audit-chain')?.state === 'running')!;
    expect(auditRunning.filter((entry) => ['provisioning', 'authority', 'disk-space'].includes(entry.id)).every((entry) => entry.state === 'waiting')).toBe(true);
  });
});
