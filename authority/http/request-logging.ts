// The Fastify hooks behind the request log (logging/request-log.ts): the request id sent back in
// X-Request-Id from the first hook on (so a refusal by any later hook carries it), the body bytes
// counted as they stream in, and one log entry when the answer is sent, or when the client went
// away first (status 499, as nginx logs it).
import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER, type AuthorityLog, type RequestLogEntry } from '../logging/request-log.js';

declare module 'fastify' {
  interface FastifyRequest {
    bytesIn: number;
    startedAt: number;
  }
}

const CLIENT_CLOSED_REQUEST = 499;

function entryOf(request: FastifyRequest, status: number, bytesOut: number): RequestLogEntry {
  return {
    requestId: request.id,
    method: request.method,
    route: request.is404 ? null : (request.routeOptions.url ?? null),
    status,
    durationMs: Math.round((performance.now() - request.startedAt) * 10) / 10,
    kioskId: request.signedClaim?.kiosk.id ?? null,
    bytesIn: request.bytesIn,
    bytesOut,
  };
}

const contentLength = (reply: FastifyReply): number => Number(reply.getHeader('content-length') ?? 0) || 0;

/** Registers the hooks; call before any other onRequest hook, so every answer has its id. */
export function logRequests(app: FastifyInstance, log: AuthorityLog): void {
  app.decorateRequest('bytesIn', 0);
  app.decorateRequest('startedAt', 0);

  app.addHook('onRequest', async (request, reply) => {
    request.startedAt = performance.now();
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  app.addHook('preParsing', async (request, _reply, payload) => {
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        request.bytesIn += chunk.length;
        done(null, chunk);
      },
    });
    payload.on('error', (error) => counting.destroy(error));
    return payload.pipe(counting);
  });

  app.addHook('onResponse', async (request, reply) => log.request(entryOf(request, reply.statusCode, contentLength(reply))));
  app.addHook('onRequestAbort', async (request) => log.request(entryOf(request, CLIENT_CLOSED_REQUEST, 0)));
}
