// Ed25519 signatures over canonical JSON documents (receipts, station configuration, operator
// lists, audit checkpoints, bundle manifests). Each kind of document signs under its own
// context string, so a signature made for one kind can never pass as another.
import { sign, verify, type KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { keyIdOf } from './keys.js';
import type { Checked } from './protocol-error.js';

export type Signed<T> = T & { signature: string };

export type SignedJsonRefusal = 'DOCUMENT_MALFORMED' | 'KEY_MISMATCH' | 'SIGNATURE_INVALID';

/** What is signed: the context, a newline, then the canonical JSON of the document without `signature`. */
function signedJsonMessage(context: string, payload: object): Buffer {
  return Buffer.concat([Buffer.from(`${context}\n`, 'utf8'), Buffer.from(canonicalJson(payload), 'utf8')]);
}

export function signJson<T extends object>(context: string, payload: T, privateKey: KeyObject): Signed<T> {
  const signature = sign(null, signedJsonMessage(context, payload), privateKey).toString('base64url');
  return { ...payload, signature };
}

/** Parses `document` with `schema` and checks its signature under `context` with `publicKey`. */
export function verifyJson<T extends { signature: string }>(
  context: string,
  schema: z.ZodType<T>,
  document: unknown,
  publicKey: KeyObject,
): Checked<SignedJsonRefusal, { document: T }> {
  const parsed = schema.safeParse(document);
  if (!parsed.success) {
    return { ok: false, code: 'DOCUMENT_MALFORMED', message: `The signed document is malformed: ${parsed.error.issues[0]?.message}.` };
  }
  const { signature, ...payload } = parsed.data;
  if (!verify(null, signedJsonMessage(context, payload), publicKey, Buffer.from(signature, 'base64url'))) {
    return { ok: false, code: 'SIGNATURE_INVALID', message: 'The document signature does not verify with the expected key.' };
  }
  return { ok: true, document: parsed.data };
}

export interface AuthorityDocumentKind<T extends { signature: string; authorityKeyId: string }> {
  schema: z.ZodType<T>;
  sign(fields: Omit<T, 'signature' | 'authorityKeyId'>, authoritySigningKey: KeyObject): T;
  /** Checks form, that the document names the pinned key, and the signature, in that order. */
  verify(document: unknown, pinnedAuthorityKey: KeyObject): Checked<SignedJsonRefusal, { document: T }>;
}

/** A kind of document the authority signs; each names its signing key in `authorityKeyId`. */
export function authorityDocumentKind<T extends { signature: string; authorityKeyId: string }>(
  context: string,
  schema: z.ZodType<T>,
): AuthorityDocumentKind<T> {
  return {
    schema,
    sign: (fields, authoritySigningKey) =>
      signJson(context, { ...fields, authorityKeyId: keyIdOf(authoritySigningKey) }, authoritySigningKey) as unknown as T,
    verify(document, pinnedAuthorityKey) {
      const parsed = schema.safeParse(document);
      const pinnedKeyId = keyIdOf(pinnedAuthorityKey);
      if (parsed.success && parsed.data.authorityKeyId !== pinnedKeyId) {
        return {
          ok: false,
          code: 'KEY_MISMATCH',
          message: `The document names authority key ${parsed.data.authorityKeyId}, not the pinned key ${pinnedKeyId}.`,
        };
      }
      return verifyJson(context, schema, document, pinnedAuthorityKey);
    },
  };
}
