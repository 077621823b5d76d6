// The privileged update installer against the real dpkg on real (tiny) gatehouse packages in a
// private root: a good update installed with the previous version kept for a rollback; tampered,
// wrongly hashed, older, expired, foreign-key, mislabelled and booby-trapped updates each refused
// with nothing installed; a failed health check, a failing maintainer script and an unmet
// dependency each rolled back to the previous version.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, type KeyPair } from '../../../protocol/keys.js';
import type { UpdateManifest } from '../../../protocol/update-manifest.js';
import { updateFolders } from '../../../main/updates/staged-update.js';
import { installerFolders, type InstallerFolders } from '../../../main/updates/installer/installer-folders.js';
import { pinUpdateKey } from '../../../main/updates/installer/pinned-update-key.js';
import { UpdateInstaller } from '../../../main/updates/installer/update-installer.js';
import {
  ARCHITECTURE, buildGatehouseDeb, dpkgStatus, installByHand, makeDpkgRoot, manifestFor, stageUpdate, testSystem, type TestSystem,
} from '../../fixtures/debs/gatehouse-debs.js';

const canRunDpkg = process.getuid?.() === 0 && fs.existsSync('/usr/bin/dpkg-repack');
const NOW = new Date('2027-03-01T10:00:00.000Z');

let debFolder: string;
const debs: Record<string, string> = {};
let updateKey: KeyPair;
const machines: string[] = [];

beforeAll(() => {
  debFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-debs-'));
  debs['1.0.0'] = buildGatehouseDeb(debFolder, { version: '1.0.0' });
  debs['1.1.0'] = buildGatehouseDeb(debFolder, { version: '1.1.0' });
  debs['1.1.5'] = buildGatehouseDeb(debFolder, { version: '1.1.5' });
  debs['1.2.0'] = buildGatehouseDeb(debFolder, { version: '1.2.0', healthy: false });
  debs['1.3.0'] = buildGatehouseDeb(debFolder, { version: '1.3.0', postinst: 'echo "cannot migrate the data" >&2; exit 1' });
  debs['1.4.0'] = buildGatehouseDeb(debFolder, { version: '1.4.0', depends: 'gatehouse-test-dependency-nobody-has (>= 1)' });
  updateKey = generateSigningKeyPair();
});

afterAll(() => {
  for (const folder of [debFolder, ...machines]) fs.rmSync(folder, { recursive: true, force: true });
});

interface Machine {
  root: string;
  data: string;
  folders: InstallerFolders;
  system: TestSystem;
  installer: UpdateInstaller;
  stage(version: string, manifest?: UpdateManifest, deb?: string): string;
  installed(): string;
  installedFile(): string;
  kept(): string[];
}

function machine(): Machine {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-installer-'));
  machines.push(base);
  const root = makeDpkgRoot(path.join(base, 'root'));
  const data = path.join(base, 'data');
  const folders = installerFolders(path.join(base, 'state'));
  const system = testSystem(root, () => NOW);
  const installer = new UpdateInstaller({ folders, stagedDir: updateFolders(data).staged, system });
  const installed = () => execFileSync('dpkg-query', [`--root=${root}`, '-W', '-f=${Version} ${db:Status-Status}', 'gatehouse'], { encoding: 'utf8' });
  return {
    root, data, folders, system, installer, installed,
    stage: (version, manifest = manifestFor(debs[version]!, version, updateKey.privateKey, NOW), deb = debs[version]!) =>
      stageUpdate(data, deb, manifest, installed().split(' ')[0]!, NOW),
    installedFile: () => fs.readFileSync(path.join(root, 'opt/gatehouse/version'), 'utf8').trim(),
    kept: () => (fs.existsSync(folders.packages) ? fs.readdirSync(folders.packages).sort() : []),
  };
}

const keptName = (version: string) => `gatehouse_${version}_${ARCHITECTURE}.deb`;

describe.skipIf(!canRunDpkg)('the update installer with the real dpkg', () => {
  let kiosk: Machine;

  beforeEach(() => {
    kiosk = machine();
    installByHand(kiosk.root, debs['1.0.0']!);
    fs.mkdirSync(kiosk.folders.state, { recursive: true });
    pinUpdateKey(kiosk.folders.pinnedKeyFile, updateKey.publicKey, { replace: false, now: NOW });
  });

  it('installs a good update over a hand-installed version, keeping that version rebuilt for a rollback', async () => {
    const staged = kiosk.stage('1.1.0');
    const status = await kiosk.installer.run();

    expect(kiosk.installed()).toBe('1.1.0 installed');
    expect(kiosk.installedFile()).toBe('1.1.0');
    expect(status.attempt).toBeNull();
    expect(status.last).toMatchObject({ outcome: 'installed', from: '1.0.0', to: '1.1.0' });
    expect(status.events.map((event) => event.action)).toEqual(['update.install-started', 'update.installed']);
    expect(kiosk.system.kiosk.restarts).toBe(1);
    expect(fs.existsSync(staged)).toBe(false);
    expect(kiosk.kept()).toEqual([keptName('1.0.0'), keptName('1.1.0')]);
    // The rollback package dpkg-repack rebuilt installs 1.0.0's files again.
    const rebuilt = execFileSync('dpkg-deb', ['--field', path.join(kiosk.folders.packages, keptName('1.0.0')), 'Version'], { encoding: 'utf8' }).trim();
    expect(rebuilt).toBe('1.0.0');
    expect(execFileSync('dpkg-deb', ['--contents', path.join(kiosk.folders.packages, keptName('1.0.0'))], { encoding: 'utf8' })).toContain('./opt/gatehouse/bin/health-check');

    // The next update keeps the last two packages: the one installed and the one before it.
    kiosk.stage('1.1.5');
    const next = await kiosk.installer.run();
    expect(next.last).toMatchObject({ outcome: 'installed', from: '1.1.0', to: '1.1.5' });
    expect(kiosk.kept()).toEqual([keptName('1.1.0'), keptName('1.1.5')]);
    // The status file is readable by the kiosk's (unprivileged) service.
    expect(fs.statSync(kiosk.folders.statusFile).mode & 0o777).toBe(0o644);
    expect(fs.statSync(kiosk.folders.packages).mode & 0o777).toBe(0o700);
  });

  it('with nothing staged does nothing, and leaves alone an update the kiosk is still staging', async () => {
    const before = dpkgStatus(kiosk.root);
    const staged = kiosk.stage('1.1.0');
    fs.renameSync(path.join(staged, 'request.json'), path.join(kiosk.data, 'request.json')); // the request comes last

    const status = await kiosk.installer.run();

    expect(status.events).toEqual([]);
    expect(dpkgStatus(kiosk.root)).toBe(before);
    expect(fs.readdirSync(staged).sort()).toEqual([keptName('1.1.0'), 'manifest.json']);
  });

  it('removes a link planted in place of the staging folder as the data folder\'s owner, never what it points at', async () => {
    const staged = updateFolders(kiosk.data).staged;
    const target = fs.mkdtempSync(path.join(path.dirname(kiosk.data), 'root-only-'));
    fs.writeFileSync(path.join(target, 'request.json'), '{}');
    fs.mkdirSync(path.dirname(staged), { recursive: true });
    fs.symlinkSync(target, staged);
    // The kiosk's data folder belongs to its service user (here: nobody), who may not delete root's files.
    fs.chmodSync(path.dirname(kiosk.data), 0o711);
    execFileSync('chown', ['-R', '-h', 'nobody:nogroup', kiosk.data]);

    const status = await kiosk.installer.run();

    expect(status.last).toMatchObject({ outcome: 'refused', failure: { code: 'UPDATE_STAGED_FILE_REFUSED' } });
    expect(fs.existsSync(path.join(target, 'request.json'))).toBe(true);
    expect(fs.existsSync(staged)).toBe(false);
  });

  const other = generateSigningKeyPair();
  const refusals: Array<{ name: string; code: string; stage(kiosk: Machine): void }> = [
    {
      name: 'a tampered manifest',
      code: 'UPDATE_SIGNATURE_INVALID',
      stage(kiosk) {
        const staged = kiosk.stage('1.1.0');
        const file = path.join(staged, 'manifest.json');
        const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as UpdateManifest;
        fs.writeFileSync(file, JSON.stringify({ ...manifest, minimumVersion: '0.0.1' }));
      },
    },
    {
      name: 'a manifest signed with another key',
      code: 'UPDATE_SIGNATURE_INVALID',
      stage: (kiosk) => void kiosk.stage('1.1.0', manifestFor(debs['1.1.0']!, '1.1.0', other.privateKey, NOW)),
    },
    {
      name: 'a package with the wrong hash',
      code: 'UPDATE_HASH_MISMATCH',
      stage(kiosk) {
        const staged = kiosk.stage('1.1.0');
        const file = fs.readdirSync(staged).find((name) => name.endsWith('.deb'))!;
        const bytes = fs.readFileSync(path.join(staged, file));
        bytes[bytes.length - 1]! ^= 0xff;
        fs.writeFileSync(path.join(staged, file), bytes);
      },
    },
    {
      name: 'an older version',
      code: 'UPDATE_NOT_NEWER',
      stage(kiosk) {
        installByHand(kiosk.root, debs['1.1.0']!);
        kiosk.stage('1.0.0');
      },
    },
    {
      name: 'the version installed',
      code: 'UPDATE_NOT_NEWER',
      stage: (kiosk) => void kiosk.stage('1.0.0'),
    },
    {
      name: 'an expired manifest',
      code: 'UPDATE_EXPIRED',
      stage: (kiosk) => void kiosk.stage('1.1.0', manifestFor(debs['1.1.0']!, '1.1.0', updateKey.privateKey, NOW, { expiresAt: '2027-02-28T00:00:00.000Z' })),
    },
    {
      name: 'a package whose control file names another version than its manifest',
      code: 'UPDATE_PACKAGE_CONTROL_MISMATCH',
      stage: (kiosk) => void kiosk.stage('1.1.0', manifestFor(debs['1.1.5']!, '1.1.0', updateKey.privateKey, NOW), debs['1.1.5']),
    },
    {
      name: 'a link to a root-only file in place of the package',
      code: 'UPDATE_STAGED_FILE_REFUSED',
      stage(kiosk) {
        const staged = kiosk.stage('1.1.0');
        const file = fs.readdirSync(staged).find((name) => name.endsWith('.deb'))!;
        fs.rmSync(path.join(staged, file));
        fs.symlinkSync('/etc/shadow', path.join(staged, file));
      },
    },
    {
      name: 'a FIFO in place of the manifest',
      code: 'UPDATE_STAGED_FILE_REFUSED',
      stage(kiosk) {
        const staged = kiosk.stage('1.1.0');
        fs.rmSync(path.join(staged, 'manifest.json'));
        execFileSync('mkfifo', [path.join(staged, 'manifest.json')]);
      },
    },
    {
      name: 'no update key pinned for root',
      code: 'UPDATE_INSTALLER_KEY_NOT_PINNED',
      stage(kiosk) {
        fs.rmSync(kiosk.folders.pinnedKeyFile);
        kiosk.stage('1.1.0');
      },
    },
  ];

  for (const refusal of refusals) {
    it(`refuses ${refusal.name} (${refusal.code}) with nothing installed`, async () => {
      refusal.stage(kiosk);
      const installedBefore = kiosk.installed();
      const dpkgBefore = dpkgStatus(kiosk.root);

      const status = await kiosk.installer.run();

      expect(status.last).toMatchObject({ outcome: 'refused', failure: { code: refusal.code } });
      expect(status.events.map((event) => [event.action, event.code])).toEqual([['update.install-refused', refusal.code]]);
      expect(dpkgStatus(kiosk.root)).toBe(dpkgBefore);
      expect(kiosk.installed()).toBe(installedBefore);
      expect(kiosk.kept()).toEqual([]);
      expect(kiosk.system.kiosk.restarts).toBe(0);
      // The request is gone, so the path unit does not fire again for it.
      expect(fs.existsSync(updateFolders(kiosk.data).staged)).toBe(false);
    });
  }

  it('rolls back to the previous version when the new one fails its health check', async () => {
    kiosk.stage('1.1.0');
    await kiosk.installer.run();
    kiosk.stage('1.2.0');

    const status = await kiosk.installer.run();

    expect(kiosk.installed()).toBe('1.1.0 installed');
    expect(kiosk.installedFile()).toBe('1.1.0');
    expect(status.last).toMatchObject({ outcome: 'rolled-back', from: '1.1.0', to: '1.2.0', failure: { code: 'UPDATE_HEALTH_CHECK_FAILED' } });
    expect(status.last?.failure?.message).toContain('the kiosk does not answer');
    expect(status.events.slice(2).map((event) => [event.action, event.code])).toEqual([
      ['update.install-started', undefined],
      ['update.install-failed', 'UPDATE_HEALTH_CHECK_FAILED'],
      ['update.rolled-back', 'UPDATE_HEALTH_CHECK_FAILED'],
    ]);
    expect(kiosk.system.kiosk.restarts).toBe(3);
    expect(kiosk.kept()).toEqual([keptName('1.0.0'), keptName('1.1.0')]);
  });

  const dpkgFailures = [
    { version: '1.3.0', why: 'its postinst fails', says: 'post-installation script subprocess returned error exit status 1' },
    { version: '1.4.0', why: 'a dependency is missing', says: 'dependency problems prevent configuration of gatehouse: gatehouse depends on gatehouse-test-dependency-nobody-has' },
  ];
  for (const { version, why, says } of dpkgFailures) {
    it(`rolls back when dpkg cannot install the new version (${why})`, async () => {
      kiosk.stage(version);

      const status = await kiosk.installer.run();

      expect(kiosk.installed()).toBe('1.0.0 installed');
      expect(kiosk.installedFile()).toBe('1.0.0');
      expect(status.last).toMatchObject({ outcome: 'rolled-back', from: '1.0.0', to: version, failure: { code: 'UPDATE_DPKG_FAILED' } });
      expect(status.last?.failure?.message).toContain(says);
      expect(status.events.map((event) => event.action)).toEqual(['update.install-started', 'update.install-failed', 'update.rolled-back']);
      expect(kiosk.kept()).toEqual([keptName('1.0.0')]);
    });
  }

  it('reports a rollback that cannot install the previous package', async () => {
    kiosk.stage('1.2.0');
    const system = kiosk.system;
    // The kept package of 1.0.0 is damaged after the attempt started: dpkg cannot read it.
    const installer = new UpdateInstaller({
      folders: kiosk.folders,
      stagedDir: updateFolders(kiosk.data).staged,
      system: { ...system, reached: (step) => { if (step === 'started') fs.writeFileSync(path.join(kiosk.folders.packages, keptName('1.0.0')), 'not a package'); } },
    });

    const status = await installer.run();

    expect(status.last).toMatchObject({ outcome: 'rollback-failed', failure: { code: 'UPDATE_ROLLBACK_FAILED' } });
    expect(status.last?.failure?.message).toContain(keptName('1.0.0'));
    expect(kiosk.installed()).toBe('1.2.0 installed');
  });
});
