// What the authority lets in before any route runs: at most `maxInFlightRequests` requests served
// at once (more get 429 AUTHORITY_BUSY), and on the one unsigned route that can be guessed at —
// registration — at most `registrationAttemptsPerWindow` attempts per client address. Both answer
// with Retry-After; the kiosk's sync client treats 429 as "wait and try again".
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AuthorityError } from '../authority-error.js';
import type { Authority } from '../authority.js';
import { ClientRateLimit } from '../rate-limit.js';

/** A 429 whose Retry-After the error handler sends from `details.retryAfterSeconds`. */
export const tooManyRequests = (code: string, message: string, details: { limit: number; retryAfterSeconds: number }): AuthorityError =>
  new AuthorityError(429, code, message, details);

/** Counts every request from its first hook until its response is finished or its connection gone. */
export function limitInFlightRequests(app: FastifyInstance, limit: number): void {
  let inFlight = 0;
  app.addHook('onRequest', async (_request, reply) => {
    if (inFlight >= limit) {
      throw tooManyRequests('AUTHORITY_BUSY', `The authority is serving ${limit} requests already; try again shortly.`, { limit, retryAfterSeconds: 1 });
    }
    inFlight += 1;
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
  });
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
