// The authority's HTTP face: Fastify listening on loopback by default, over TLS 1.2+ when given a
// certificate (swappable while running), request bodies kept as the raw bytes that arrived
// (signatures cover exactly those) and read only after the signature, per-route size limits, capped
// connections, timeouts and requests in flight, the sweeps of abandoned uploads and expired nonces,
// one log line per request under a request id, every refusal sent as `{code, message, details}`
// with its status (Retry-After on 429 and 503; the connection closed when the body was left unread;
// the request id in `details.requestId`), and a graceful close: stop accepting, /v1/ready 503, let
// requests in flight finish for up to the drain timeout, then cut what is left.
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { AuthorityError } from '../authority-error.js';
import type { Authority } from '../authority.js';
import { jsonLinesLog, REQUEST_ID_HEADER, requestIdFrom, type AuthorityLog } from '../logging/request-log.js';
import { sweepExpiredNonces } from '../nonce-window.js';
import type { ApiError } from '../../protocol/api.js';
import { apiPaths } from '../../protocol/api.js';
import { registerUpdateRoutes } from '../updates/update-routes.js';
import { sweepAbandonedUploads } from '../uploads.js';
import { limitInFlightRequests, refuseWhileDraining } from './admission.js';
import { READY_PATH, registerHealthRoutes } from './health-routes.js';
import { registerKioskRoutes } from './kiosk-routes.js';
import { registerRecordRoutes } from './record-routes.js';
import { logRequests } from './request-logging.js';
import { authenticateSignedRoutes } from './signed-requests.js';

/** A certificate chain and its private key, PEM. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

export interface AuthorityServerOptions {
  host?: string;
  port: number;
  /** Where failures of the authority itself (5xx, failed sweeps) go instead of the log (tests collect them). */
  onInternalError?(error: unknown): void;
  /** Request lines and failures; when absent, failures only, as JSON lines on standard error. */
  log?: AuthorityLog;
  /** Serve HTTPS, TLS 1.2 or newer, with this certificate. */
  tls?: TlsCredentials;
  /** How long requests in flight at close may take to finish before their connections are cut. */
  drainTimeoutMs?: number;
  /** How long /v1/ready waits for the database. */
  readyTimeoutMs?: number;
}

/** Below systemd's TimeoutStopSec=30 of gatehouse-authority.service, with room to close the pool. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;
/** A load balancer probes every few seconds; a database slower than this to say SELECT is not one to send kiosks to. */
export const DEFAULT_READY_TIMEOUT_MS = 2_000;
const TLS_MIN_VERSION = 'TLSv1.2';

export interface AuthorityServer {
  url: string;
  /** Requests being served now. */
  inFlight(): number;
  /** Serves new TLS connections with these credentials (SIGHUP after a certificate renewal). */
  reloadTls(tls: TlsCredentials): void;
  /** Drains and closes (see the file header); the same promise however often it is called. */
  close(): Promise<void>;
}

interface ServingState {
  draining: boolean;
  inFlight(): number;
}

export async function startAuthorityServer(authority: Authority, options: AuthorityServerOptions): Promise<AuthorityServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? jsonLinesLog((line) => process.stderr.write(line), { requests: false });
  const fail = (error: unknown, requestId?: string) => (options.onInternalError ? options.onInternalError(error) : log.failure(error, requestId));
  const state: ServingState = { draining: false, inFlight: () => 0 };
  const app = buildAuthorityApp(authority, { log, fail, state, tls: options.tls, readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS });
  await app.listen({ host, port: options.port });
  const sweeps = [
    setInterval(() => void sweepAbandonedUploads(authority).catch(fail), authority.limits.uploadSweepSeconds * 1000),
    // Twice per bucket, so no bucket outlives its cutoff by more than half a window.
    setInterval(() => void sweepExpiredNonces(authority).catch(fail), authority.limits.skewSeconds * 500),
  ];
  for (const sweep of sweeps) sweep.unref();
  const { port } = app.server.address() as AddressInfo;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  let closed: Promise<void> | undefined;
  const drainAndClose = async () => {
    state.draining = true;
    for (const sweep of sweeps) clearInterval(sweep);
    const cut = setTimeout(() => app.server.closeAllConnections(), drainTimeoutMs);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
    }
  };
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    inFlight: () => state.inFlight(),
    reloadTls(tls) {
      if (!options.tls) throw new AuthorityError(400, 'TLS_NOT_SERVED', 'This server speaks plain HTTP; start it with a certificate to reload one.');
      (app.server as unknown as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key, minVersion: TLS_MIN_VERSION });
    },
    close: () => (closed ??= drainAndClose()),
  };
}

interface AppOptions {
  log: AuthorityLog;
  fail(error: unknown, requestId?: string): void;
  state: ServingState;
  tls: TlsCredentials | undefined;
  readyTimeoutMs: number;
}

function buildAuthorityApp(authority: Authority, options: AppOptions): FastifyInstance {
  const { limits } = authority;
  const app = Fastify({
    logger: false,
    bodyLimit: limits.jsonBodyBytes,
    requestIdHeader: false,
    genReqId: (raw) => requestIdFrom(raw.headers[REQUEST_ID_HEADER]),
    // Requests arriving on a kept-alive connection while closing reach refuseWhileDraining, which answers in the API's shape.
    return503OnClosing: false,
    serverFactory: (handler) => {
      const timeouts = {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        // How often Node looks for requests past their timeouts (its default is 30 s).
        connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 2))),
      };
      const server = options.tls
        ? createHttpsServer({ ...timeouts, cert: options.tls.cert, key: options.tls.key, minVersion: TLS_MIN_VERSION }, handler) as unknown as Server
        : createServer(timeouts, handler);
      server.maxConnections = limits.maxConnections;
      return server;
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/octet-stream'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = apiErrorOf(error, request.routeOptions.bodyLimit ?? limits.jsonBodyBytes);
    if (status === 500) options.fail(error, request.id);
    const retryAfter = body.details.retryAfterSeconds;
    if ((status === 429 || status === 503) && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    // Refused before its body was read (unsigned, rate-limited, too large): do not read it now.
    if (!request.raw.complete) reply.header('connection', 'close');
    return reply.status(status).header(REQUEST_ID_HEADER, request.id).send({ ...body, details: { ...body.details, requestId: request.id } });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({
    code: 'NOT_FOUND', message: `There is no ${request.method} ${request.url.split('?')[0]} in the authority API.`, details: { requestId: request.id },
  } satisfies ApiError));

  logRequests(app, options.log);
  refuseWhileDraining(app, () => options.state.draining, [apiPaths.health, READY_PATH]);
  options.state.inFlight = limitInFlightRequests(app, limits.maxInFlightRequests, [apiPaths.health]);
  authenticateSignedRoutes(app, authority);
  registerHealthRoutes(app, authority, {
    timeoutMs: options.readyTimeoutMs,
    draining: () => options.state.draining,
    onDatabaseFailure: (error) => options.log.failure(error),
  });
  registerKioskRoutes(app, authority);
  registerRecordRoutes(app, authority);
  registerUpdateRoutes(app, authority);
  return app;
}

function apiErrorOf(error: unknown, bodyLimit: number): { status: number; body: ApiError } {
  if (error instanceof AuthorityError) {
    return { status: error.status, body: { code: error.code, message: error.message, details: error.details } };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      body: { code: 'BODY_TOO_LARGE', message: `The body is larger than the ${bodyLimit} bytes this endpoint takes; send large records as a chunked upload.`, details: { limit: bodyLimit } },
    };
  }
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send application/json or application/octet-stream.', details: {} } };
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { status, body: { code: 'BAD_REQUEST', message: fastifyError.message ?? 'The request is malformed.', details: {} } };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'The authority failed to handle the request; its log says why.', details: {} } };
}
