// The hand-over to the installer: what the kiosk stages reads back and verifies; a request that
// does not describe its manifest, a changed package, a manifest from another key or an expired
// one are refused by the reader, whichever copy of the folder it is given.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../../../protocol/keys.js';
import { signUpdateManifest } from '../../../../protocol/update-manifest.js';
import { sha256Hex } from '../../../../protocol/wire-fields.js';
import {
  clearStagedUpdate, peekStagedRequest, readStagedUpdate, STAGED_MANIFEST_FILE, STAGED_REQUEST_FILE, writeStagedUpdate,
} from '../../../../main/updates/staged-update.js';

const updateKey = generateSigningKeyPair();
const bytes = Buffer.from('!<arch>\na tiny stand-in for a package\n');
const manifest = signUpdateManifest({
  package: 'gatehouse', version: '1:2.0.0-1', architecture: 'amd64', sha256: sha256Hex(bytes), size: bytes.length, minimumVersion: '0',
  publishedAt: '2026-12-01T00:00:00.000Z', expiresAt: '2026-12-31T00:00:00.000Z',
}, updateKey.privateKey);
const context = { now: new Date('2026-12-06T10:00:00.000Z'), installedVersion: '1.0.0', architecture: 'amd64' };

let dir: string;
let staged: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-staged-'));
  staged = path.join(dir, 'updates', 'staged');
  const partial = path.join(dir, 'package.part');
  fs.writeFileSync(partial, bytes);
  writeStagedUpdate(staged, { packagePath: partial, signedManifest: manifest, fromVersion: '1.0.0', now: context.now });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const rewrite = (file: string, change: (value: Record<string, unknown>) => Record<string, unknown>) =>
  fs.writeFileSync(path.join(staged, file), JSON.stringify(change(JSON.parse(fs.readFileSync(path.join(staged, file), 'utf8')) as Record<string, unknown>)));

describe('a staged update', () => {
  it('is the package (named without its epoch), the manifest and the request, all 0600, and reads back verified', async () => {
    expect(fs.readdirSync(staged).sort()).toEqual(['gatehouse_2.0.0-1_amd64.deb', STAGED_MANIFEST_FILE, STAGED_REQUEST_FILE]);
    for (const name of fs.readdirSync(staged)) expect(fs.statSync(path.join(staged, name)).mode & 0o777).toBe(0o600);
    const read = await readStagedUpdate(staged, updateKey.publicKey, context);
    expect(read.manifest).toEqual(manifest);
    expect(read.request).toMatchObject({ format: 'gatehouse-update-request', formatVersion: 1, version: '1:2.0.0-1', fromVersion: '1.0.0' });
    expect(read.packagePath).toBe(path.join(staged, 'gatehouse_2.0.0-1_amd64.deb'));
    expect(peekStagedRequest(staged)).toEqual(read.request);
  });

  it('is refused when its parts do not agree or were changed', async () => {
    rewrite(STAGED_REQUEST_FILE, (request) => ({ ...request, sha256: 'f'.repeat(64) }));
    await expect(readStagedUpdate(staged, updateKey.publicKey, context)).rejects.toMatchObject({ code: 'UPDATE_REQUEST_MALFORMED' });
  });

  it('is refused with a package that is not the signed one', async () => {
    const changed = Buffer.from(bytes);
    changed[3]! ^= 1;
    fs.writeFileSync(path.join(staged, 'gatehouse_2.0.0-1_amd64.deb'), changed);
    await expect(readStagedUpdate(staged, updateKey.publicKey, context)).rejects.toMatchObject({ code: 'UPDATE_HASH_MISMATCH' });
  });

  it('is refused with another key, once expired, or over a version as new', async () => {
    await expect(readStagedUpdate(staged, generateSigningKeyPair().publicKey, context)).rejects.toMatchObject({ code: 'UPDATE_SIGNATURE_INVALID' });
    await expect(readStagedUpdate(staged, updateKey.publicKey, { ...context, now: new Date('2027-01-01') })).rejects.toMatchObject({ code: 'UPDATE_EXPIRED' });
    await expect(readStagedUpdate(staged, updateKey.publicKey, { ...context, installedVersion: '1:2.0.0-1' })).rejects.toMatchObject({ code: 'UPDATE_NOT_NEWER' });
  });

  it('is absent after clearing, and a malformed request is refused', async () => {
    rewrite(STAGED_REQUEST_FILE, (request) => ({ ...request, packageFile: '../../etc/passwd' }));
    expect(() => peekStagedRequest(staged)).toThrow(expect.objectContaining({ code: 'UPDATE_REQUEST_MALFORMED' }));
    clearStagedUpdate(staged);
    expect(peekStagedRequest(staged)).toBeNull();
    await expect(readStagedUpdate(staged, updateKey.publicKey, context)).rejects.toMatchObject({ code: 'UPDATE_NOT_STAGED' });
  });
});
