// The kiosk's update channel against a real authority on loopback, with real .deb packages: a
// good update is downloaded, verified and staged (and the installer's reader accepts what was
// staged); a tampered manifest, one signed by another key, a package with the wrong bytes, an
// older version and an expired manifest are each refused with nothing staged and one audit
// entry; nothing is staged while an enrollment runs or someone is signed in; a download cut off
// mid-way resumes from where it stopped without fetching the held bytes again.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { publishUpdate } from '../../../../authority/updates/update-channel.js';
import { generateSigningKeyPair } from '../../../../protocol/keys.js';
import { signUpdateManifest } from '../../../../protocol/update-manifest.js';
import { JobRunner } from '../../../../main/jobs/job-runner.js';
import { queuedJob } from '../../../../main/jobs/job-store.js';
import { silentLog } from '../../../../main/log.js';
import { partialPackagePath } from '../../../../main/updates/package-download.js';
import { pinnedUpdateKey } from '../../../../main/updates/pinned-update-key.js';
import { readStagedUpdate, updateFolders } from '../../../../main/updates/staged-update.js';
import { busyReason, UpdateChannel, type BusyReason } from '../../../../main/updates/update-channel.js';
import { readUpdateChannelState } from '../../../../main/updates/update-channel-state.js';
import { UPDATE_PASS, updatePassHandler } from '../../../../main/updates/update-pass-job.js';
import { buildGatehouseDeb } from '../../../fixtures/debs/gatehouse-debs.js';
import type { Harness } from '../../authority/authority-harness.js';
import { freshKioskPerTest, type KioskUnderTest } from '../sync/kiosk-under-test.js';

let debs: string;
beforeAll(() => {
  debs = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-update-debs-'));
});
afterAll(() => fs.rmSync(debs, { recursive: true, force: true }));

let h: Harness;
let k: KioskUnderTest;
freshKioskPerTest((fresh) => ({ h, k } = fresh));

function channel(options: { installedVersion?: string; busy?: () => BusyReason | null; credentials?: () => KioskUnderTest['credentials'] } = {}) {
  return new UpdateChannel({
    db: k.db, dataDir: k.dataDir, credentials: options.credentials ?? (() => k.credentials), installedVersion: options.installedVersion ?? '1.0.0',
    architecture: 'amd64', busy: options.busy ?? (() => null), log: silentLog, now: h.now, timeoutMs: 5_000,
  });
}
const publish = (version: string, options: Parameters<typeof publishUpdate>[2] = {}, payloadBytes?: number) =>
  publishUpdate(h.authority, buildGatehouseDeb(debs, { version, payloadBytes }), options);
const staged = () => updateFolders(k.dataDir).staged;
const updateActions = () => k.auditActions().filter((action) => action.startsWith('update.'));
const refusalDetails = () => (k.db.prepare("SELECT details FROM audit WHERE action = 'update.refused'").all() as Array<{ details: string }>)
  .map((row) => JSON.parse(row.details) as Record<string, unknown>);

function expectRefused(code: string): void {
  expect(fs.existsSync(staged())).toBe(false);
  expect(updateActions().filter((action) => action === 'update.refused')).toHaveLength(1);
  expect(refusalDetails()[0]).toMatchObject({ reason: code });
  expect(readUpdateChannelState(k.db)).toMatchObject({ state: 'refused', reason: { code } });
}

describe('a good update', () => {
  it('is downloaded, verified and staged once, for the installer to verify again', async () => {
    const { row } = await publish('1.1.0', { minimumVersion: '1.0.0' });
    const updates = channel();
    expect(await updates.run()).toBe('staged');
    expect(updateActions()).toEqual(['update.available', 'update.downloaded', 'update.staged']);
    expect(fs.readdirSync(staged()).sort()).toEqual(['gatehouse_1.1.0_amd64.deb', 'manifest.json', 'request.json']);
    const handed = await readStagedUpdate(staged(), pinnedUpdateKey(k.credentials.identity), { now: h.now(), installedVersion: '1.0.0', architecture: 'amd64' });
    expect(handed.request).toMatchObject({ version: '1.1.0', sha256: row.sha256, size: row.size, fromVersion: '1.0.0' });
    expect(readUpdateChannelState(k.db)).toMatchObject({ state: 'staged', version: '1.1.0', reason: null });

    expect(await updates.run()).toBe('already-staged');
    expect(updateActions()).toHaveLength(3);
  });

  it('is looked for after a sync round that reached the authority', async () => {
    await publish('1.1.0');
    const updates = channel();
    await k.sync({ afterOnlineRound: () => updates.afterSyncRound() }).runOnce();
    expect(queuedJob(k.db, UPDATE_PASS.kind, 'update')).toMatchObject({ state: 'queued' });
    const runner = new JobRunner({ db: k.db, log: silentLog, now: () => h.now() });
    runner.register(updatePassHandler(updates));
    runner.start();
    await vi.waitFor(() => expect(queuedJob(k.db, UPDATE_PASS.kind, 'update')).toBeUndefined(), { timeout: 30_000 });
    await runner.stop();
    expect(fs.existsSync(path.join(staged(), 'request.json'))).toBe(true);
    expect(updateActions()).toEqual(['update.available', 'update.downloaded', 'update.staged']);
  });

  it('says nothing when the authority publishes nothing, or only the running version', async () => {
    expect(await channel().run()).toBe('none-published');
    await publish('1.0.0');
    h.advance(40 * 86_400); // even once its manifest has long expired
    expect(await channel().run()).toBe('up-to-date');
    expect(updateActions()).toEqual([]);
    expect(readUpdateChannelState(k.db)).toMatchObject({ state: 'idle', lastCheckedAt: h.now().toISOString() });
  });

  it('waits for an idle moment: never staged during an enrollment or while someone is signed in', async () => {
    await publish('1.1.0');
    let busy: BusyReason | null = busyReason(1, []);
    const updates = channel({ busy: () => busy });
    expect(await updates.run()).toBe('waiting-for-idle');
    expect(fs.existsSync(staged())).toBe(false);
    expect(readUpdateChannelState(k.db)).toMatchObject({ state: 'downloaded', reason: { code: 'UPDATE_WAITING_FOR_IDLE' } });
    busy = busyReason(0, [{ operator: null, assistant: null }, { operator: { id: 1 }, assistant: null }]);
    expect(busy).toBe('operator-signed-in');
    expect(await updates.run()).toBe('waiting-for-idle');
    busy = busyReason(0, [{ operator: null, assistant: null }]);
    expect(await updates.run()).toBe('staged');
    expect(updateActions()).toEqual(['update.available', 'update.downloaded', 'update.staged']);
  });
});

describe('a refused update', () => {
  it('a tampered manifest', async () => {
    const { row } = await publish('1.1.0');
    await h.authority.repository.storeUpdate({ ...row, manifest: { ...row.manifest, minimumVersion: '0.1' } });
    expect(await channel().run()).toBe('refused');
    expectRefused('UPDATE_SIGNATURE_INVALID');
  });

  it('a manifest signed by another key than the pinned update key', async () => {
    const { row } = await publish('1.1.0');
    const fields = (({ updateKeyId: _id, signature: _signature, ...rest }: typeof row.manifest) => rest)(row.manifest);
    await h.authority.repository.storeUpdate({ ...row, manifest: signUpdateManifest(fields, generateSigningKeyPair().privateKey) });
    expect(await channel().run()).toBe('refused');
    expectRefused('UPDATE_SIGNATURE_INVALID');
  });

  it('a package whose bytes are not the ones the manifest names', async () => {
    const { row } = await publish('1.1.0');
    const file = path.join(h.dataDir, 'updates', `${row.sha256}.deb`);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(await channel().run()).toBe('refused');
    expectRefused('UPDATE_HASH_MISMATCH');
    expect(fs.existsSync(partialPackagePath(updateFolders(k.dataDir).partial, row.sha256))).toBe(false);
  });

  it('an older version than the one running (rollback)', async () => {
    await publish('1.1.0');
    expect(await channel({ installedVersion: '1.2.0' }).run()).toBe('refused');
    expectRefused('UPDATE_NOT_NEWER');
  });

  it('an expired manifest (freeze), audited once however often it is seen', async () => {
    await publish('1.1.0', { expiresInDays: 7 });
    h.advance(8 * 86_400);
    const updates = channel();
    expect(await updates.run()).toBe('refused');
    expect(await updates.run()).toBe('refused');
    expectRefused('UPDATE_EXPIRED');
  });

  it('any update on a kiosk provisioned before update keys existed', async () => {
    await publish('1.1.0');
    const authority = (({ updateKeyId: _id, updatePublicKey: _key, ...rest }: typeof k.credentials.identity.authority) => rest)(k.credentials.identity.authority);
    const unpinned = { ...k.credentials, identity: { ...k.credentials.identity, authority } };
    expect(await channel({ credentials: () => unpinned }).run()).toBe('refused');
    expectRefused('UPDATE_KEY_NOT_PINNED');
  });
});

/** A TCP proxy to the authority that cuts every connection once `cutAfter` response bytes have passed, and remembers the requests' heads. */
async function cuttingProxy(upstream: string) {
  const target = new URL(upstream);
  const state = { cutAfter: Infinity, heads: [] as string[], responseBytes: [] as number[] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const server = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(server);
    let sent = 0;
    const index = state.responseBytes.push(0) - 1;
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (/^[A-Z]+ \//.test(text)) state.heads.push(text.slice(0, text.indexOf('\r\n\r\n')));
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => {
      const room = state.cutAfter - sent;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      sent += part.length;
      state.responseBytes[index]! += part.length;
      client.write(part);
      if (sent >= state.cutAfter) {
        client.destroy();
        server.destroy();
      }
    });
    const end = () => { client.destroy(); server.destroy(); };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy(); // keep-alive connections would hold the close
  });
  return { url: `http://127.0.0.1:${port}`, state, close };
}

describe('an interrupted download', () => {
  it('resumes where the connection was cut, without fetching the held bytes again', async () => {
    const { row } = await publish('1.1.0', {}, 600_000);
    const proxy = await cuttingProxy(h.url);
    try {
      const viaProxy = { ...k.credentials, identity: { ...k.credentials.identity, authorityUrl: proxy.url } };
      const updates = channel({ credentials: () => viaProxy });
      proxy.state.cutAfter = 250_000; // the manifest passes; the package is cut about 40 % in
      expect(await updates.run()).toBe('download-failed');
      const partial = partialPackagePath(updateFolders(k.dataDir).partial, row.sha256);
      const held = fs.statSync(partial).size;
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThan(row.size);
      expect(readUpdateChannelState(k.db)).toMatchObject({ state: 'failed' });
      expect(fs.existsSync(staged())).toBe(false);

      proxy.state.cutAfter = Infinity;
      const before = proxy.state.responseBytes.length;
      expect(await updates.run()).toBe('staged');
      const resumed = proxy.state.heads.filter((head) => head.startsWith(`GET /v1/updates/packages/${row.sha256}`)).at(-1)!;
      expect(resumed.toLowerCase()).toContain(`range: bytes=${held}-`);
      const secondTransfer = proxy.state.responseBytes.slice(before).reduce((sum, bytes) => sum + bytes, 0);
      expect(secondTransfer).toBeLessThan(row.size - held + 10_000); // the rest and the headers, not the whole package
      const downloaded = k.db.prepare("SELECT details FROM audit WHERE action = 'update.downloaded'").get() as { details: string };
      expect(JSON.parse(downloaded.details)).toMatchObject({ resumedFrom: held, fetched: row.size - held });
    } finally {
      await proxy.close();
    }
  });
});
