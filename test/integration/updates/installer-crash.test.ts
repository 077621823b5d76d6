// A power cut at any point of an update leaves either the old or the new version installed and the
// installer's status saying which attempt was under way; the next run (at boot, or the next apply)
// finishes it or rolls it back. The installer runs in a child process that is SIGKILLed after each
// durable step, and once in the middle of dpkg itself (the package's postinst is running), with
// the real dpkg on real packages in a private root.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, type KeyPair } from '../../../protocol/keys.js';
import { updateFolders } from '../../../main/updates/staged-update.js';
import { installerFolders } from '../../../main/updates/installer/installer-folders.js';
import { readInstallerStatus } from '../../../main/updates/installer/installer-status.js';
import { pinUpdateKey } from '../../../main/updates/installer/pinned-update-key.js';
import { UpdateInstaller, type InstallerStep } from '../../../main/updates/installer/update-installer.js';
import { compileEntry } from '../../fixtures/compile-entry.js';
import { buildGatehouseDeb, installByHand, makeDpkgRoot, manifestFor, stageUpdate, testSystem } from '../../fixtures/debs/gatehouse-debs.js';

const canRunDpkg = process.getuid?.() === 0 && fs.existsSync('/usr/bin/dpkg-repack');
const NOW = new Date('2027-03-01T10:00:00.000Z');

describe.skipIf(!canRunDpkg)('an update cut short', () => {
  let child: string;
  let debFolder: string;
  let updateKey: KeyPair;
  const debs: Record<string, string> = {};
  const running = new Set<number>();
  const folders: string[] = [];

  afterAll(() => {
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  });

  afterEach(() => {
    // An installer a failed test left running (with its dpkg and scripts): its whole process group.
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    running.clear();
  });

  beforeAll(async () => {
    child = await compileEntry('test/fixtures/debs/installer-child.ts', 'installer-child');
    debFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-debs-'));
    folders.push(debFolder);
    debs['1.0.0'] = buildGatehouseDeb(debFolder, { version: '1.0.0' });
    debs['1.1.0'] = buildGatehouseDeb(debFolder, { version: '1.1.0' });
    debs['1.2.0'] = buildGatehouseDeb(debFolder, { version: '1.2.0', healthy: false });
    // Its postinst says it runs, then runs until killed: the power goes while dpkg configures it.
    debs['1.1.0-slow'] = buildGatehouseDeb(fs.mkdtempSync(path.join(debFolder, 'slow-')), { version: '1.1.0', postinst: 'touch "$DPKG_ROOT/postinst-running"\nwhile :; do sleep 1; done' });
    updateKey = generateSigningKeyPair();
  }, 120_000);

  function kiosk(version: keyof typeof debs) {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-installer-'));
    folders.push(base);
    const root = makeDpkgRoot(path.join(base, 'root'));
    const data = path.join(base, 'data');
    const state = path.join(base, 'state');
    installByHand(root, debs['1.0.0']!);
    fs.mkdirSync(state);
    pinUpdateKey(installerFolders(state).pinnedKeyFile, updateKey.publicKey, { replace: false, now: NOW });
    const target = version.replace(/-.*$/, '');
    stageUpdate(data, debs[version]!, manifestFor(debs[version]!, target, updateKey.privateKey, NOW), '1.0.0', NOW);
    const installed = () => execFileSync('dpkg-query', [`--root=${root}`, '-W', '-f=${Version} ${db:Status-Status}', 'gatehouse'], { encoding: 'utf8' });
    const status = () => readInstallerStatus(installerFolders(state).statusFile)!;
    /** The installer in its own process group, as the unit runs it; resolves with the signal that ended it. */
    const start = (crashAt?: InstallerStep) => {
      const process_ = spawn(process.execPath, [child, JSON.stringify({ root, state, data, now: NOW.toISOString(), crashAt })], { stdio: 'inherit', detached: true });
      running.add(process_.pid!);
      const ended = new Promise<NodeJS.Signals | null>((resolve) => process_.once('exit', (_code, signal) => {
        running.delete(process_.pid!);
        resolve(signal);
      }));
      return { pid: process_.pid!, ended };
    };
    const recover = () => new UpdateInstaller({ folders: installerFolders(state), stagedDir: updateFolders(data).staged, system: testSystem(root, () => NOW) }).run();
    return { root, installed, status, start, recover };
  }

  const cuts: Array<{ step: InstallerStep; version: string; before: string; phase: string; after: string; outcome: string; code?: string }> = [
    { step: 'started', version: '1.1.0', before: '1.0.0 installed', phase: 'installing', after: '1.0.0 installed', outcome: 'rolled-back', code: 'UPDATE_INTERRUPTED' },
    { step: 'dpkg-installed', version: '1.1.0', before: '1.1.0 installed', phase: 'installing', after: '1.1.0 installed', outcome: 'installed' },
    { step: 'checking', version: '1.1.0', before: '1.1.0 installed', phase: 'checking', after: '1.1.0 installed', outcome: 'installed' },
    { step: 'checking', version: '1.2.0', before: '1.2.0 installed', phase: 'checking', after: '1.0.0 installed', outcome: 'rolled-back', code: 'UPDATE_HEALTH_CHECK_FAILED' },
    { step: 'rolling-back', version: '1.2.0', before: '1.2.0 installed', phase: 'rolling-back', after: '1.0.0 installed', outcome: 'rolled-back', code: 'UPDATE_HEALTH_CHECK_FAILED' },
  ];

  for (const cut of cuts) {
    it(`cut after "${cut.step}" (update to ${cut.version}): the next run ends with ${cut.after}`, async () => {
      const machine = kiosk(cut.version);
      const run = machine.start(cut.step);
      expect(await run.ended).toBe('SIGKILL');

      expect(machine.installed()).toBe(cut.before);
      expect(machine.status().attempt).toMatchObject({ from: '1.0.0', to: cut.version, phase: cut.phase });

      const after = await machine.recover();

      expect(machine.installed()).toBe(cut.after);
      expect(after.attempt).toBeNull();
      expect(after.last).toMatchObject({ outcome: cut.outcome, from: '1.0.0', to: cut.version });
      expect(after.last?.failure?.code).toBe(cut.code);
      expect(after.events.map((event) => event.action)).toContain('update.install-resumed');
    });
  }

  it('killed while dpkg runs the new package\'s postinst: the next run installs the previous version again', async () => {
    const machine = kiosk('1.1.0-slow');
    const run = machine.start();
    while (!fs.existsSync(path.join(machine.root, 'postinst-running'))) await sleep(50);
    process.kill(-run.pid, 'SIGKILL');
    expect(await run.ended).toBe('SIGKILL');

    expect(machine.installed()).toBe('1.1.0 half-configured');
    expect(machine.status().attempt).toMatchObject({ phase: 'installing' });

    const after = await machine.recover();

    expect(machine.installed()).toBe('1.0.0 installed');
    expect(after.last).toMatchObject({ outcome: 'rolled-back', failure: { code: 'UPDATE_INTERRUPTED' } });
    expect(after.events.map((event) => event.action)).toEqual([
      'update.install-started', 'update.install-resumed', 'update.install-failed', 'update.rolled-back',
    ]);
  });
});
