// `gatehouse-update` as the unit and a technician run it (compiled, in a child process), and the
// two systemd units: they pass `systemd-analyze verify` with the package's paths pointed at this
// checkout, and they name the same files the code does (the staged request the kiosk writes, the
// installer's state folder, the entry file).

import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePublicKey, generateSigningKeyPair, keyIdOf, type KeyPair } from '../../../protocol/keys.js';
import { insertIdentity } from '../../../main/provisioning/kiosk-credentials.js';
import { openKioskDatabase } from '../../../main/store/database.js';
import { PACKAGED_DATA_DIR } from '../../../main/updates/installer/installer-cli.js';
import { INSTALLER_STATE_DIR, installerFolders } from '../../../main/updates/installer/installer-folders.js';
import { InstallerStatusFile } from '../../../main/updates/installer/installer-status.js';
import { PinnedUpdateKey } from '../../../main/updates/installer/pinned-update-key.js';
import { STAGED_REQUEST_FILE, updateFolders } from '../../../main/updates/staged-update.js';
import { compileEntry, projectRoot } from '../../fixtures/compile-entry.js';
import { offlineIdentity } from '../../fixtures/offline-identity.js';

const ENTRY = 'main/updates/installer/gatehouse-update.ts';
const systemdDir = path.join(projectRoot, 'resources/systemd');
const folders: string[] = [];
let entry: string;

beforeAll(async () => {
  entry = await compileEntry(ENTRY, 'gatehouse-update');
}, 120_000);

afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-update-cli-'));
  folders.push(folder);
  return folder;
}

async function gatehouseUpdate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [entry, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A provisioned kiosk store in a data folder of its own, whose identity pins `updateKey`. */
function provisionedKiosk(updateKey: KeyPair): string {
  const data = tempFolder();
  const { identity, keys } = offlineIdentity();
  const db = openKioskDatabase(data);
  insertIdentity(db, { ...identity, authority: { ...identity.authority, updateKeyId: keyIdOf(updateKey.publicKey), updatePublicKey: encodePublicKey(updateKey.publicKey) } }, keys);
  db.close();
  return data;
}

describe.skipIf(process.getuid?.() !== 0)('gatehouse-update', () => {
  it('pin-key pins the kiosk\'s update key for root, and will not swap it silently', async () => {
    const updateKey = generateSigningKeyPair();
    const data = provisionedKiosk(updateKey);
    const state = path.join(tempFolder(), 'state');

    const pinned = await gatehouseUpdate('pin-key', '--data', data, '--state', state);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.stdout).toContain(keyIdOf(updateKey.publicKey));
    const file = installerFolders(state).pinnedKeyFile;
    expect(PinnedUpdateKey.parse(JSON.parse(fs.readFileSync(file, 'utf8')))).toMatchObject({
      keyId: keyIdOf(updateKey.publicKey), publicKey: encodePublicKey(updateKey.publicKey),
    });
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);

    const rotated = provisionedKiosk(generateSigningKeyPair());
    const refused = await gatehouseUpdate('pin-key', '--data', rotated, '--state', state);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('UPDATE_KEY_PIN_CHANGED');
    expect(PinnedUpdateKey.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).keyId).toBe(keyIdOf(updateKey.publicKey));
    expect((await gatehouseUpdate('pin-key', '--data', rotated, '--state', state, '--replace')).code).toBe(0);
    expect(PinnedUpdateKey.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).keyId).not.toBe(keyIdOf(updateKey.publicKey));
  });

  it('pin-key refuses a kiosk that pinned no update key', async () => {
    const data = tempFolder();
    openKioskDatabase(data).close();
    const refused = await gatehouseUpdate('pin-key', '--data', data, '--state', path.join(tempFolder(), 'state'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('UPDATE_KEY_NOT_PINNED');
  });

  it('status says what the installer did', async () => {
    const state = tempFolder();
    expect((await gatehouseUpdate('status', '--state', state)).stdout).toBe('the update installer has not run yet\n');
    const status = InstallerStatusFile.open(installerFolders(state).statusFile, () => new Date('2027-03-01T10:00:00.000Z'));
    status.refuse('1.2.0', { code: 'UPDATE_EXPIRED', message: 'The manifest expired.' });

    const text = await gatehouseUpdate('status', '--state', state);
    expect(text.stdout).toContain('last: refused (1.2.0) at 2027-03-01T10:00:00.000Z: The manifest expired. (UPDATE_EXPIRED)');
    expect(JSON.parse((await gatehouseUpdate('status', '--state', state, '--json')).stdout)).toEqual(status.current);
  });

  it.skipIf(fs.existsSync('/run/systemd/system'))('apply refuses to run where systemd does not run the machine', async () => {
    const run = await gatehouseUpdate('apply', '--data', tempFolder(), '--state', tempFolder());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('UPDATE_NO_SERVICE_MANAGER');
  });
});

describe('the gatehouse-update units', () => {
  const service = fs.readFileSync(path.join(systemdDir, 'gatehouse-update.service'), 'utf8');
  const pathUnit = fs.readFileSync(path.join(systemdDir, 'gatehouse-update.path'), 'utf8');

  it('name the files the code uses', () => {
    expect(pathUnit).toContain(`PathExists=${path.join(updateFolders(PACKAGED_DATA_DIR).staged, STAGED_REQUEST_FILE)}\n`);
    expect(pathUnit).toContain('Unit=gatehouse-update.service\n');
    expect(service).toContain(`StateDirectory=${path.basename(INSTALLER_STATE_DIR)}\n`);
    expect(INSTALLER_STATE_DIR).toBe(`/var/lib/${path.basename(INSTALLER_STATE_DIR)}`);
    expect(service).toContain(`ExecStart=/opt/gatehouse/node/bin/node /opt/gatehouse/dist/${ENTRY.replace(/\.ts$/, '.js')} apply --data ${PACKAGED_DATA_DIR}\n`);
  });

  it.skipIf(!fs.existsSync('/usr/bin/systemd-analyze'))('pass systemd-analyze verify', () => {
    const folder = tempFolder();
    fs.writeFileSync(path.join(folder, 'gatehouse-update.path'), pathUnit);
    fs.writeFileSync(path.join(folder, 'gatehouse-update.service'), service
      .replace('/opt/gatehouse/node/bin/node', process.execPath)
      .replace(`/opt/gatehouse/dist/${ENTRY.replace(/\.ts$/, '.js')}`, entry));
    const verify = spawnSync('systemd-analyze', ['verify', 'gatehouse-update.path', 'gatehouse-update.service'], { cwd: folder, encoding: 'utf8' });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
  });
});
