// The diagnostics report's view of the privileged installer: nothing where it never ran, the phase
// of an install under way, the last outcome with its versions and code, and a damaged status file
// said as such (never thrown at the diagnostics screen).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InstallerStatusFile } from '../../../../main/updates/installer/installer-status.js';
import { installerView } from '../../../../main/updates/update-status.js';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-installer-view-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

let tick = Date.parse('2027-03-01T10:00:00.000Z');
const clock = () => new Date((tick += 1000));
let files = 0;
const statusFile = () => path.join(folder, `status-${(files += 1)}.json`);

const attempt = (to: string) => ({
  id: crypto.randomUUID(), from: '1.0.0', to, packageFile: `/var/lib/gatehouse-update/packages/gatehouse_${to}_amd64.deb`,
  previousPackageFile: '/var/lib/gatehouse-update/packages/gatehouse_1.0.0_amd64.deb',
});

describe('installerView', () => {
  it('is null where the installer never ran', () => {
    expect(installerView(statusFile())).toBeNull();
  });

  it('shows an install under way with its phase, then its outcome', () => {
    const file = statusFile();
    const status = InstallerStatusFile.open(file, clock);
    let running = status.start(attempt('1.1.0'));
    expect(installerView(file)).toMatchObject({ outcome: 'in-progress', phase: 'installing', from: '1.0.0', to: '1.1.0', code: null });
    running = status.installed(running);
    expect(installerView(file)).toMatchObject({ outcome: 'in-progress', phase: 'checking' });
    running = status.rollBack(running, { code: 'UPDATE_HEALTH_CHECK_FAILED', message: 'no answer' });
    expect(installerView(file)).toMatchObject({ outcome: 'in-progress', phase: 'rolling-back', code: 'UPDATE_HEALTH_CHECK_FAILED' });
    status.finish(running, 'rolled-back', running.failure);
    expect(installerView(file)).toEqual({
      outcome: 'rolled-back', phase: null, at: expect.any(String), from: '1.0.0', to: '1.1.0', code: 'UPDATE_HEALTH_CHECK_FAILED',
    });
  });

  it('shows a refusal before any attempt, without versions it did not have', () => {
    const file = statusFile();
    InstallerStatusFile.open(file, clock).refuse(undefined, { code: 'UPDATE_INSTALLER_KEY_NOT_PINNED', message: 'no key' });
    expect(installerView(file)).toMatchObject({ outcome: 'refused', phase: null, from: null, to: null, code: 'UPDATE_INSTALLER_KEY_NOT_PINNED' });
  });

  it('says a damaged status file is unreadable instead of throwing', () => {
    const file = statusFile();
    fs.writeFileSync(file, '{"format":"something else"}');
    expect(installerView(file)).toMatchObject({ outcome: 'unreadable', code: 'UPDATE_STATUS_UNREADABLE' });
  });
});
