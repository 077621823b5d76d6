// The authority's HTTP face: Fastify listening on loopback by default, request bodies kept as the
// raw bytes that arrived (signatures cover exactly those) and read only after the signature,
// per-route size limits, capped connections, timeouts and requests in flight, the sweep of
// abandoned uploads, and every refusal sent as `{code, message, details}` with its 4xx
// (Retry-After on 429; the connection closed when the body was left unread).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { AuthorityError } from '../authority-error.js';
import type { Authority } from '../authority.js';
import type { ApiError } from '../../protocol/api.js';
import { registerUpdateRoutes } from '../updates/update-routes.js';
import { sweepAbandonedUploads } from '../uploads.js';
import { limitInFlightRequests } from './admission.js';
import { registerKioskRoutes } from './kiosk-routes.js';
import { registerRecordRoutes } from './record-routes.js';
import { authenticateSignedRoutes } from './signed-requests.js';

export interface AuthorityServerOptions {
  host?: string;
  port: number;
  /** Where failures of the authority itself (5xx) are reported. */
  onInternalError?(error: unknown): void;
}

export interface AuthorityServer {
  url: string;
  close(): Promise<void>;
}

export async function startAuthorityServer(authority: Authority, options: AuthorityServerOptions): Promise<AuthorityServer> {
  const host = options.host ?? '127.0.0.1';
  const onInternalError = options.onInternalError ?? reportToStderr;
  const app = buildAuthorityApp(authority, onInternalError);
  await app.listen({ host, port: options.port });
  const sweep = setInterval(() => void sweepAbandonedUploads(authority).catch(onInternalError), authority.limits.uploadSweepSeconds * 1000);
  sweep.unref();
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () => {
      clearInterval(sweep);
      return app.close();
    },
  };
}

const reportToStderr = (error: unknown) => {
  process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), level: 'error', component: 'authority', message: String(error) })}\n`);
};

function buildAuthorityApp(authority: Authority, onInternalError: (error: unknown) => void): FastifyInstance {
  const { limits } = authority;
  const app = Fastify({
    logger: false,
    bodyLimit: limits.jsonBodyBytes,
    serverFactory: (handler) => {
      const server = createServer({
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        // How often Node looks for requests past their timeouts (its default is 30 s).
        connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 2))),
      }, handler);
      server.maxConnections = limits.maxConnections;
      return server;
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/octet-stream'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = apiErrorOf(error, request.routeOptions.bodyLimit ?? limits.jsonBodyBytes);
    if (status >= 500) onInternalError(error);
    const retryAfter = body.details.retryAfterSeconds;
    if (status === 429 && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    // Refused before its body was read (unsigned, rate-limited, too large): do not read it now.
    if (!request.raw.complete) reply.header('connection', 'close');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({
    code: 'NOT_FOUND', message: `There is no ${request.method} ${request.url.split('?')[0]} in the authority API.`, details: {},
  } satisfies ApiError));

  limitInFlightRequests(app, limits.maxInFlightRequests);
  authenticateSignedRoutes(app, authority);
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
