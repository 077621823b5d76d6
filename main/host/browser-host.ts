// The browser host: serves the built renderer and the RPC over a WebSocket on
// 127.0.0.1 only. Every RPC connection needs this launch's random secret and the
// served page's Origin; the page learns the secret from the URL fragment it was opened
// with, which browsers never send to a server.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify from 'fastify';
import type { WebSocket } from 'ws';
import { GatehouseError } from '../errors.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import type { Log } from '../log.js';
import { RpcCodes } from '../rpc/define.js';
import { CallMessage, MAX_MESSAGE_BYTES, SECRET_PARAM, type ServerMessage } from '../rpc/wire.js';
import { checkRpcConnection } from './connection-guard.js';
import { contentSecurityPolicy } from './content-security-policy.js';

export interface BrowserHostOptions {
  kiosk: Kiosk;
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  log: Log;
}

export interface BrowserHost {
  /** Open this to use the kiosk; carries the secret in its fragment. */
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

export async function startBrowserHost({ kiosk, rendererDir, port, log }: BrowserHostOptions): Promise<BrowserHost> {
  if (!existsSync(rendererDir)) {
    throw new GatehouseError('HOST_NO_RENDERER', `The built screens are missing at ${rendererDir}; run "npm run build".`);
  }
  const secret = randomBytes(32).toString('base64url');
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

  app.register(async (rpc) => {
    rpc.addHook('preValidation', async (request, reply) => {
      const query = request.query as Record<string, string | undefined>;
      const verdict = checkRpcConnection({ origin: request.headers.origin, secret: query[SECRET_PARAM] }, { origin, secret });
      if (!verdict.allowed) {
        log.warn('refused rpc connection', { reason: verdict.reason });
        await reply.code(verdict.status).send({ code: 'HOST_CONNECTION_REFUSED', message: verdict.reason });
      }
    });
    rpc.get('/rpc', { websocket: true }, (socket) => serveScreen(socket, kiosk, log));
  });

  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('browser host did not bind a TCP port');
  origin = `http://127.0.0.1:${address.port}`;
  return {
    url: `${origin}/#${SECRET_PARAM}=${secret}`,
    origin,
    close: () => app.close(),
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
