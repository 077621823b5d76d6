// What the authority's memory does under the two loads issue 12 measured: 150 concurrent unsigned
// 4 MiB PUTs (refused from their headers now, so their bodies are never buffered), and completing
// a 96 MiB chunked upload (assembled once, hashed on the way, decrypted without another copy).
// Each runs the compiled authority (dist/, so `npm run build` first) in a child process and reads
// its peak RSS; the figures are printed. GATEHOUSE_AUTHORITY_DIST=<dir>/dist measures another build
// (e.g. a `git archive` of an older commit compiled with tsc) for before/after figures.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initAuthorityKeys } from '../../../authority/keys/init-keys.js';

const DIST = resolve(process.env.GATEHOUSE_AUTHORITY_DIST ?? join(import.meta.dirname, '../../../dist'));
const BUILT = existsSync(join(DIST, 'authority/http/server.js'));
const MiB = 1024 * 1024;

/** The child's side: MODE=serve answers `rss` lines on stdin; MODE=prepare seals a record; MODE=complete uploads and completes it. */
const CHILD = `
import { createReadStream, writeFileSync, readFileSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
const { DIST, DATA, MODE } = process.env;
const load = (path) => import(new URL('file://' + DIST + '/' + path).href);
const { openAuthority } = await load('authority/authority.js');
const rss = () => ({ rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 });
const authority = await openAuthority({ dataDir: DATA, limits: { uploadBytes: 256 * 1024 * 1024 } });
if (MODE === 'serve') {
  const { startAuthorityServer } = await load('authority/http/server.js');
  const server = await startAuthorityServer(authority, { port: 0 });
  globalThis.gc();
  process.stdout.write(JSON.stringify({ url: server.url, ...rss() }) + '\\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'rss') process.stdout.write(JSON.stringify(rss()) + '\\n');
  }
} else if (MODE === 'prepare') {
  const { createProvisioningToken, registerKiosk } = await load('authority/registration.js');
  const keys = await load('protocol/keys.js');
  const { sealRecord } = await load('protocol/sealed-record.js');
  const signing = keys.generateSigningKeyPair();
  const sealing = keys.generateSealingKeyPair();
  const { token } = await createProvisioningToken(authority, 60);
  const { kioskId } = await registerKiosk(authority, { token, name: 'Measure', signingPublicKey: keys.encodePublicKey(signing.publicKey), sealingPublicKey: keys.encodePublicKey(sealing.publicKey) });
  const { randomBytes, randomUUID } = await import('node:crypto');
  const recordId = randomUUID();
  const sealed = sealRecord({
    recordId, kioskId, createdAt: new Date().toISOString(), kind: 'person-enrollment', json: { measure: true },
    parts: [{ name: 'big.bin', bytes: randomBytes(Number(process.env.SIZE)) }],
    authoritySealingPublicKey: keys.decodePublicKey('x25519', authority.keys.published.sealingPublicKey), kioskSigningPrivateKey: signing.privateKey,
  });
  writeFileSync(DATA + '/envelope.bin', sealed.bytes);
  writeFileSync(DATA + '/envelope.json', JSON.stringify({ kioskId, recordId, digest: sealed.digest, size: sealed.bytes.length }));
} else {
  const { createUpload, appendChunk, completeUpload } = await load('authority/uploads.js');
  const { kioskId, recordId, digest, size } = JSON.parse(readFileSync(DATA + '/envelope.json', 'utf8'));
  const kiosk = await authority.repository.findKiosk(kioskId);
  const { response } = await createUpload(authority, kiosk, recordId, { size, digest });
  const fd = openSync(DATA + '/envelope.bin', 'r');
  const chunk = Buffer.alloc(authority.limits.chunkBytes);
  for (let at = 0; at < size;) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
    await appendChunk(authority, kiosk, response.uploadId, at, chunk.subarray(0, read));
    at += read;
  }
  globalThis.gc();
  const before = rss();
  const intake = await completeUpload(authority, kiosk, response.uploadId, { digest });
  process.stdout.write(JSON.stringify({ before, after: rss(), created: intake.created }) + '\\n');
}
if (MODE !== 'serve') await authority.close();
`;

function child(mode: string, data: string, env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD], { env: { ...process.env, DIST, DATA: data, MODE: mode, ...env } });
}

/** The child's output lines as they come. */
function lines(process: ChildProcessWithoutNullStreams): AsyncIterator<string> {
  let buffered = '';
  const waiting: Array<(line: string) => void> = [];
  const ready: string[] = [];
  process.stdout.on('data', (data: Buffer) => {
    buffered += data.toString();
    for (let at = buffered.indexOf('\n'); at !== -1; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const next = waiting.shift();
      if (next) next(line);
      else ready.push(line);
    }
  });
  return { next: () => new Promise((done) => (ready.length > 0 ? done({ value: ready.shift()!, done: false }) : waiting.push((value) => done({ value, done: false })))) };
}

const exited = (process: ChildProcessWithoutNullStreams) => new Promise<number | null>((done) => process.on('close', done));
const mb = (bytes: number) => Math.round(bytes / MiB);

let data: string;
beforeEach(async () => {
  data = await mkdtemp(join(tmpdir(), 'gatehouse-authority-memory-'));
  await initAuthorityKeys({ dataDir: data });
});
afterEach(() => rm(data, { recursive: true, force: true }));

describe.skipIf(!BUILT)(`authority memory under load (${DIST})`, () => {
  it('does not buffer the bodies of 150 concurrent unsigned 4 MiB PUTs', async () => {
    const server = child('serve', data);
    const out = lines(server);
    const start = JSON.parse((await out.next()).value as string) as { url: string; rss: number; maxRss: number };
    const { port } = new URL(start.url);
    const body = Buffer.alloc(4 * MiB - 1024, 0x61);
    await Promise.all(Array.from({ length: 150 }, (_, i) => new Promise<void>((done) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`PUT /v1/records/00000000-0000-4000-8000-${String(i).padStart(12, '0')} HTTP/1.1\r\nHost: x\r\n`
          + `Content-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`);
        socket.write(body);
      });
      socket.once('data', () => socket.destroy());
      socket.on('error', () => done());
      socket.on('close', () => done());
      setTimeout(() => socket.destroy(), 60_000);
    })));
    server.stdin.write('rss\n');
    const end = JSON.parse((await out.next()).value as string) as { rss: number; maxRss: number };
    server.kill('SIGTERM');
    await exited(server);
    const grew = end.maxRss - start.rss;
    console.log(`150 unsigned 4 MiB PUTs: RSS ${mb(start.rss)} MB at start, peak ${mb(end.maxRss)} MB (+${mb(grew)} MB)`);
    expect(grew).toBeLessThan(100 * MiB);
  });

  it('completes a 96 MiB chunked upload holding the envelope once, not four times', async () => {
    const size = 96 * MiB;
    const prepare = child('prepare', data, { SIZE: String(size) });
    expect(await exited(prepare)).toBe(0);
    const complete = child('complete', data);
    let [out, err] = ['', ''];
    complete.stdout.on('data', (d: Buffer) => (out += d.toString()));
    complete.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect({ code: await exited(complete), err }).toEqual({ code: 0, err: '' });
    const result = JSON.parse(out) as { before: { rss: number }; after: { maxRss: number }; created: boolean };
    const grew = result.after.maxRss - result.before.rss;
    console.log(`completing a 96 MiB upload: RSS ${mb(result.before.rss)} MB before, peak ${mb(result.after.maxRss)} MB (+${mb(grew)} MB)`);
    expect(result.created).toBe(true);
    expect(grew).toBeLessThan(2 * size);
  });
});
