// The browser host: serves the built renderer and the RPC over a WebSocket on
// 127.0.0.1 only. A page is opened with a one-time address (SESSION_PATH with a bootstrap
// token) that is exchanged for an HttpOnly session cookie and redirected to the page;
// every RPC connection needs a session key this host handed out and the served page's
// Origin. A token that comes back after its exchange is refused, logged and audited.

import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify from 'fastify';
import type { WebSocket } from 'ws';
import { appendAudit } from '../audit/audit-log.js';
import { GatehouseError } from '../errors.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import { kioskTranslator } from '../kiosk/locales.js';
import { readSettings } from '../kiosk/station-settings.js';
import type { Log } from '../log.js';
import { RpcCodes } from '../rpc/define.js';
import { CallMessage, MAX_MESSAGE_BYTES, type ServerMessage } from '../rpc/wire.js';
import { checkRpcConnection } from './connection-guard.js';
import { contentSecurityPolicy } from './content-security-policy.js';
import { removePageKey, removeSharedPageKey, writePageKey, writeSharedPageKey } from './page-key-file.js';
import {
  BOOTSTRAP_PARAM, PageSessions, pageAddress, RPC_PATH, SESSION_PATH, sessionCookie, sessionKeyFromCookies, type TokenRefusal,
} from './page-sessions.js';

export interface BrowserHostOptions {
  kiosk: Kiosk;
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  log: Log;
  /** Where the page key file goes (page-key-file.ts), for same-user tools to open pages. */
  dataDir: string;
  /** Where the page key is also shared, 0640, with the screen user of the kiosk session (`serve --page-key-file`). */
  pageKeyFile?: string;
  /** Clock for the bootstrap tokens' lifetime (tests). */
  now?: () => number;
}

export interface BrowserHost {
  /** `http://127.0.0.1:<port>`: where the page is served; not enough to open an RPC screen. */
  readonly origin: string;
  /** A fresh one-time address that opens the page with a new session (one per browser launch). */
  pageUrl(): string;
  close(): Promise<void>;
}

/** The page a refused address gets, in the station's default language, with nothing to run and no style the CSP would block. */
async function refusedPage(kiosk: Kiosk): Promise<string> {
  const language = readSettings(kiosk.db).defaultLanguage;
  const t = await kioskTranslator(language);
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="${language}"><meta charset="utf-8"><title>${escape(t('pageAddress.title'))}</title>
<h1>${escape(t('pageAddress.heading'))}</h1>
<p>${escape(t('pageAddress.body'))}</p></html>`;
}

const REFUSAL_REASONS: Record<TokenRefusal, string> = {
  malformed: 'not a page address token',
  forged: 'a page address token this kiosk did not mint',
  expired: 'a page address token that has expired',
  spent: 'a page address token that was already used: someone may have copied it from the process list',
};

export async function startBrowserHost({ kiosk, rendererDir, port, log, dataDir, pageKeyFile, now }: BrowserHostOptions): Promise<BrowserHost> {
  if (!existsSync(rendererDir)) {
    throw new GatehouseError('HOST_NO_RENDERER', `The built screens are missing at ${rendererDir}; run "npm run build".`);
  }
  const sessions = new PageSessions(undefined, now);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  let origin = '';

  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', contentSecurityPolicy(origin));
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
  });
  await app.register(fastifyStatic, { root: rendererDir });

  // GET only: an automatic HEAD route would spend a token without handing out its session.
  app.get(SESSION_PATH, { exposeHeadRoute: false }, async (request, reply) => {
    const token = (request.query as Record<string, unknown>)[BOOTSTRAP_PARAM];
    const exchange = sessions.exchange(typeof token === 'string' ? token : '');
    if (exchange.ok) {
      return reply.header('set-cookie', sessionCookie(exchange.sessionKey)).redirect('/', 303);
    }
    log.warn('refused a page address', { reason: REFUSAL_REASONS[exchange.reason] });
    if (exchange.firstReplay) appendAudit(kiosk.db, { actor: null, action: 'host.page-address-reused', details: {} });
    return reply.code(403).type('text/html; charset=utf-8').send(await refusedPage(kiosk));
  });

  app.register(async (rpc) => {
    rpc.addHook('preValidation', async (request, reply) => {
      const sessionKey = sessionKeyFromCookies(request.headers.cookie);
      const verdict = checkRpcConnection({ origin: request.headers.origin, sessionKey }, { origin, holdsSession: (key) => sessions.holds(key) });
      if (!verdict.allowed) {
        log.warn('refused rpc connection', { reason: verdict.reason });
        await reply.code(verdict.status).send({ code: 'HOST_CONNECTION_REFUSED', message: verdict.reason });
      }
    });
    rpc.get(RPC_PATH, { websocket: true }, (socket) => serveScreen(socket, kiosk, log));
  });

  // A shared key left by a host that was killed would send the kiosk window to this one with a key it does not know.
  if (pageKeyFile) removeSharedPageKey(pageKeyFile);
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('browser host did not bind a TCP port');
  origin = `http://127.0.0.1:${address.port}`;
  try {
    writePageKey(dataDir, origin, sessions.mintingKey);
  } catch (error) {
    await app.close();
    throw new GatehouseError('HOST_PAGE_KEY_UNWRITABLE', `Cannot write the page key into ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; check that the data folder belongs to this user.`, { dataDir });
  }
  if (pageKeyFile) {
    try {
      writeSharedPageKey(pageKeyFile, origin, sessions.mintingKey);
    } catch (error) {
      removePageKey(dataDir);
      await app.close();
      throw new GatehouseError('HOST_PAGE_KEY_UNWRITABLE', `Cannot share the page key as ${pageKeyFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; its folder must exist and be this user's (packaged: /run/gatehouse, made by tmpfiles.d).`, { pageKeyFile });
    }
  }
  return {
    origin,
    pageUrl: () => pageAddress(origin, sessions.mintToken()),
    async close() {
      if (pageKeyFile) removeSharedPageKey(pageKeyFile);
      removePageKey(dataDir);
      await app.close();
    },
  };
}

function serveScreen(socket: WebSocket, kiosk: Kiosk, log: Log): void {
  const send = (message: ServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const screen = kiosk.openScreen((name, payload) => send({ t: 'event', name, payload }));
  socket.on('message', async (raw, isBinary) => {
    const call = isBinary ? null : parseCall(raw.toString());
    if (!call) {
      send({ t: 'result', id: -1, result: { ok: false, error: { code: RpcCodes.badRequest, message: 'Malformed RPC message.', details: {} } } });
      return;
    }
    try {
      send({ t: 'result', id: call.id, result: await kiosk.dispatcher.call(screen, call.method, call.input) });
    } catch (error) {
      log.error('rpc dispatch crashed', { method: call.method, error: String(error) });
    }
  });
  socket.on('close', () => kiosk.closeScreen(screen));
}

function parseCall(text: string): CallMessage | null {
  try {
    const parsed = CallMessage.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
