// The sealed record envelope: a record (canonical JSON plus binary parts) encrypted with a
// fresh AES-256-GCM key that is wrapped to the authority's X25519 key, its metadata bound as
// associated data, and the whole signed by the kiosk. Once sealed, only the authority reads it.
//
// Layout (integers big-endian):
//   "GHSR" | version u8 = 1 | header length u32 | header (canonical JSON)
//   | ephemeral X25519 public key (32) | wrap nonce (12) | wrapped content key (32) | wrap tag (16)
//   | content nonce (12) | ciphertext (json.size + Σ parts[].size) | content tag (16)
//   | Ed25519 signature (64) over every byte before it
// The content encryption authenticates every byte before the ciphertext as associated data:
// header (record id, kiosk, kind, parts) and wrapped key alike.
import {
  createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, sign, verify, type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import {
  containerError, FRAME_PREFIX_BYTES, frameHeader, parseHeader, readHeaderLength, truncatedError, type ContainerFormat,
} from './container-framing.js';
import { canonicalJsonBytes } from './canonical-json.js';
import { EnrollmentNumber } from './enrollment-number.js';
import { decodePublicKey, keyIdOf, rawPublicKey } from './keys.js';
import { ByteCount, IsoTime, KeyId, KioskId, RecordId, sha256Hex } from './wire-fields.js';

const FORMAT: ContainerFormat = { name: 'sealed record', magic: 'GHSR', version: 1, maxHeaderBytes: 64 * 1024, codePrefix: 'ENVELOPE' };
const MAX_CONTENT_BYTES = 2 ** 30;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SIGNATURE_BYTES = 64;
const KEY_SECTION_BYTES = KEY_BYTES + NONCE_BYTES + KEY_BYTES + TAG_BYTES;
const HKDF_INFO = Buffer.from('gatehouse sealed-record v1 content-key wrap', 'ascii');

const PartName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a part name is 1–64 letters, digits, ".", "_" or "-"');

export const SealedHeader = z.strictObject({
  recordId: RecordId,
  kioskId: KioskId,
  createdAt: IsoTime,
  kind: z.string().regex(/^[a-z][a-z0-9.-]{0,63}$/, 'a record kind is lowercase letters, digits, "." and "-"'),
  /** The enrollment number a person was given for it (none for records that are no enrollment). */
  number: EnrollmentNumber.optional(),
  /** Key id of the authority sealing key the content key is wrapped to. */
  sealedTo: KeyId,
  json: z.strictObject({ size: ByteCount }),
  parts: z.array(z.strictObject({ name: PartName, size: ByteCount })).max(256)
    .refine((parts) => new Set(parts.map((p) => p.name)).size === parts.length, 'part names must be unique'),
}).refine((h) => contentBytes(h) <= MAX_CONTENT_BYTES, `a record holds at most ${MAX_CONTENT_BYTES} bytes`);
export type SealedHeader = z.infer<typeof SealedHeader>;

export interface RecordPart {
  name: string;
  bytes: Uint8Array;
}

export interface SealRecordInput {
  recordId: string;
  kioskId: string;
  createdAt: string;
  kind: string;
  number?: string;
  json: unknown;
  parts: readonly RecordPart[];
  authoritySealingPublicKey: KeyObject;
  kioskSigningPrivateKey: KeyObject;
}

export interface SealedRecord {
  bytes: Uint8Array;
  /** SHA-256 of `bytes`, lowercase hex: what dedup, receipts and bundles name the envelope by. */
  digest: string;
  size: number;
}

export interface OpenedRecord {
  header: SealedHeader;
  json: unknown;
  parts: RecordPart[];
}

export interface OpenKeys {
  authoritySealingPrivateKey: KeyObject;
  kioskSigningPublicKey: KeyObject;
}

function contentBytes(header: { json: { size: number }; parts: ReadonlyArray<{ size: number }> }): number {
  return header.parts.reduce((sum, part) => sum + part.size, header.json.size);
}

const envelopeError = (code: string, message: string, details: Record<string, unknown> = {}) =>
  containerError(FORMAT, code, message, details);

export function sealRecord(input: SealRecordInput): SealedRecord {
  const jsonBytes = canonicalJsonBytes(input.json);
  const parsedHeader = SealedHeader.safeParse({
    recordId: input.recordId,
    kioskId: input.kioskId,
    createdAt: input.createdAt,
    kind: input.kind,
    ...(input.number === undefined ? {} : { number: input.number }),
    sealedTo: keyIdOf(input.authoritySealingPublicKey),
    json: { size: jsonBytes.length },
    parts: input.parts.map(({ name, bytes }) => ({ name, size: bytes.length })),
  });
  if (!parsedHeader.success) {
    throw envelopeError('INPUT_INVALID', `The record cannot be sealed: ${parsedHeader.error.issues[0]?.message}.`);
  }
  const headerRegion = frameHeader(FORMAT, parsedHeader.data);

  const contentKey = randomBytes(KEY_BYTES);
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralRaw = rawPublicKey(ephemeral.publicKey);
  const kek = keyEncryptionKey(ephemeral.privateKey, input.authoritySealingPublicKey, ephemeralRaw, rawPublicKey(input.authoritySealingPublicKey));
  const wrapNonce = randomBytes(NONCE_BYTES);
  const wrapped = gcmSeal(kek, wrapNonce, [contentKey], Buffer.alloc(0));

  const contentNonce = randomBytes(NONCE_BYTES);
  const associated = Buffer.concat([headerRegion, ephemeralRaw, wrapNonce, wrapped.ciphertext, wrapped.tag, contentNonce]);
  const content = gcmSeal(contentKey, contentNonce, [jsonBytes, ...input.parts.map((part) => part.bytes)], associated);
  const signed = Buffer.concat([associated, content.ciphertext, content.tag]);
  const bytes = Buffer.concat([signed, sign(null, signed, input.kioskSigningPrivateKey)]);
  return { bytes, digest: sha256Hex(bytes), size: bytes.length };
}

/** The envelope's metadata, checked for form and length; needs no key and proves no origin. */
export function readSealedHeader(bytes: Uint8Array): SealedHeader {
  return parseLayout(bytes).header;
}

export function openSealedRecord(bytes: Uint8Array, keys: OpenKeys): OpenedRecord {
  const { header, json, plaintext } = decryptEnvelope(bytes, keys, 'all');
  let at = header.json.size;
  const parts = header.parts.map(({ name, size }) => {
    const part = { name, bytes: plaintext.subarray(at, at + size) };
    at += size;
    return part;
  });
  return { header, json, parts };
}

/**
 * Every check of openSealedRecord — kiosk signature, authority key, key unwrap, authentication
 * tag, JSON part — without keeping the parts: for a receiver that stores the envelope as it is
 * (the authority's intake), so a large record's plaintext is never held in memory.
 */
export function verifySealedRecord(bytes: Uint8Array, keys: OpenKeys): SealedHeader {
  return decryptEnvelope(bytes, keys, 'json').header;
}

function decryptEnvelope(bytes: Uint8Array, keys: OpenKeys, keep: 'all' | 'json'): { header: SealedHeader; json: unknown; plaintext: Buffer } {
  const layout = parseLayout(bytes);
  const { header } = layout;
  if (!verify(null, layout.signed, keys.kioskSigningPublicKey, layout.signature)) {
    throw envelopeError('SIGNATURE_INVALID', `Record ${header.recordId} is not signed by the key of kiosk ${header.kioskId} as given, or was altered after signing.`,
      { recordId: header.recordId, kioskId: header.kioskId });
  }
  const authorityKeyId = keyIdOf(keys.authoritySealingPrivateKey);
  if (header.sealedTo !== authorityKeyId) {
    throw envelopeError('WRONG_AUTHORITY_KEY', `Record ${header.recordId} is sealed to authority key ${header.sealedTo}, not ${authorityKeyId}.`,
      { recordId: header.recordId, sealedTo: header.sealedTo });
  }
  let contentKey: Buffer;
  try {
    const ephemeralKey = decodePublicKey('x25519', layout.ephemeralKey);
    const kek = keyEncryptionKey(keys.authoritySealingPrivateKey, ephemeralKey, layout.ephemeralKey, rawPublicKey(keys.authoritySealingPrivateKey));
    contentKey = gcmOpen(kek, layout.wrapNonce, layout.wrappedKey, layout.wrapTag, Buffer.alloc(0));
  } catch {
    throw envelopeError('KEY_UNWRAP_FAILED', `The content key of record ${header.recordId} does not unwrap with this authority key.`,
      { recordId: header.recordId });
  }
  let plaintext: Buffer;
  try {
    plaintext = gcmOpen(contentKey, layout.contentNonce, layout.ciphertext, layout.contentTag, layout.associated, keep === 'all' ? Infinity : header.json.size);
  } catch {
    throw envelopeError('DECRYPT_FAILED', `Record ${header.recordId} fails its authentication tag: the ciphertext or the metadata bound to it (record id, kiosk, parts) differs from what was sealed.`,
      { recordId: header.recordId });
  }
  let json: unknown;
  try {
    json = JSON.parse(plaintext.subarray(0, header.json.size).toString('utf8'));
  } catch {
    throw envelopeError('CONTENT_INVALID', `Record ${header.recordId} decrypts, but its JSON part is not JSON.`, { recordId: header.recordId });
  }
  return { header, json, plaintext };
}

/** HKDF-SHA256 over the X25519 shared secret, salted with the ephemeral then the recipient public key. */
function keyEncryptionKey(privateKey: KeyObject, publicKey: KeyObject, ephemeralRaw: Buffer, recipientRaw: Buffer): Buffer {
  const shared = diffieHellman({ privateKey, publicKey });
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralRaw, recipientRaw]), HKDF_INFO, KEY_BYTES));
}

function gcmSeal(key: Buffer, nonce: Buffer, plaintext: readonly Uint8Array[], associated: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES }).setAAD(associated);
  const ciphertext = Buffer.concat([...plaintext.map((chunk) => cipher.update(chunk)), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

const DECRYPT_SLICE_BYTES = 1024 * 1024;

/** Decrypts and authenticates all of `ciphertext`, keeping the first `keep` bytes of plaintext. */
function gcmOpen(key: Buffer, nonce: Buffer, ciphertext: Buffer, tag: Buffer, associated: Buffer, keep = Infinity): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES }).setAAD(associated).setAuthTag(tag);
  // Slice by slice into one buffer: a single update() over a large record briefly holds its
  // plaintext twice (Node shrinks the output by copying it), and a concat would copy it again.
  const plaintext = Buffer.allocUnsafe(Math.min(keep, ciphertext.length));
  let written = 0;
  for (let at = 0; at < ciphertext.length; at += DECRYPT_SLICE_BYTES) {
    written += decipher.update(ciphertext.subarray(at, at + DECRYPT_SLICE_BYTES)).copy(plaintext, written);
  }
  written += decipher.final().copy(plaintext, written);
  return plaintext.subarray(0, written);
}

interface Layout {
  header: SealedHeader;
  ephemeralKey: Buffer;
  wrapNonce: Buffer;
  wrappedKey: Buffer;
  wrapTag: Buffer;
  contentNonce: Buffer;
  associated: Buffer;
  ciphertext: Buffer;
  contentTag: Buffer;
  signed: Buffer;
  signature: Buffer;
}

/** Splits an envelope into its fields, refusing anything of the wrong form or length. */
function parseLayout(bytes: Uint8Array): Layout {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerEnd = FRAME_PREFIX_BYTES + readHeaderLength(FORMAT, buffer);
  if (buffer.length < headerEnd) throw truncatedError(FORMAT, buffer.length);
  const header = parseHeader(FORMAT, buffer.subarray(FRAME_PREFIX_BYTES, headerEnd), SealedHeader);

  const ciphertextStart = headerEnd + KEY_SECTION_BYTES + NONCE_BYTES;
  const ciphertextEnd = ciphertextStart + contentBytes(header);
  const signedEnd = ciphertextEnd + TAG_BYTES;
  const total = signedEnd + SIGNATURE_BYTES;
  if (buffer.length < total) throw truncatedError(FORMAT, buffer.length);
  if (buffer.length > total) {
    throw envelopeError('MALFORMED', `The envelope has ${buffer.length - total} bytes after its signature.`);
  }
  let at = headerEnd;
  const field = (length: number) => buffer.subarray(at, (at += length));
  return {
    header,
    ephemeralKey: field(KEY_BYTES),
    wrapNonce: field(NONCE_BYTES),
    wrappedKey: field(KEY_BYTES),
    wrapTag: field(TAG_BYTES),
    contentNonce: field(NONCE_BYTES),
    associated: buffer.subarray(0, ciphertextStart),
    ciphertext: buffer.subarray(ciphertextStart, ciphertextEnd),
    contentTag: buffer.subarray(ciphertextEnd, signedEnd),
    signed: buffer.subarray(0, signedEnd),
    signature: buffer.subarray(signedEnd),
  };
}
