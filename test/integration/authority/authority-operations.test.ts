// Operating the authority (issue 16, item 4), on SQLite and on a PostgreSQL the test starts:
// /v1/health keeps its answer (the kiosk's probe parses it strictly) and /v1/ready says whether to
// send traffic (503 with only a reason when draining, when the database fails or is slow, or when
// the published documents are signed with a key this replica does not hold); every answer carries
// a request id (the client's when sane) and every refusal names it; one log line per request with
// the route template, never the path or the body; a close drains: /v1/ready 503 at once, no new
// connections, a slow upload in flight finishes, and the drain timeout cuts what does not. On
// PostgreSQL the pool holds at most its size and a stuck statement ends at the statement timeout.

import { connect, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openAuthority, type Authority } from '../../../authority/authority.js';
import { startAuthorityServer, type AuthorityServer, type AuthorityServerOptions } from '../../../authority/http/server.js';
import { jsonLinesLog, type RequestLogEntry } from '../../../authority/logging/request-log.js';
import { apiPaths, Health } from '../../../protocol/api.js';
import { sha256Hex } from '../../../protocol/wire-fields.js';
import { startHarness, type Harness } from './authority-harness.js';
import { POSTGRES_MISSING, startPostgres, STORAGE_BACKENDS, type TestPostgres } from '../../../tools/postgres/throwaway-postgres.js';
import { TestKiosk } from './test-kiosk.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let postgres: TestPostgres | undefined;
afterAll(async () => postgres?.stop());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown> & { details?: Record<string, unknown> };
}

/** Reads answers off one socket, in order; 'closed' when it closed before a whole answer. */
class RawConnection {
  private text = '';
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (data) => {
      this.text += data.toString('latin1');
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => this.socket.write(data, () => resolve()));
  }

  async answer(): Promise<RawAnswer | 'closed'> {
    for (;;) {
      const end = this.text.indexOf('\r\n\r\n');
      if (end !== -1) {
        const [statusLine, ...lines] = this.text.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length'] ?? 0);
        if (this.text.length >= end + 4 + length) {
          const body = this.text.slice(end + 4, end + 4 + length);
          this.text = this.text.slice(end + 4 + length);
          return { status: Number(statusLine!.split(' ')[1]), headers, body: body === '' ? {} : JSON.parse(body) };
        }
      }
      if (this.closed) return 'closed';
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** Waits, without a deadline of its own, until `condition` holds (the test's timeout bounds it). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

const refused = (url: string) => new Promise<boolean>((resolve) => {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname, () => {
    socket.destroy();
    resolve(false);
  });
  socket.once('error', () => resolve(true));
});

describe.each(STORAGE_BACKENDS)('operating the authority on $backend', ({ backend, available }) => {
  if (!available) {
    it.skip(POSTGRES_MISSING, () => {});
    return;
  }

  let h: Harness | undefined;
  let database: string | undefined;
  const servers: AuthorityServer[] = [];
  const connections: RawConnection[] = [];
  const authorities: Authority[] = [];
  async function harness(): Promise<Harness> {
    database = undefined;
    if (backend === 'PostgreSQL') {
      postgres ??= await startPostgres();
      database = await postgres.createDatabase();
    }
    h = await startHarness({ database });
    return h;
  }
  /** Another server on the harness's authority (or `authority`), its log lines collected in `lines`. */
  async function serve(options: Partial<AuthorityServerOptions> & { authority?: Authority } = {}) {
    const lines: string[] = [];
    const failures: string[] = [];
    const log = jsonLinesLog((line) => lines.push(line), { requests: true });
    const server = await startAuthorityServer(options.authority ?? h!.authority, {
      port: 0, log: { ...log, failure: (error) => failures.push(String(error)) }, ...options,
    });
    servers.push(server);
    const requests = () => lines.map((line) => JSON.parse(line) as RequestLogEntry & { event: string }).filter((entry) => entry.event === 'request');
    return { server, lines, failures, requests };
  }
  const raw = async (url: string) => {
    const connection = await RawConnection.open(url);
    connections.push(connection);
    return connection;
  };
  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.socket.destroy();
    for (const server of servers.splice(0)) await server.close();
    for (const authority of authorities.splice(0)) await authority.close();
    await h?.close();
    h = undefined;
  });

  it('answers /v1/health as the kiosk probe expects and /v1/ready, each answer with its request id', async () => {
    const { url } = await harness();
    const health = await fetch(`${url}${apiPaths.health}`);
    expect(Health.parse(await health.json()).signingKeyId).toBe(h!.authority.keys.published.signingKeyId);
    expect(health.headers.get('x-request-id')).toMatch(UUID);

    const ready = await fetch(`${url}/v1/ready`, { headers: { 'x-request-id': 'lb-7f3a.42:1' } });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ service: 'gatehouse-authority', ready: true });
    expect(ready.headers.get('x-request-id')).toBe('lb-7f3a.42:1');

    for (const insane of ['two words', 'x'.repeat(129), 'name@example.org', '']) {
      const answer = await fetch(`${url}${apiPaths.health}`, { headers: { 'x-request-id': insane } });
      expect(answer.headers.get('x-request-id'), insane).toMatch(UUID);
    }

    const missing = await fetch(`${url}/v1/nothing-here`, { headers: { 'x-request-id': 'probe-1' } });
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND', details: { requestId: 'probe-1' } });
    const unsigned = await fetch(`${url}${apiPaths.stationConfig}`);
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json() as RawAnswer['body']).details?.requestId).toBe(unsigned.headers.get('x-request-id'));
  });

  it('logs one line per request: route template, status, kiosk and bytes; no path ids, no bodies', async () => {
    const { token } = await harness();
    const { server, requests, lines } = await serve();
    const kiosk = await TestKiosk.register(server.url, await token(), h!.now);
    const sealed = kiosk.seal();
    expect((await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes)).status).toBe(201);
    expect((await kiosk.send('GET', apiPaths.stationConfig, undefined, { alter: (headers) => ({ ...headers, 'x-request-id': 'sync-round-9' }) })).status).toBe(200);
    await until(() => requests().length === 3);

    const [registration, put, config] = requests();
    expect(registration).toMatchObject({ method: 'POST', route: apiPaths.kiosks, status: 201, kioskId: null });
    expect(put).toMatchObject({ method: 'PUT', route: '/v1/records/:recordId', status: 201, kioskId: kiosk.keys.id, bytesIn: sealed.bytes.length });
    expect(put!.bytesOut).toBeGreaterThan(0);
    expect(put!.requestId).toMatch(UUID);
    expect(config).toMatchObject({ method: 'GET', route: apiPaths.stationConfig, status: 200, requestId: 'sync-round-9', bytesIn: 0 });
    const everything = lines.join('');
    expect(everything).not.toContain(sealed.recordId);
    expect(everything).not.toContain('Kiosk Hall A'); // the registration body's kiosk name
  });

  it('is not ready, saying only why, when the database fails or the published documents name a key it does not hold', async () => {
    await harness();
    const authority = h!.authority;
    const failing: Authority = {
      ...authority,
      repository: new Proxy(authority.repository, {
        get: (target, name, receiver) => (name === 'latestPublished'
          ? () => Promise.reject(new Error(`connection to ${database ?? h!.dataDir} refused`))
          : Reflect.get(target, name, receiver) as unknown),
      }),
    };
    const broken = await serve({ authority: failing });
    const answer = await fetch(`${broken.server.url}/v1/ready`);
    expect(answer.status).toBe(503);
    const body = await answer.json() as RawAnswer['body'];
    expect(body).toEqual({ code: 'AUTHORITY_NOT_READY', message: expect.any(String), details: { reason: 'database-unavailable', requestId: answer.headers.get('x-request-id') } });
    expect(JSON.stringify(body)).not.toContain('refused');
    expect(broken.failures.join('')).toContain('refused');
    expect((await fetch(`${broken.server.url}${apiPaths.health}`)).status).toBe(200);

    const { url } = h!;
    const published = await authority.repository.latestPublished('station-config');
    await authority.repository.publish({
      kind: 'station-config', version: published!.version + 1, publishedAt: published!.publishedAt,
      document: { ...(published!.document as object), authorityKeyId: sha256Hex(new Uint8Array([1])).slice(0, 16) },
    });
    const mismatch = await fetch(`${url}/v1/ready`);
    expect(mismatch.status).toBe(503);
    expect(await mismatch.json()).toMatchObject({ details: { reason: 'keys-mismatch' } });
  });

  it('drains on close: /v1/ready 503 at once, no new connections, a slow upload in flight finishes', async () => {
    const { token } = await harness();
    const { server, requests } = await serve();
    const kiosk = await TestKiosk.register(server.url, await token(), h!.now);
    const sealed = kiosk.seal();
    const created = await kiosk.send('POST', apiPaths.recordUploads(sealed.recordId), { size: sealed.bytes.length, digest: sha256Hex(sealed.bytes) });
    expect(created.status).toBe(201);
    const path = apiPaths.uploadChunk(created.body.uploadId as string, 0);

    // A load balancer's probe arriving as the drain starts: its head is read, its last line not yet.
    const probe = await raw(server.url);
    await probe.write('GET /v1/ready HTTP/1.1\r\nHost: authority\r\n');

    const upload = await raw(server.url);
    const headers = { ...kiosk.signedHeaders('PUT', path, sealed.bytes), 'content-type': 'application/octet-stream', 'content-length': String(sealed.bytes.length) };
    await upload.write(`PUT ${path} HTTP/1.1\r\nHost: authority\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    const half = Math.floor(sealed.bytes.length / 2);
    await upload.write(sealed.bytes.subarray(0, half));
    await until(() => server.inFlight() === 1);
    // Whatever the server read before this answer includes the probe's head (written before it).
    expect((await fetch(`${server.url}${apiPaths.health}`)).status).toBe(200);

    const closing = server.close();
    await probe.write('\r\n');
    const draining = await probe.answer();
    expect(draining).toMatchObject({ status: 503, headers: { connection: 'close' }, body: { code: 'AUTHORITY_NOT_READY', details: { reason: 'draining' } } });
    await until(() => refused(server.url));

    await upload.write(sealed.bytes.subarray(half));
    // Its connection ends with its answer, so the close need not wait for it to idle out.
    expect(await upload.answer()).toMatchObject({ status: 200, headers: { connection: 'close' }, body: { offset: sealed.bytes.length } });
    await closing;
    expect(requests().map((entry) => entry.status)).toEqual([201, 201, 200, 503, 200]);
    expect(requests().map((entry) => entry.route)).toEqual([apiPaths.kiosks, '/v1/records/:recordId/uploads', apiPaths.health, '/v1/ready', '/v1/uploads/:uploadId']);
    expect((await h!.authority.repository.findUpload(created.body.uploadId as string))?.offset).toBe(sealed.bytes.length);
  });

  it('cuts a request still unfinished when the drain timeout ends', async () => {
    const { token } = await harness();
    const { server } = await serve({ drainTimeoutMs: 50 });
    const kiosk = await TestKiosk.register(server.url, await token(), h!.now);
    const sealed = kiosk.seal();
    const path = apiPaths.record(sealed.recordId);
    const headers = { ...kiosk.signedHeaders('PUT', path, sealed.bytes), 'content-type': 'application/octet-stream', 'content-length': String(sealed.bytes.length) };
    const upload = await raw(server.url);
    await upload.write(`PUT ${path} HTTP/1.1\r\nHost: authority\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    await upload.write(sealed.bytes.subarray(0, 10));
    await until(() => server.inFlight() === 1);
    await server.close();
    expect(await upload.answer()).toBe('closed');
    expect(await h!.authority.repository.findRecord(kiosk.keys.id, sealed.recordId)).toBeUndefined();
  });

  it.runIf(backend === 'PostgreSQL')('holds at most its pool size, ends a stuck statement at the statement timeout, and is not ready while the database hangs', async () => {
    const { token } = await harness();
    const replica = await openAuthority({ dataDir: h!.dataDir, database, clock: h!.now, store: { poolSize: 2, statementTimeoutMs: 1500, busyTimeoutMs: 0 } });
    authorities.push(replica);
    const { server, failures } = await serve({ authority: replica, readyTimeoutMs: 100 });
    const kiosk = await TestKiosk.register(server.url, await token(), h!.now);

    const locker = new pg.Client({ connectionString: database });
    await locker.connect();
    const waiting = async () => Number((await locker.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n);
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE published_documents IN ACCESS EXCLUSIVE MODE');

      const notReady = await fetch(`${server.url}/v1/ready`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ details: { reason: 'database-timeout' } });

      let settled = 0;
      const stuck = [0, 1, 2, 3, 4, 5].map(() => kiosk.send('GET', apiPaths.stationConfig).finally(() => (settled += 1)));
      let most = 0;
      while (settled < stuck.length) most = Math.max(most, await waiting());
      // The ready probe's query and the requests' share two connections; the rest wait in the pool.
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(2);
      for (const answer of await Promise.all(stuck)) expect(answer.status).toBe(500);
      expect(failures.join('\n')).toContain('statement timeout');
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect((await fetch(`${server.url}/v1/ready`)).status).toBe(200);
  });
});

it('names a fresh request id per request', async () => {
  const ids = new Set<string>();
  const h = await startHarness();
  try {
    for (let i = 0; i < 5; i++) ids.add((await fetch(`${h.url}${apiPaths.health}`)).headers.get('x-request-id')!);
  } finally {
    await h.close();
  }
  expect(ids.size).toBe(5);
  expect([...ids].every((id) => UUID.test(id))).toBe(true);
});
