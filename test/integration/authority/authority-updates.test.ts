// The authority's update channel over real HTTP on loopback, with real .deb files: publishing
// keeps the package content-addressed and 0600 and signs a manifest with the update key (which
// a kiosk gets at registration and which is not the signing key); "latest" is the highest Debian
// version for the architecture; the package downloads whole or by Range (206/416, resumable);
// the routes need the kiosk's signature; a version is one package; the CLI publishes and lists.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../authority/cli/main.js';
import { publishUpdate } from '../../../authority/updates/update-channel.js';
import { apiPaths } from '../../../protocol/api.js';
import { decodePublicKey } from '../../../protocol/keys.js';
import { verifyUpdateManifest } from '../../../protocol/update-manifest.js';
import { sha256Hex } from '../../../protocol/wire-fields.js';
import { buildGatehouseDeb } from '../../fixtures/debs/gatehouse-debs.js';
import { startHarness, type Harness } from './authority-harness.js';
import type { TestKiosk } from './test-kiosk.js';

let harness: Harness;
let kiosk: TestKiosk;
let folder: string;
beforeAll(async () => {
  harness = await startHarness();
  kiosk = await harness.kiosk();
  folder = await mkdtemp(join(tmpdir(), 'gatehouse-update-debs-'));
});
afterAll(async () => {
  await harness.close();
  await rm(folder, { recursive: true, force: true });
});

/** A signed GET, answered as raw bytes with its status and headers. */
async function signedGet(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${harness.url}${path}`, { headers: { ...kiosk.signedHeaders('GET', path, new Uint8Array()), ...headers } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}
const json = (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
const updateKey = () => decodePublicKey('ed25519', kiosk.pinned.updatePublicKey!);

describe('the update channel', () => {
  it('gives the kiosk an update key at registration, distinct from the signing and sealing keys', () => {
    expect(kiosk.pinned.updateKeyId).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set([kiosk.pinned.signingKeyId, kiosk.pinned.sealingKeyId, kiosk.pinned.updateKeyId]).size).toBe(3);
  });

  it('answers 404 UPDATE_NONE_PUBLISHED before anything is published', async () => {
    const reply = await signedGet(apiPaths.updateLatest('amd64'));
    expect(reply.status).toBe(404);
    expect(json(reply.bytes).code).toBe('UPDATE_NONE_PUBLISHED');
  });

  it('publishes a package, serves its signed manifest and the package whole or by range', async () => {
    const deb = buildGatehouseDeb(folder, { version: '1.1.0', payloadBytes: 200_000 });
    const bytes = await readFile(deb);
    const { row, outcome } = await publishUpdate(harness.authority, deb, { minimumVersion: '1.0.0' });
    expect(outcome).toBe('added');
    expect(row).toMatchObject({ version: '1.1.0', architecture: 'amd64', sha256: sha256Hex(bytes), size: bytes.length, minimumVersion: '1.0.0' });
    const kept = await stat(join(harness.dataDir, 'updates', `${row.sha256}.deb`));
    expect(kept.mode & 0o777).toBe(0o600);
    expect((await stat(join(harness.dataDir, 'updates'))).mode & 0o777).toBe(0o700);

    const latest = await signedGet(apiPaths.updateLatest('amd64'));
    expect(latest.status).toBe(200);
    const context = { now: harness.now(), installedVersion: '1.0.0', architecture: 'amd64' };
    const manifest = verifyUpdateManifest(json(latest.bytes), updateKey(), context);
    expect(manifest).toMatchObject({ version: '1.1.0', sha256: row.sha256, size: bytes.length, expiresAt: '2025-03-31T12:00:00.000Z' });
    expect(() => verifyUpdateManifest(json(latest.bytes), kiosk.authoritySigningKey, context)).toThrow(expect.objectContaining({ code: 'UPDATE_SIGNATURE_INVALID' }));

    const path = apiPaths.updatePackage(row.sha256);
    const whole = await signedGet(path);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.bytes.equals(bytes)).toBe(true);

    const rest = await signedGet(path, { range: 'bytes=150000-' });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes 150000-${bytes.length - 1}/${bytes.length}`);
    expect(rest.bytes.equals(bytes.subarray(150_000))).toBe(true);

    const middle = await signedGet(path, { range: 'bytes=10-19' });
    expect(middle.status).toBe(206);
    expect(middle.bytes.equals(bytes.subarray(10, 20))).toBe(true);

    const outside = await signedGet(path, { range: `bytes=${bytes.length}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${bytes.length}`);

    const otherValidator = await signedGet(path, { range: 'bytes=10-19', 'if-range': '"not-this-file"' });
    expect(otherValidator.status).toBe(200);
    expect(otherValidator.bytes.length).toBe(bytes.length);
  });

  it('refuses unsigned requests and unknown packages', async () => {
    const unsigned = await fetch(`${harness.url}${apiPaths.updateLatest('amd64')}`);
    expect(unsigned.status).toBe(401);
    const missing = await signedGet(apiPaths.updatePackage('0'.repeat(64)));
    expect(missing.status).toBe(404);
    expect(json(missing.bytes).code).toBe('UPDATE_PACKAGE_NOT_FOUND');
    const badHash = await signedGet(apiPaths.updatePackage('not-a-hash'));
    expect(badHash.status).toBe(400);
  });

  it('serves the highest Debian version for the architecture, "all" fitting any', async () => {
    await publishUpdate(harness.authority, buildGatehouseDeb(folder, { version: '1.10.0' }));
    await publishUpdate(harness.authority, buildGatehouseDeb(folder, { version: '1.9.0' }));
    await publishUpdate(harness.authority, buildGatehouseDeb(folder, { version: '1.10.0~rc1', architecture: 'all' }));
    expect(json((await signedGet(apiPaths.updateLatest('amd64'))).bytes).version).toBe('1.10.0');
    expect(json((await signedGet(apiPaths.updateLatest('arm64'))).bytes).version).toBe('1.10.0~rc1');
  });

  it('renews the manifest of the same file and refuses another file under a published version', async () => {
    const deb = buildGatehouseDeb(folder, { version: '2.0.0' });
    const first = await publishUpdate(harness.authority, deb);
    harness.advance(3600);
    const again = await publishUpdate(harness.authority, deb, { expiresInDays: 5 });
    expect(again.outcome).toBe('renewed');
    expect(again.row.expiresAt).not.toBe(first.row.expiresAt);
    expect((await harness.authority.repository.findUpdate(first.row.sha256))?.expiresAt).toBe(again.row.expiresAt);

    const impostor = buildGatehouseDeb(folder, { version: '2.0.0' });
    await expect(publishUpdate(harness.authority, impostor)).rejects.toMatchObject({ code: 'UPDATE_VERSION_TAKEN', status: 409 });
    await expect(stat(join(harness.dataDir, 'updates', `${sha256Hex(await readFile(impostor))}.deb`))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses what cannot go on the channel', async () => {
    await expect(publishUpdate(harness.authority, buildGatehouseDeb(folder, { version: '3.0', packageName: 'openssh-server' })))
      .rejects.toMatchObject({ code: 'UPDATE_NOT_GATEHOUSE' });
    await expect(publishUpdate(harness.authority, buildGatehouseDeb(folder, { version: '3.1' }), { minimumVersion: '3.1' }))
      .rejects.toMatchObject({ code: 'UPDATE_MINIMUM_INVALID' });
    await expect(publishUpdate(harness.authority, join(folder, 'missing.deb'))).rejects.toMatchObject({ code: 'UPDATE_NOT_A_PACKAGE' });
  });
});

describe('gatehouse-authority update', () => {
  it('publishes and lists packages, newest first', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-authority-update-cli-'));
    const run = async (...args: string[]) => {
      let out = '';
      let err = '';
      const code = await main(['node', 'gatehouse-authority', '--data', dataDir, ...args], {
        out: (text) => void (out += text), err: (text) => void (err += text), untilStopped: () => Promise.reject(new Error('not serve')),
      });
      return { code, out, err };
    };
    try {
      expect((await run('keys', 'init')).code).toBe(0);
      const published = await run('update', 'publish', buildGatehouseDeb(folder, { version: '1.2.0' }), '--minimum-version', '1.0', '--expires-in', '7', '--json');
      expect(published.code).toBe(0);
      expect(JSON.parse(published.out)).toMatchObject({ package: 'gatehouse', version: '1.2.0', minimumVersion: '1.0' });
      expect((await run('update', 'publish', buildGatehouseDeb(folder, { version: '1.3.0' }))).out).toMatch(/^published gatehouse 1\.3\.0 \(amd64\) sha256 [0-9a-f]{64}, expires /);
      const listed = await run('update', 'list', '--json');
      expect((JSON.parse(listed.out) as Array<{ version: string }>).map((row) => row.version)).toEqual(['1.3.0', '1.2.0']);
      const refused = await run('update', 'publish', buildGatehouseDeb(folder, { version: '1.4.0' }), '--expires-in', 'soon');
      expect(refused).toMatchObject({ code: 2 });
      expect(refused.err).toContain('UPDATE_EXPIRY_INVALID');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
