// Authenticates a kiosk request: its HTTP message signature verified against the registered
// kiosk key, the nonce remembered for the clock-skew window, and the verdict turned into the
// kiosk row or a 401/403 AuthorityError. Nonces older than the window are swept as time passes.
import { AuthorityError } from './authority-error.js';
import { verifyRequest, type SignatureRefusal } from './protocol/http-signature.js';
import { decodePublicKey } from './protocol/keys.js';
import type { AuthorityRepository, KioskRow } from './store/repository.js';

export interface IncomingRequest {
  method: string;
  /** The request target as received: path and query. */
  url: string;
  body: Uint8Array;
  headers: Record<string, string | string[] | undefined>;
}

export type RequestAuthenticator = (request: IncomingRequest) => Promise<KioskRow>;

const STATUS: Record<SignatureRefusal, number> = {
  SIG_MISSING: 401, SIG_MALFORMED: 401, DIGEST_MISMATCH: 401, SIG_BAD: 401, SIG_EXPIRED: 401, SIG_REPLAYED: 401,
  KEY_UNKNOWN: 401, KEY_REVOKED: 403,
};

export function createRequestAuthenticator(repository: AuthorityRepository, clock: () => Date, skewSeconds: number): RequestAuthenticator {
  let sweptAt = 0;
  return async (request) => {
    const now = clock();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (nowSeconds - sweptAt >= skewSeconds) {
      await repository.forgetNoncesBefore(nowSeconds - 2 * skewSeconds);
      sweptAt = nowSeconds;
    }
    let kiosk: KioskRow | undefined;
    const verdict = await verifyRequest({
      method: request.method,
      path: request.url,
      body: request.body,
      headers: request.headers,
      now,
      skewSeconds,
      async lookupKey(keyId) {
        kiosk = await repository.findKiosk(keyId);
        return kiosk && { publicKey: decodePublicKey('ed25519', kiosk.signingPublicKey), revoked: kiosk.revokedAt !== null };
      },
      seenNonce: async (keyId, nonce, created) => !(await repository.rememberNonce(keyId, nonce, created)),
    });
    if (!verdict.ok) throw new AuthorityError(STATUS[verdict.code], verdict.code, verdict.message);
    return kiosk!;
  };
}
