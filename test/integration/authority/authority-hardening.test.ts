// The authority under hostile or careless clients (issue 12, "Hardening"): it answers an unsigned
// or mis-signed request from its headers alone, before reading a byte of the body; it caps
// connections, requests in flight, open uploads per kiosk, registration attempts and failed
// signatures per client address with 429 and Retry-After; it expires abandoned uploads; record
// ids are namespaced by kiosk (another kiosk's id is simply not found); a repeated signature header
// is a typed 401. The same on SQLite and on PostgreSQL.

import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { apiPaths, UploadState } from '../../../protocol/api.js';
import { sweepAbandonedUploads } from '../../../authority/uploads.js';
import { startHarness, type Harness } from './authority-harness.js';
import { POSTGRES_MISSING, startPostgres, STORAGE_BACKENDS, type TestPostgres } from '../../../tools/postgres/throwaway-postgres.js';
import type { AuthorityLimits } from '../../../authority/authority.js';
import type { TestKiosk } from './test-kiosk.js';

let postgres: TestPostgres | undefined;
afterAll(async () => postgres?.stop());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Opens a socket to the harness and writes `head` (request line and headers); the body is up to the test. */
function openRaw(url: string, head: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head, () => resolve(socket)));
    socket.once('error', reject);
  });
}

/** The first HTTP answer on `socket`, or 'no answer' when none came within `ms`. */
function answerOn(socket: Socket, ms = 3000): Promise<RawAnswer | 'no answer' | 'closed'> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve('no answer'), ms);
    const settle = () => {
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return false;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? 0);
      if (text.length < end + 4 + length) return false;
      clearTimeout(timer);
      const body = text.slice(end + 4, end + 4 + length);
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: body === '' ? {} : JSON.parse(body) });
      return true;
    };
    socket.on('data', (data) => {
      text += data.toString('latin1');
      settle();
    });
    socket.on('close', () => {
      if (!settle()) {
        clearTimeout(timer);
        resolve('closed');
      }
    });
    socket.on('error', () => {});
  });
}

describe.each(STORAGE_BACKENDS)('authority hardening on $backend', ({ backend, available }) => {
  if (!available) {
    it.skip(POSTGRES_MISSING, () => {});
    return;
  }

  let h: Harness | undefined;
  const sockets: Socket[] = [];
  async function harness(limits: Partial<AuthorityLimits> = {}): Promise<Harness> {
    let database: string | undefined;
    if (backend === 'PostgreSQL') {
      postgres ??= await startPostgres();
      database = await postgres.createDatabase();
    }
    h = await startHarness({ database, limits: { recordBodyBytes: 64 * 1024, chunkBytes: 16 * 1024, uploadBytes: 1024 * 1024, ...limits } });
    return h;
  }
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await h?.close();
    h = undefined;
  });

  const create = (kiosk: TestKiosk, recordId: string = randomUUID()) =>
    kiosk.send('POST', apiPaths.recordUploads(recordId), { size: 100, digest: 'a'.repeat(64) });

  const raw = async (url: string, head: string) => {
    const socket = await openRaw(url, head);
    sockets.push(socket);
    return socket;
  };

  describe('authentication before the body', () => {
    it('answers an unsigned 4 MiB PUT from its headers, without waiting for the body, and closes the connection', async () => {
      const { url } = await harness({ recordBodyBytes: 4 * 1024 * 1024 });
      const socket = await raw(url, `PUT ${apiPaths.record(randomUUID())} HTTP/1.1\r\nHost: x\r\n`
        + `Content-Type: application/octet-stream\r\nContent-Length: ${4 * 1024 * 1024}\r\n\r\n`);
      const answer = await answerOn(socket);
      expect(answer).toMatchObject({ status: 401, headers: { connection: 'close' }, body: { code: 'SIG_MISSING' } });
    });

    it('answers a PUT signed with an unknown key before its body', async () => {
      const { url } = await harness();
      const kiosk = await h!.kiosk();
      const path = apiPaths.record(randomUUID());
      const body = Buffer.alloc(32 * 1024, 1);
      const signed: Record<string, string> = { ...kiosk.signedHeaders('PUT', path, body), 'content-type': 'application/octet-stream', 'content-length': String(body.length) };
      const forged = signed['signature-input']!.replace(kiosk.keys.id, randomUUID());
      const head = Object.entries({ ...signed, 'signature-input': forged }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      const answer = await answerOn(await raw(url, `PUT ${path} HTTP/1.1\r\nHost: x\r\n${head}\r\n`));
      expect(answer).toMatchObject({ status: 401, body: { code: 'KEY_UNKNOWN' } });
    });

    it('refuses a body that differs from the signed Content-Digest after reading it', async () => {
      await harness();
      const kiosk = await h!.kiosk();
      const sealed = kiosk.seal();
      const headers = kiosk.signedHeaders('PUT', apiPaths.record(sealed.recordId), kiosk.seal().bytes);
      const reply = await kiosk.sendRaw('PUT', apiPaths.record(sealed.recordId), sealed.bytes, { ...headers, 'content-type': 'application/octet-stream' });
      expect(reply).toMatchObject({ status: 401, body: { code: 'DIGEST_MISMATCH' } });
      expect((await h!.authority.repository.counts()).records).toBe(0);
    });

    it.each(['signature-input', 'signature', 'content-digest'])('answers a repeated %s header with a typed 401 SIG_MALFORMED', async (name) => {
      const { url } = await harness();
      const kiosk = await h!.kiosk();
      const signed = kiosk.signedHeaders('GET', apiPaths.stationConfig, new Uint8Array());
      const status = await new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const request = httpRequest(`${url}${apiPaths.stationConfig}`, { method: 'GET' }, (response) => {
          let text = '';
          response.on('data', (d: Buffer) => (text += d.toString()));
          response.on('end', () => resolve({ status: response.statusCode!, body: text === '' ? {} : JSON.parse(text) }));
        });
        for (const [key, value] of Object.entries(signed)) request.setHeader(key, key === name ? [value, value] : value);
        request.on('error', reject);
        request.end();
      });
      expect(status).toMatchObject({ status: 401, body: { code: 'SIG_MALFORMED', message: expect.stringContaining(name) } });
    });
  });

  describe('limits', () => {
    it('closes connections beyond maxConnections', async () => {
      const { url } = await harness({ maxConnections: 2 });
      const idle = `GET ${apiPaths.health} HTTP/1.1\r\nHost: x\r\n\r\n`;
      expect(await answerOn(await raw(url, idle))).toMatchObject({ status: 200 });
      expect(await answerOn(await raw(url, idle))).toMatchObject({ status: 200 });
      expect(await answerOn(await raw(url, idle), 1500)).toBe('closed');
    });

    it('drops a client that never finishes its headers once headersTimeoutMs passes', async () => {
      const { url } = await harness({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
      const socket = await raw(url, `GET ${apiPaths.health} HTTP/1.1\r\nHost: x\r\n`);
      const answer = await answerOn(socket, 5000);
      expect(answer === 'closed' || (answer !== 'no answer' && answer.status === 408)).toBe(true);
    });

    it('answers 429 with Retry-After when maxInFlightRequests are being served, but liveness still answers', async () => {
      const { url } = await harness({ maxInFlightRequests: 1 });
      const kiosk = await h!.kiosk();
      const path = apiPaths.record(randomUUID());
      const body = Buffer.alloc(16 * 1024, 7);
      const headers = { ...kiosk.signedHeaders('PUT', path, body), 'content-type': 'application/octet-stream', 'content-length': String(body.length) };
      // A signed request that is in flight: its headers are in, its body still to come.
      const slow = await raw(url, `PUT ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const busy = await fetch(`${url}/v1/ready`);
      expect(busy.status).toBe(429);
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await busy.json()).toMatchObject({ code: 'AUTHORITY_BUSY', details: { limit: 1 } });
      // A busy process is alive: an orchestrator must not restart it for being loaded.
      expect((await fetch(`${url}${apiPaths.health}`)).status).toBe(200);
      slow.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await fetch(`${url}/v1/ready`)).status).toBe(200);
    });

    it('limits registration attempts per client address, then lets them in again', async () => {
      await harness({ registrationAttemptsPerWindow: 3, registrationWindowSeconds: 60 });
      const attempt = () => fetch(`${h!.url}${apiPaths.kiosks}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'ght_wrong', name: 'x', signingPublicKey: 'x', sealingPublicKey: 'x' }),
      });
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(400);
      const limited = await attempt();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await limited.json()).toMatchObject({ code: 'REGISTRATION_RATE_LIMITED' });
      h!.advance(61);
      expect((await attempt()).status).toBe(400);
    });

    it('limits failed signatures per client address, refusing even a good one until the window passes', async () => {
      await harness({ failedSignaturesPerWindow: 3, failedSignatureWindowSeconds: 60 });
      const kiosk = await h!.kiosk();
      for (let i = 0; i < 3; i++) expect((await kiosk.send('GET', apiPaths.stationConfig, undefined, { unsigned: true })).status).toBe(401);
      const limited = await kiosk.send('GET', apiPaths.stationConfig);
      expect(limited).toMatchObject({ status: 429, body: { code: 'SIGNATURE_FAILURES_RATE_LIMITED' } });
      h!.advance(61);
      expect((await kiosk.send('GET', apiPaths.stationConfig)).status).toBe(200);
    });
  });

  describe('uploads', () => {
    it('caps the open uploads of one kiosk with 429 and Retry-After, not another kiosk\'s', async () => {
      await harness({ openUploadsPerKiosk: 2 });
      const kiosk = await h!.kiosk();
      const first = await create(kiosk);
      expect(first.status).toBe(201);
      expect((await create(kiosk)).status).toBe(201);
      const third = await create(kiosk);
      expect(third).toMatchObject({ status: 429, body: { code: 'UPLOADS_OPEN_LIMIT', details: { limit: 2 } } });
      expect(Number(third.body.details && (third.body.details as { retryAfterSeconds: number }).retryAfterSeconds)).toBeGreaterThanOrEqual(1);
      // Resuming an open upload is not a new one.
      const resumed = await kiosk.send('POST', apiPaths.recordUploads(String(UploadState.parse(first.body).recordId)), { size: 100, digest: 'a'.repeat(64) });
      expect(resumed.status).toBe(200);
      expect((await create(await h!.kiosk('Kiosk B'))).status).toBe(201);
    });

    it('refuses an upload larger than uploadBytes with 413', async () => {
      await harness();
      const kiosk = await h!.kiosk();
      const reply = await kiosk.send('POST', apiPaths.recordUploads(randomUUID()), { size: 1024 * 1024 + 1, digest: 'a'.repeat(64) });
      expect(reply).toMatchObject({ status: 413, body: { code: 'UPLOAD_TOO_LARGE' } });
    });

    it('expires an upload left idle for uploadIdleSeconds, and frees its place', async () => {
      await harness({ openUploadsPerKiosk: 1, uploadIdleSeconds: 3600 });
      const kiosk = await h!.kiosk();
      const abandoned = UploadState.parse((await create(kiosk)).body);
      h!.advance(1800);
      expect(await sweepAbandonedUploads(h!.authority)).toBe(0);
      expect((await create(kiosk)).status).toBe(429);
      h!.advance(1801);
      expect(await sweepAbandonedUploads(h!.authority)).toBe(1);
      expect((await kiosk.send('GET', apiPaths.upload(abandoned.uploadId))).status).toBe(404);
      expect((await create(kiosk)).status).toBe(201);
    });
  });

  describe('record ids namespaced by kiosk', () => {
    it('keeps the same record id from two kiosks as two records, and another kiosk\'s id is not found', async () => {
      await harness();
      const a = await h!.kiosk('Kiosk A');
      const b = await h!.kiosk('Kiosk B');
      const c = await h!.kiosk('Kiosk C');
      const ofA = a.seal();
      const ofB = b.seal({ recordId: ofA.recordId });
      expect((await a.send('PUT', apiPaths.record(ofA.recordId), ofA.bytes)).status).toBe(201);
      expect(await b.send('PUT', apiPaths.record(ofA.recordId), ofB.bytes)).toMatchObject({ status: 201, body: { digest: ofB.digest } });
      expect(await a.send('GET', apiPaths.record(ofA.recordId))).toMatchObject({ status: 200, body: { digest: ofA.digest } });
      expect(await b.send('GET', apiPaths.record(ofA.recordId))).toMatchObject({ status: 200, body: { digest: ofB.digest } });
      expect(await c.send('GET', apiPaths.record(ofA.recordId))).toMatchObject({ status: 404, body: { code: 'RECORD_NOT_FOUND' } });
      expect((await h!.authority.repository.counts()).records).toBe(2);
    });

    it('lets a kiosk upload in chunks under an id another kiosk holds or is uploading', async () => {
      await harness();
      const a = await h!.kiosk('Kiosk A');
      const b = await h!.kiosk('Kiosk B');
      const recordId = randomUUID();
      expect((await create(a, recordId)).status).toBe(201);
      expect((await create(b, recordId)).status).toBe(201);
      const held = a.seal();
      await a.send('PUT', apiPaths.record(held.recordId), held.bytes);
      expect((await create(b, held.recordId)).status).toBe(201);
    });
  });
});
