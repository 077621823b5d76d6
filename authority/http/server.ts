// The authority's HTTP face: Fastify listening on loopback by default, request bodies kept as the
// raw bytes that arrived (signatures cover exactly those), per-route size limits, and every
// refusal sent as `{code, message, details}` with its 4xx.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { AuthorityError } from '../authority-error.js';
import type { Authority } from '../authority.js';
import type { ApiError } from '../protocol/api.js';
import { registerKioskRoutes } from './kiosk-routes.js';
import { registerRecordRoutes } from './record-routes.js';

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
  const app = buildAuthorityApp(authority, options.onInternalError);
  await app.listen({ host, port: options.port });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}

const reportToStderr = (error: unknown) => {
  process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), level: 'error', component: 'authority', message: String(error) })}\n`);
};

function buildAuthorityApp(authority: Authority, onInternalError: (error: unknown) => void = reportToStderr): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: authority.limits.jsonBodyBytes });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/octet-stream'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = apiErrorOf(error, request.routeOptions.bodyLimit ?? authority.limits.jsonBodyBytes);
    if (status >= 500) onInternalError(error);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({
    code: 'NOT_FOUND', message: `There is no ${request.method} ${request.url.split('?')[0]} in the authority API.`, details: {},
  } satisfies ApiError));

  registerKioskRoutes(app, authority);
  registerRecordRoutes(app, authority);
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
