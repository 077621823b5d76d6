// Authentication of signed routes in Fastify's request stages, so that the body of a request is
// read only once its headers have shown who sent it: onRequest verifies the RFC 9421 signature
// (key, time, nonce, signature over method, path, query and Content-Digest), preParsing hashes the
// body as it streams in under the route's size cap, and preHandler compares that hash with the
// signed Content-Digest. Every route is signed unless its config says `unsigned: true`. A client
// address whose signatures keep failing is refused (429) for a while before anything is checked.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authority } from '../authority.js';
import { ClientRateLimit } from '../rate-limit.js';
import { isSignatureFailure, type SignedClaim } from '../request-authentication.js';
import type { KioskRow } from '../store/repository.js';
import { tooManyRequests } from './admission.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes requests without a kiosk signature (health, registration). */
    unsigned?: boolean;
  }
  interface FastifyRequest {
    signedClaim: SignedClaim | null;
    bodySha256: Buffer | null;
  }
}

const EMPTY_SHA256 = createHash('sha256').digest();

/** The kiosk that signed the request; only on signed routes, after the hooks below let it through. */
export function signedBy(request: FastifyRequest): KioskRow {
  if (request.signedClaim === null) throw new Error(`${request.method} ${request.url} reached a handler without a verified signature`);
  return request.signedClaim.kiosk;
}

/**
 * The headers as received, a repeated one as the array of its values (Node joins repeated
 * headers into one string, which would hide a second Signature-Input).
 */
function receivedHeaders(request: FastifyRequest): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const raw = request.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const held = headers[name];
    headers[name] = held === undefined ? value : [...(Array.isArray(held) ? held : [held]), value];
  }
  return headers;
}

export function authenticateSignedRoutes(app: FastifyInstance, authority: Authority): void {
  const { failedSignaturesPerWindow: limit, failedSignatureWindowSeconds: windowSeconds } = authority.limits;
  const failures = new ClientRateLimit({ limit, windowSeconds, clock: authority.clock });
  const noteFailure = (request: FastifyRequest, error: unknown): never => {
    if (isSignatureFailure(error)) failures.spend(request.ip);
    throw error;
  };

  app.decorateRequest('signedClaim', null);
  app.decorateRequest('bodySha256', null);

  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.unsigned) return;
    const verdict = failures.check(request.ip);
    if (!verdict.ok) {
      throw tooManyRequests('SIGNATURE_FAILURES_RATE_LIMITED',
        `Too many requests with failing signatures from ${request.ip}: at most ${limit} per ${windowSeconds} s. Check the kiosk's clock and keys.`,
        { limit, retryAfterSeconds: verdict.retryAfterSeconds });
    }
    try {
      request.signedClaim = await authority.authenticate.headers({ method: request.method, url: request.url, headers: receivedHeaders(request) });
    } catch (error) {
      noteFailure(request, error);
    }
  });

  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.signedClaim === null) return payload;
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
      flush(done) {
        request.bodySha256 = hash.digest();
        done();
      },
    });
    payload.on('error', (error) => hashing.destroy(error));
    return payload.pipe(hashing);
  });

  app.addHook('preHandler', async (request) => {
    const claim = request.signedClaim;
    if (claim === null) return;
    try {
      authority.authenticate.body(claim, request.bodySha256 ?? EMPTY_SHA256);
    } catch (error) {
      noteFailure(request, error);
    }
  });
}
