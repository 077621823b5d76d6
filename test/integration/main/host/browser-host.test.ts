// The browser host on a real loopback port: the page with its security headers, the RPC
// socket that needs this launch's secret and the page's own Origin, malformed messages
// answered without losing the connection, and nothing listening beyond 127.0.0.1.

import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import type { ScreenSession } from '../../../../main/auth/screen-session.js';
import { startBrowserHost, type BrowserHost } from '../../../../main/host/browser-host.js';
import { contentSecurityPolicy } from '../../../../main/host/content-security-policy.js';
import { silentLog } from '../../../../main/log.js';
import { RpcCodes, type RpcResult } from '../../../../main/rpc/define.js';
import { MAX_MESSAGE_BYTES, type ServerMessage } from '../../../../main/rpc/wire.js';
import { openKioskHarness, type KioskHarness } from '../../../fixtures/kiosk-harness.js';

const PAGE_MARKER = 'gatehouse-test-page-7QX';

let h: KioskHarness;
let host: BrowserHost;
let rendererRoot: string;
let secret: string;
let port: number;
let wsBase: string;
const screensOpened: ScreenSession[] = [];
const screensClosed: ScreenSession[] = [];
const closeWaiters: Array<() => void> = [];

beforeAll(async () => {
  h = await openKioskHarness();
  rendererRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-renderer-'));
  fs.mkdirSync(path.join(rendererRoot, 'renderer'));
  fs.writeFileSync(path.join(rendererRoot, 'renderer', 'index.html'), `<!doctype html><title>${PAGE_MARKER}</title>`);
  fs.writeFileSync(path.join(rendererRoot, 'outside.txt'), 'NOT-FOR-THE-PAGE');

  const { kiosk } = h;
  const openScreen = kiosk.openScreen.bind(kiosk);
  const closeScreen = kiosk.closeScreen.bind(kiosk);
  vi.spyOn(kiosk, 'openScreen').mockImplementation((send) => {
    const screen = openScreen(send);
    screensOpened.push(screen);
    return screen;
  });
  vi.spyOn(kiosk, 'closeScreen').mockImplementation((screen) => {
    closeScreen(screen);
    screensClosed.push(screen);
    for (const wake of closeWaiters.splice(0)) wake();
  });

  host = await startBrowserHost({ kiosk, rendererDir: path.join(rendererRoot, 'renderer'), port: 0, log: silentLog });
  const url = new URL(host.url);
  secret = new URLSearchParams(url.hash.slice(1)).get('secret') ?? '';
  port = Number(url.port);
  wsBase = `ws://127.0.0.1:${port}/rpc`;
});

afterAll(async () => {
  await host?.close();
  h?.close();
  fs.rmSync(rendererRoot, { recursive: true, force: true });
});

function get(pathname: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathname }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** A connected RPC client that keeps every server message in arrival order. */
class RpcClient {
  private nextId = 1;
  private readonly received: ServerMessage[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly closed: Promise<number>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: RawData) => {
      this.received.push(JSON.parse(data.toString()) as ServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
  }

  async call(method: string, input: unknown = {}): Promise<RpcResult> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ t: 'call', id, method, input }));
    const message = await this.next((m) => m.t === 'result' && m.id === id);
    return (message as Extract<ServerMessage, { t: 'result' }>).result;
  }

  async sendRaw(data: string | Buffer, binary = false): Promise<ServerMessage> {
    const start = this.received.length;
    this.socket.send(data, { binary });
    return this.next((m) => m.t === 'result' && m.id === -1, start);
  }

  async next(match: (m: ServerMessage) => boolean, from = 0): Promise<ServerMessage> {
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found) {
        this.received.splice(this.received.indexOf(found), 1);
        return found;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

function connect(origin: string | undefined = host.origin, query = `?secret=${secret}`): Promise<RpcClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${wsBase}${query}`, origin === undefined ? {} : { origin });
    socket.once('open', () => resolve(new RpcClient(socket)));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

/** The HTTP status and body with which an upgrade is refused (throws if it is accepted). */
function refusal(origin: string | undefined, query: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${wsBase}${query}`, origin === undefined ? {} : { origin });
    socket.on('error', () => {});
    socket.once('open', () => {
      socket.close();
      reject(new Error('the connection was accepted'));
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

async function closeAndWait(client: RpcClient): Promise<void> {
  const before = screensClosed.length;
  const closed = new Promise<void>((resolve) => closeWaiters.push(resolve));
  client.socket.close();
  await client.closed;
  if (screensClosed.length === before) await closed;
}

describe('the page', () => {
  it('carries the secret in the fragment of a loopback url', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#secret=[A-Za-z0-9_-]{43}$/);
    expect(host.origin).toBe(`http://127.0.0.1:${port}`);
  });

  it('is served with its Content-Security-Policy and anti-framing headers', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain(PAGE_MARKER);
    expect(page.headers['content-security-policy']).toBe(contentSecurityPolicy(host.origin));
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${port}`);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it.each(['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt'])('does not serve files outside the renderer (%s)', async (p) => {
    const response = await get(p);
    expect(response.status).not.toBe(200);
    expect(response.body).not.toContain('NOT-FOR-THE-PAGE');
  });

  it('refuses to start without built screens', async () => {
    await expect(startBrowserHost({ kiosk: h.kiosk, rendererDir: path.join(rendererRoot, 'missing'), port: 0, log: silentLog }))
      .rejects.toMatchObject({ code: 'HOST_NO_RENDERER' });
  });
});

describe('RPC connections', () => {
  it('serves the RPC to the page’s origin with the secret', async () => {
    const before = screensOpened.length;
    const client = await connect();
    expect(await client.call('system.info')).toMatchObject({ ok: true, output: { host: 'browser', firstRun: false } });
    expect(screensOpened.length).toBe(before + 1);
    await closeAndWait(client);
  });

  it.each([
    ['no secret', '', 401],
    ['an empty secret', '?secret=', 401],
    ['a wrong secret', '?secret=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 401],
    ['the secret under another name', '?token=SECRET', 401],
  ])('refuses %s with HTTP %i before any screen opens', async (_label, query, status) => {
    const before = screensOpened.length;
    const answer = await refusal(host.origin, query.replace('SECRET', secret));
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'HOST_CONNECTION_REFUSED' });
    expect(answer.body).not.toContain(secret);
    expect(screensOpened.length).toBe(before);
  });

  it('refuses foreign and missing origins with 403 even with the secret', async () => {
    const before = screensOpened.length;
    const origins = ['http://evil.example', `http://localhost:${port}`, `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`, 'null', undefined];
    for (const origin of origins) {
      expect((await refusal(origin, `?secret=${secret}`)).status, String(origin)).toBe(403);
    }
    expect(screensOpened.length).toBe(before);
  });

  it('gives each connection its own session and closes it with the socket', async () => {
    const a = await connect();
    const b = await connect();
    const olga = h.operator('officer');
    expect(await a.call('auth.login', { name: olga.name, pin: olga.pin })).toMatchObject({ ok: true });
    expect(await a.call('auth.whoami')).toMatchObject({ ok: true, output: { id: olga.id } });
    expect(await b.call('auth.whoami')).toEqual({ ok: true, output: null });
    expect(await b.call('operators.list')).toMatchObject({ ok: false, error: { code: RpcCodes.unauthenticated } });

    const screenA = screensOpened.at(-2)!;
    expect(screenA.operator?.id).toBe(olga.id);
    await closeAndWait(a);
    expect(screensClosed).toContain(screenA);
    expect(screenA.operator).toBeNull();
    expect(screenA.idleCountdownRunning).toBe(false);
    await closeAndWait(b);
  });

  it('delivers contract events to the screen they belong to', async () => {
    const client = await connect();
    const { name, pin } = h.operator('supervisor');
    await client.call('auth.login', { name, pin });
    expect(await client.call('auth.logout')).toEqual({ ok: true, output: {} });
    // Status changes may come first (the status board recounts on its own); the session's end is this screen's.
    expect(await client.next((m) => m.t === 'event' && m.name === 'session.ended')).toEqual({ t: 'event', name: 'session.ended', payload: { reason: 'logout' } });
    await closeAndWait(client);
  });
});

describe('malformed messages', () => {
  let client: RpcClient;
  beforeAll(async () => {
    client = await connect();
  });
  afterAll(async () => {
    await closeAndWait(client);
  });

  const badRequest = { t: 'result', id: -1, result: { ok: false, error: { code: RpcCodes.badRequest, message: expect.any(String), details: {} } } };

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"t":"call","id":1,'],
    ['JSON null', 'null'],
    ['an array', '[{"t":"call","id":1,"method":"system.info","input":{}}]'],
    ['a call without an id', '{"t":"call","method":"system.info","input":{}}'],
    ['a call with an extra field', '{"t":"call","id":1,"method":"system.info","input":{},"role":"technician"}'],
    ['a result instead of a call', '{"t":"result","id":1,"result":{"ok":true}}'],
    ['a method name of a megabyte', JSON.stringify({ t: 'call', id: 1, method: 'm'.repeat(1 << 20), input: {} })],
    ['two megabytes of junk', 'x'.repeat(2 << 20)],
  ])('answers %s with RPC_BAD_REQUEST and keeps the connection', async (_label, text) => {
    expect(await client.sendRaw(text)).toEqual(badRequest);
    expect(await client.call('system.status')).toMatchObject({ ok: true });
  });

  it('answers a binary frame with RPC_BAD_REQUEST, even one holding a valid call', async () => {
    const call = Buffer.from(JSON.stringify({ t: 'call', id: 5, method: 'system.info', input: {} }));
    expect(await client.sendRaw(call, true)).toEqual(badRequest);
    expect(await client.call('system.status')).toMatchObject({ ok: true });
  });

  it('answers an unknown method and bad input with typed errors on the same connection', async () => {
    expect(await client.call('__proto__')).toMatchObject({ ok: false, error: { code: RpcCodes.unknownMethod } });
    expect(await client.call('session.touch', { away: 'yes' })).toMatchObject({
      ok: false, error: { code: RpcCodes.invalidInput, details: { issues: [{ path: ['away'] }] } },
    });
  });

  it('closes a connection that sends more than the message limit, and takes new ones', async () => {
    const greedy = await connect();
    greedy.socket.on('error', () => {});
    greedy.socket.send(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20));
    expect(await greedy.closed).toBe(1009);
    const fresh = await connect();
    expect(await fresh.call('system.info')).toMatchObject({ ok: true });
    await closeAndWait(fresh);
  });
});

describe('the listening socket', () => {
  function tryConnect(address: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: address, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
  }

  it('accepts on 127.0.0.1', async () => {
    expect(await tryConnect('127.0.0.1')).toBe('connected');
  });

  it('is not reachable on any other address of this machine', async () => {
    const others = ['127.0.0.2', '::1', ...Object.values(os.networkInterfaces()).flat()
      .filter((i) => i !== undefined && !i.internal && i.family === 'IPv4').map((i) => i!.address)];
    for (const address of others) expect(await tryConnect(address), address).not.toBe('connected');
  });
});
