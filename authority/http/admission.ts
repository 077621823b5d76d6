// What the authority lets in before any route runs: nothing new while it drains for shutdown (503
// AUTHORITY_DRAINING, but /v1/health and /v1/ready still answer), at most `maxInFlightRequests`
// requests served at once (more get 429 AUTHORITY_BUSY; liveness, /v1/health, is always answered
// and not counted: a loaded process must not look dead), and on the one unsigned route that can be
// guessed at — registration — at most `registrationAttemptsPerWindow` attempts per client address.
// All answer with Retry-After; the kiosk's sync client treats 429 and 5xx as "wait and try again".
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AuthorityError } from '../authority-error.js';
import type { Authority } from '../authority.js';
import { ClientRateLimit } from '../rate-limit.js';

/** A 429 whose Retry-After the error handler sends from `details.retryAfterSeconds`. */
export const tooManyRequests = (code: string, message: string, details: { limit: number; retryAfterSeconds: number }): AuthorityError =>
  new AuthorityError(429, code, message, details);

/**
 * Once `draining()` says so, refuses every request but those to `stillServed` (the health routes),
 * and ends each connection with the answer it is sending, so none is left idle to keep the close waiting.
 */
export function refuseWhileDraining(app: FastifyInstance, draining: () => boolean, stillServed: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (!draining() || stillServed.includes(request.routeOptions.url ?? '')) return;
    throw new AuthorityError(503, 'AUTHORITY_DRAINING', 'This replica of the authority is shutting down; send the request again.', { retryAfterSeconds: 1 });
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining()) reply.header('connection', 'close');
    return payload;
  });
}

/**
 * Counts every request but those to `uncounted` from its first hook until its response is finished
 * or its connection gone; refuses those beyond `limit`. Returns how many are being served now.
 */
export function limitInFlightRequests(app: FastifyInstance, limit: number, uncounted: readonly string[]): () => number {
  let inFlight = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (uncounted.includes(request.routeOptions.url ?? '')) return;
    if (inFlight >= limit) {
      throw tooManyRequests('AUTHORITY_BUSY', `The authority is serving ${limit} requests already; try again shortly.`, { limit, retryAfterSeconds: 1 });
    }
    inFlight += 1;
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
  });
  return () => inFlight;
}

/** The onRequest hook of the registration route: one attempt of the client address's budget, or 429. */
export function registrationAttempts(authority: Authority): onRequestHookHandler {
  const { registrationAttemptsPerWindow: limit, registrationWindowSeconds: windowSeconds } = authority.limits;
  const attempts = new ClientRateLimit({ limit, windowSeconds, clock: authority.clock });
  return async (request: FastifyRequest) => {
    const verdict = attempts.take(request.ip);
    if (!verdict.ok) {
      throw tooManyRequests('REGISTRATION_RATE_LIMITED',
        `Too many registration attempts from ${request.ip}: at most ${limit} per ${windowSeconds} s. Check the token, then try again later.`,
        { limit, retryAfterSeconds: verdict.retryAfterSeconds });
    }
  };
}
