// Decides whether a WebSocket upgrade may become an RPC connection: it must carry a
// session key this host handed to a page (the session cookie) and come from the page
// this host served (same Origin). Pure, so the rules are unit-tested apart from the server.

export interface GuardExpectation {
  origin: string;
  /** Whether this host handed out the session key (PageSessions.holds). */
  holdsSession(sessionKey: string | undefined): boolean;
}

export type GuardVerdict = { allowed: true } | { allowed: false; status: 401 | 403; reason: string };

export function checkRpcConnection(
  request: { origin: string | undefined; sessionKey: string | undefined },
  expected: GuardExpectation,
): GuardVerdict {
  if (!expected.holdsSession(request.sessionKey)) {
    return { allowed: false, status: 401, reason: 'no kiosk session: open the page through a one-time page address' };
  }
  if (request.origin !== expected.origin) {
    return { allowed: false, status: 403, reason: `origin ${request.origin ?? '(none)'} is not ${expected.origin}` };
  }
  return { allowed: true };
}
