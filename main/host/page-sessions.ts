// Who may open an RPC screen on the browser host. A page is opened with a one-time
// bootstrap token (in its address, short-lived, good for one exchange) and exchanges it
// at SESSION_PATH for a session key, which the page then holds as an HttpOnly cookie.
// A token is `<issued ms, base36>.<nonce>.<HMAC of both>` under this launch's minting key:
// whoever holds the key (the host, or a same-user tool reading the 0600 key file) mints
// without asking the host, and the host remembers only the nonces it saw until they expire.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a minted token may wait for its exchange: Chromium loads its page in well under a second. */
export const BOOTSTRAP_TOKEN_LIFETIME_MS = 60_000;
/** How far a token's issue time may lie ahead of the host's clock (same machine, so only rounding). */
const CLOCK_SLACK_MS = 1_000;

export const SESSION_PATH = '/session';
export const BOOTSTRAP_PARAM = 'bootstrap';
export const SESSION_COOKIE = 'gatehouse-session';
/** The cookie goes only with the RPC upgrade, not with every file of the page. */
export const RPC_PATH = '/rpc';

export type TokenRefusal = 'malformed' | 'forged' | 'expired' | 'spent';
export type Exchange =
  | { ok: true; sessionKey: string }
  | { ok: false; reason: TokenRefusal; /** true the first time a spent token comes back: worth an audit entry. */ firstReplay: boolean };

/** The address that opens a page: the host's origin with a bootstrap token for SESSION_PATH. */
export function pageAddress(origin: string, token: string): string {
  return `${origin}${SESSION_PATH}?${BOOTSTRAP_PARAM}=${token}`;
}

export function mintBootstrapToken(mintingKey: Uint8Array, now: number): string {
  const body = `${now.toString(36)}.${randomBytes(18).toString('base64url')}`;
  return `${body}.${mac(mintingKey, body)}`;
}

/** `Set-Cookie` for a session key: never readable by scripts, never sent from another site. */
export function sessionCookie(sessionKey: string): string {
  return `${SESSION_COOKIE}=${sessionKey}; Path=${RPC_PATH}; HttpOnly; SameSite=Strict`;
}

/** The session key from a `Cookie` header, if it carries one. */
export function sessionKeyFromCookies(header: string | undefined): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === SESSION_COOKIE) return pair.slice(at + 1).trim();
  }
  return undefined;
}

export class PageSessions {
  /** Nonce → when its token expires; tokens seen are refused until then, and as expired after. */
  private readonly seen = new Map<string, { expires: number; replayed: boolean }>();
  /** SHA-256 of each session key handed out: a lookup by digest tells nothing about a key. */
  private readonly sessions = new Set<string>();

  constructor(
    readonly mintingKey: Uint8Array = randomBytes(32),
    private readonly now: () => number = Date.now,
  ) {}

  mintToken(): string {
    return mintBootstrapToken(this.mintingKey, this.now());
  }

  exchange(token: string): Exchange {
    const now = this.now();
    this.forgetExpired(now);
    const parts = token.split('.');
    const issued = parts.length === 3 && /^[0-9a-z]{1,11}$/.test(parts[0]!) ? parseInt(parts[0]!, 36) : NaN;
    if (Number.isNaN(issued) || !/^[A-Za-z0-9_-]{24}$/.test(parts[1]!)) return refused('malformed');
    const given = Buffer.from(parts[2]!);
    const expected = Buffer.from(mac(this.mintingKey, `${parts[0]}.${parts[1]}`));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refused('forged');
    const seen = this.seen.get(parts[1]!);
    if (seen) {
      const firstReplay = !seen.replayed;
      seen.replayed = true;
      return { ok: false, reason: 'spent', firstReplay };
    }
    if (issued > now + CLOCK_SLACK_MS || now - issued > BOOTSTRAP_TOKEN_LIFETIME_MS) return refused('expired');
    this.seen.set(parts[1]!, { expires: issued + BOOTSTRAP_TOKEN_LIFETIME_MS, replayed: false });
    const sessionKey = randomBytes(32).toString('base64url');
    this.sessions.add(digest(sessionKey));
    return { ok: true, sessionKey };
  }

  holds(sessionKey: string | undefined): boolean {
    return sessionKey !== undefined && sessionKey !== '' && this.sessions.has(digest(sessionKey));
  }

  private forgetExpired(now: number): void {
    for (const [nonce, { expires }] of this.seen) if (expires < now) this.seen.delete(nonce);
  }
}

function refused(reason: Exclude<TokenRefusal, 'spent'>): Exchange {
  return { ok: false, reason, firstReplay: false };
}

function mac(key: Uint8Array, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

function digest(sessionKey: string): string {
  return createHash('sha256').update(sessionKey).digest('hex');
}
