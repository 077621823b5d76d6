// Who keeps the authority's private keys. The store holds every key pair once for all replicas;
// a custody turns a private key into what the store may hold and back. The one built in encrypts
// under a key-encryption key (KEK) with AES-256-GCM, the key id as associated data, so a stored
// key cannot be moved to another key's row and a wrong KEK is told apart from a damaged row.
// A secret store or a PKCS#11 module that wraps and unwraps keys (C_WrapKey/C_UnwrapKey under a
// key it never releases) fits the same interface under its own name; one that never releases
// private keys at all would need signing and unsealing behind a seam of their own instead.
import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { AuthorityError } from '../authority-error.js';

export interface KeyCustody {
  /** Stored with each key, so a key protected by another custody is recognised as such. */
  readonly name: string;
  /** A short fingerprint of the custody's own secret, for messages (never the secret). */
  readonly fingerprint: string;
  protect(keyId: string, privateKey: KeyObject): string;
  /** The private key back; AUTHORITY_KEK_WRONG when this custody did not protect it. */
  recover(keyId: string, stored: string): KeyObject;
}

export const KEK_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/** AES-256-GCM under `kek`: "v1.<base64url nonce ‖ ciphertext ‖ tag>" of the PKCS#8 DER private key. */
export function kekCustody(kek: Buffer, fingerprint: string): KeyCustody {
  if (kek.length !== KEK_BYTES) {
    throw new AuthorityError(500, 'AUTHORITY_KEK_MALFORMED', `The key-encryption key must be ${KEK_BYTES} bytes; this one has ${kek.length}.`);
  }
  return {
    name: 'kek',
    fingerprint,
    protect(keyId, privateKey) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', kek, nonce).setAAD(Buffer.from(keyId, 'utf8'));
      const sealed = Buffer.concat([cipher.update(privateKey.export({ format: 'der', type: 'pkcs8' })), cipher.final()]);
      return `${FORMAT}.${Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64url')}`;
    },
    recover(keyId, stored) {
      const [format, body] = stored.split('.');
      const bytes = Buffer.from(body ?? '', 'base64url');
      if (format !== FORMAT || bytes.length < NONCE_BYTES + TAG_BYTES + 1) {
        throw new AuthorityError(500, 'AUTHORITY_KEY_DAMAGED', `The stored private key ${keyId} is not in the form this build writes; restore the store from a backup.`, { keyId });
      }
      const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, NONCE_BYTES)).setAAD(Buffer.from(keyId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      let der: Buffer;
      try {
        der = Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new AuthorityError(500, 'AUTHORITY_KEK_WRONG',
          `The key-encryption key given (fingerprint ${fingerprint}) does not open the authority key ${keyId}: every replica must be given the KEK that "keys init" used.`,
          { keyId, kekFingerprint: fingerprint });
      }
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    },
  };
}
