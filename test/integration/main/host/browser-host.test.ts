// The browser host on a real loopback port: the page with its security headers, one-time
// page addresses exchanged for a session cookie (a spent or stolen one opens nothing and is
// logged and audited), the RPC socket that needs a session and the page's own Origin,
// malformed messages answered without losing the connection, and nothing listening
// beyond 127.0.0.1.

import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import type { ScreenSession } from '../../../../main/auth/screen-session.js';
import { startBrowserHost, type BrowserHost } from '../../../../main/host/browser-host.js';
import { chromiumArgs } from '../../../../main/host/chromium-launcher.js';
import { contentSecurityPolicy } from '../../../../main/host/content-security-policy.js';
import { mintPageUrl, pageKeyPath } from '../../../../main/host/page-key-file.js';
import { BOOTSTRAP_TOKEN_LIFETIME_MS } from '../../../../main/host/page-sessions.js';
import { silentLog, type Log } from '../../../../main/log.js';
import { RpcCodes, type RpcResult } from '../../../../main/rpc/define.js';
import { MAX_MESSAGE_BYTES, type ServerMessage } from '../../../../main/rpc/wire.js';
import { auditHeadSeq, auditRowsAfter, openKioskHarness, type KioskHarness } from '../../../fixtures/kiosk-harness.js';

const PAGE_MARKER = 'gatehouse-test-page-7QX';

let h: KioskHarness;
let host: BrowserHost;
let rendererRoot: string;
/** A `Cookie` header with a session of `host`, as a page holds it after its address was exchanged. */
let session: string;
let port: number;
const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
const recordingLog: Log = { info() {}, warn: (message, fields) => warnings.push({ message, fields }), error() {} };
const clock = { offset: 0 };
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

  host = await startBrowserHost({
    kiosk, rendererDir: path.join(rendererRoot, 'renderer'), port: 0, log: recordingLog, dataDir: h.dataDir, now: () => Date.now() + clock.offset,
  });
  port = Number(new URL(host.origin).port);
  wsBase = `ws://127.0.0.1:${port}/rpc`;
  session = await openSession(host.pageUrl());
});

afterAll(async () => {
  await host?.close();
  h?.close();
  fs.rmSync(rendererRoot, { recursive: true, force: true });
});

/** Opens a page address the way Chromium does and answers the session cookie it was given. */
async function openSession(address: string): Promise<string> {
  const answer = await get(new URL(address).pathname + new URL(address).search);
  expect(answer.status, answer.body).toBe(303);
  const cookie = answer.headers['set-cookie']?.[0] ?? '';
  return cookie.split(';')[0]!;
}

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

function socketOptions(origin: string | undefined, cookie: string | undefined) {
  return { ...(origin === undefined ? {} : { origin }), ...(cookie === undefined ? {} : { headers: { cookie } }) };
}

function connect(origin: string | undefined = host.origin, cookie: string | undefined = session): Promise<RpcClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsBase, socketOptions(origin, cookie));
    socket.once('open', () => resolve(new RpcClient(socket)));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

/** The HTTP status and body with which an upgrade is refused (throws if it is accepted). */
function refusal(origin: string | undefined, cookie: string | undefined, query = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${wsBase}${query}`, socketOptions(origin, cookie));
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
  it('is served from a loopback origin', () => {
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
    await expect(startBrowserHost({ kiosk: h.kiosk, rendererDir: path.join(rendererRoot, 'missing'), port: 0, log: silentLog, dataDir: h.dataDir }))
      .rejects.toMatchObject({ code: 'HOST_NO_RENDERER' });
  });

  it('removes its page key file when it closes', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-host-'));
    try {
      const other = await startBrowserHost({ kiosk: h.kiosk, rendererDir: path.join(rendererRoot, 'renderer'), port: 0, log: silentLog, dataDir });
      expect(JSON.parse(fs.readFileSync(pageKeyPath(dataDir), 'utf8'))).toMatchObject({ origin: other.origin });
      await other.close();
      expect(fs.existsSync(pageKeyPath(dataDir))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('page addresses', () => {
  const tokenOf = (address: string) => new URL(address).searchParams.get('bootstrap')!;

  it('are one-time addresses on the session path, a new one each time', () => {
    const [a, b] = [host.pageUrl(), host.pageUrl()];
    expect(a).toMatch(new RegExp(`^${host.origin}/session\\?bootstrap=[0-9a-z]+\\.[A-Za-z0-9_-]{24}\\.[A-Za-z0-9_-]{43}$`));
    expect(a).not.toBe(b);
  });

  it('are exchanged for an HttpOnly SameSite=Strict session cookie and a redirect to the page', async () => {
    const answer = await get(new URL(host.pageUrl()).pathname + new URL(host.pageUrl()).search);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/');
    expect(answer.headers['set-cookie']).toEqual([expect.stringMatching(/^gatehouse-session=[A-Za-z0-9_-]{43}; Path=\/rpc; HttpOnly; SameSite=Strict$/)]);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
  });

  it('open nothing a second time: 403, a warning for the technician and one audit entry', async () => {
    const address = host.pageUrl();
    const cookie = await openSession(address);
    const seq = auditHeadSeq(h.kiosk);
    warnings.length = 0;
    for (let i = 0; i < 2; i += 1) {
      const again = await get(new URL(address).pathname + new URL(address).search);
      expect(again.status).toBe(403);
      expect(again.headers['set-cookie']).toBeUndefined();
      expect(again.body).toContain('already used');
      expect(again.headers['content-security-policy']).toBe(contentSecurityPolicy(host.origin));
    }
    expect(warnings).toEqual([expect.objectContaining({ fields: { reason: expect.stringContaining('already used') } }), expect.anything()]);
    expect(JSON.stringify(warnings)).not.toContain(tokenOf(address));
    expect(auditRowsAfter(h.kiosk, seq)).toEqual([expect.objectContaining({ actor: null, action: 'host.page-address-reused', details: '{}' })]);
    // The page that used the address first keeps its session.
    const client = await connect(host.origin, cookie);
    expect(await client.call('system.info')).toMatchObject({ ok: true });
    await closeAndWait(client);
  });

  it.each([
    ['no token', ''],
    ['an empty token', '?bootstrap='],
    ['a token this host did not mint', '?bootstrap=mb1.AAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['two tokens', '?bootstrap=a&bootstrap=b'],
  ])('refuse %s with 403 and no cookie', async (_label, query) => {
    const answer = await get(`/session${query}`);
    expect(answer.status).toBe(403);
    expect(answer.headers['set-cookie']).toBeUndefined();
  });

  it('are not spent by a HEAD request', async () => {
    const address = new URL(host.pageUrl());
    const head = await new Promise<number>((resolve, reject) => {
      http.request({ host: '127.0.0.1', port, path: address.pathname + address.search, method: 'HEAD' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(head).not.toBe(303);
    expect(await openSession(address.href)).toMatch(/^gatehouse-session=/);
  });

  it('expire a minute after they were minted', async () => {
    const address = host.pageUrl();
    clock.offset = BOOTSTRAP_TOKEN_LIFETIME_MS + 1;
    try {
      expect((await get(new URL(address).pathname + new URL(address).search)).status).toBe(403);
    } finally {
      clock.offset = 0;
    }
  });

  it('on Chromium’s command line are spent once Chromium opened the page, and nothing else there opens a screen', async () => {
    const args = chromiumArgs({ url: host.pageUrl(), origin: host.origin, dataDir: h.dataDir, asRoot: false, kiosk: true });
    const app = new URL(args.find((a) => a.startsWith('--app='))!.slice('--app='.length));
    await openSession(app.href); // Chromium, a moment after its launch
    // What another local user reads in /proc/PID/cmdline afterwards:
    expect((await get(app.pathname + app.search)).status).toBe(403);
    const before = screensOpened.length;
    for (const word of args.flatMap((a) => [a, ...a.split(/[=?&#]/)])) {
      expect((await refusal(host.origin, `gatehouse-session=${word}`)).status, word).toBe(401);
      expect((await refusal(host.origin, undefined, `?secret=${encodeURIComponent(word)}`)).status, word).toBe(401);
    }
    expect(screensOpened.length).toBe(before);
  });

  it('are minted from the page key file, which only this user can read', async () => {
    expect(fs.statSync(pageKeyPath(h.dataDir)).mode & 0o777).toBe(0o600);
    const cookie = await openSession(mintPageUrl(h.dataDir));
    const client = await connect(host.origin, cookie);
    expect(await client.call('system.info')).toMatchObject({ ok: true });
    await closeAndWait(client);
  });
});

describe('RPC connections', () => {
  it('serves the RPC to the page’s origin with a session', async () => {
    const before = screensOpened.length;
    const client = await connect();
    expect(await client.call('system.info')).toMatchObject({ ok: true, output: { host: 'browser', firstRun: false } });
    expect(screensOpened.length).toBe(before + 1);
    await closeAndWait(client);
  });

  it.each([
    ['no session', undefined],
    ['an empty session cookie', 'gatehouse-session='],
    ['a session key this host did not hand out', 'gatehouse-session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['the session key under another name', 'session=KEY'],
    ['a page address token as the session key', 'gatehouse-session=TOKEN'],
  ])('refuses %s with HTTP 401 before any screen opens', async (_label, cookie) => {
    const before = screensOpened.length;
    const key = session.split('=')[1]!;
    const token = new URL(host.pageUrl()).searchParams.get('bootstrap')!;
    const answer = await refusal(host.origin, cookie?.replace('KEY', key).replace('TOKEN', token));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'HOST_CONNECTION_REFUSED' });
    expect(answer.body).not.toContain(key);
    expect(screensOpened.length).toBe(before);
  });

  it('refuses forged, foreign and missing origins with 403 even with a session', async () => {
    const before = screensOpened.length;
    const origins = ['http://evil.example', `http://localhost:${port}`, `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`, 'null', undefined];
    for (const origin of origins) {
      expect((await refusal(origin, session)).status, String(origin)).toBe(403);
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
