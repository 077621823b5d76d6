// Decides whether a WebSocket upgrade may become an RPC connection: it must carry this
// launch's secret and come from the page this host served (same Origin). Pure, so the
// rules are unit-tested apart from the server.

import { timingSafeEqual } from 'node:crypto';

export interface GuardExpectation {
  origin: string;
  secret: string;
}

export type GuardVerdict = { allowed: true } | { allowed: false; status: 401 | 403; reason: string };

export function checkRpcConnection(
  request: { origin: string | undefined; secret: string | undefined },
  expected: GuardExpectation,
): GuardVerdict {
  if (!request.secret || !sameSecret(request.secret, expected.secret)) {
    return { allowed: false, status: 401, reason: 'missing or wrong launch secret' };
  }
  if (request.origin !== expected.origin) {
    return { allowed: false, status: 403, reason: `origin ${request.origin ?? '(none)'} is not ${expected.origin}` };
  }
  return { allowed: true };
}

function sameSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}
