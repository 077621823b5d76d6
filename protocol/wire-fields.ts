// The field formats every protocol document shares: identifiers that are safe in a URL
// path, SHA-256 digests as lowercase hex, UTC times in ISO 8601, keys and signatures as
// base64url of their raw bytes.
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** A record id (the kiosk uses UUIDs): letters, digits, `.`, `_`, `-`; usable as a path segment. */
export const RecordId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a record id is 1–128 letters, digits, ".", "_" or "-"');
export const KioskId = z.uuid();
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest is 64 lowercase hex digits');
/** A key id: the first 16 bytes of SHA-256 over the raw public key, in hex. */
export const KeyId = z.string().regex(/^[0-9a-f]{32}$/, 'a key id is 32 lowercase hex digits');
export const IsoTime = z.iso.datetime({ offset: false });
/** An Ed25519 or X25519 public key: its 32 raw bytes in base64url (the JWK `x` value). */
export const PublicKeyText = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a public key is 32 bytes in base64url');
/** An Ed25519 signature: 64 bytes in base64url. */
export const SignatureText = z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'a signature is 64 bytes in base64url');
export const ByteCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The SHA-256 of `bytes` as lowercase hex: the digest of an envelope, a bundle entry, a token. */
export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
