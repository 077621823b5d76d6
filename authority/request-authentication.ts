// Authenticates a kiosk request in two steps, so nothing of an unauthenticated body is read: first
// its headers — the HTTP message signature verified against the registered kiosk key, the nonce
// remembered for the clock-skew window — giving the kiosk row and the body digest it signed (or a
// 401/403 AuthorityError); then the body, hashed as it arrives, against that digest. Expired nonces
// are swept apart from requests (nonce-window.ts).
import { AuthorityError } from './authority-error.js';
import {
  bodyMatchesDigest, DIGEST_MISMATCH_MESSAGE, verifyRequestHeaders, type SignatureRefusal,
} from '../protocol/http-signature.js';
import { decodePublicKey } from '../protocol/keys.js';
import type { AuthorityRepository, KioskRow } from './store/repository.js';

export interface IncomingHeaders {
  method: string;
  /** The request target as received: path and query. */
  url: string;
  /** A header received more than once is an array of its values. */
  headers: Record<string, string | string[] | undefined>;
}

/** A kiosk whose signed headers verified; its body must still hash to `digest`. */
export interface SignedClaim {
  kiosk: KioskRow;
  digest: Buffer;
}

export interface RequestAuthenticator {
  /** Verifies the signed headers; the body is not needed (nor read) for this. */
  headers(request: IncomingHeaders): Promise<SignedClaim>;
  /** Refuses (401 DIGEST_MISMATCH) a body whose SHA-256 is not the signed digest. */
  body(claim: SignedClaim, sha256: Buffer): void;
}

const STATUS: Record<SignatureRefusal, number> = {
  SIG_MISSING: 401, SIG_MALFORMED: 401, DIGEST_MISMATCH: 401, SIG_BAD: 401, SIG_EXPIRED: 401, SIG_REPLAYED: 401,
  KEY_UNKNOWN: 401, KEY_REVOKED: 403,
};

/** A refusal that says the client could not sign (rather than a revoked kiosk, which signed correctly). */
export const isSignatureFailure = (error: unknown): boolean => error instanceof AuthorityError && error.status === 401 && error.code in STATUS;

export function createRequestAuthenticator(repository: AuthorityRepository, clock: () => Date, skewSeconds: number): RequestAuthenticator {
  return {
    async headers(request) {
      const now = clock();
      let kiosk: KioskRow | undefined;
      const verdict = await verifyRequestHeaders({
        method: request.method,
        path: request.url,
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
      return { kiosk: kiosk!, digest: verdict.digest };
    },
    body(claim, sha256) {
      if (!bodyMatchesDigest({ sha256 }, claim.digest)) throw new AuthorityError(401, 'DIGEST_MISMATCH', DIGEST_MISMATCH_MESSAGE);
    },
  };
}
