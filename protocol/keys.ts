// How keys travel between kiosk and authority: Ed25519 (signing) and X25519 (sealing) public
// keys as base64url of their 32 raw bytes, and a key id derived from those bytes for pinning.
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ProtocolError } from './protocol-error.js';

export type KeyKind = 'ed25519' | 'x25519';

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

const CURVE: Record<KeyKind, string> = { ed25519: 'Ed25519', x25519: 'X25519' };

/** A fresh Ed25519 key pair, for request, record, receipt and document signatures. */
export const generateSigningKeyPair = (): KeyPair => generateKeyPairSync('ed25519');

/** A fresh X25519 key pair, for wrapping content keys to their recipient. */
export const generateSealingKeyPair = (): KeyPair => generateKeyPairSync('x25519');

/** The 32 raw bytes of a public key (or of the public half of a private key). */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new ProtocolError('KEY_UNSUPPORTED', `A ${publicKey.asymmetricKeyType} key has no raw form here.`);
  return Buffer.from(x, 'base64url');
}

/** A public key as it is written in JSON: base64url of its raw bytes. */
export const encodePublicKey = (key: KeyObject): string => rawPublicKey(key).toString('base64url');

/** The key written as `text` (base64url, or the raw bytes themselves); refuses anything but 32 bytes. */
export function decodePublicKey(kind: KeyKind, text: string | Uint8Array): KeyObject {
  const raw = typeof text === 'string' ? Buffer.from(text, 'base64url') : Buffer.from(text);
  if (raw.length !== 32) {
    throw new ProtocolError('KEY_MALFORMED', `An ${CURVE[kind]} public key is 32 bytes; this one has ${raw.length}.`, { kind });
  }
  return createPublicKey({ key: { kty: 'OKP', crv: CURVE[kind], x: raw.toString('base64url') }, format: 'jwk' });
}

/** The key id: the first 16 bytes of SHA-256 over the raw public key, in hex. */
export const keyIdOf = (key: KeyObject): string =>
  createHash('sha256').update(rawPublicKey(key)).digest('hex').slice(0, 32);
