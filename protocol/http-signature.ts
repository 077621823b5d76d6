// RFC 9421 HTTP Message Signatures as the authority API uses them: a kiosk signs the method,
// path, query and RFC 9530 Content-Digest of every request with its Ed25519 key; the
// authority checks form, time window, digest, key, signature, revocation and nonce, in order —
// or, to refuse a request before reading its body, everything but the digest first
// (verifyRequestHeaders) and the body against the signed digest as it arrives.
import { createHash, randomBytes, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { Checked } from './protocol-error.js';
import {
  parseDictionary, serializeBareItem, serializeInnerList, type SfMember, type SfParams,
} from './structured-fields.js';

const SIGNATURE_LABEL = 'sig1';
/** The components every request signature covers, in the order the signer lists them. */
const SIGNED_COMPONENTS = ['@method', '@path', '@query', 'content-digest'] as const;
export const DEFAULT_SKEW_SECONDS = 300;

export type SignatureRefusal =
  | 'SIG_MISSING' | 'SIG_MALFORMED' | 'DIGEST_MISMATCH' | 'SIG_BAD' | 'SIG_EXPIRED' | 'SIG_REPLAYED'
  | 'KEY_UNKNOWN' | 'KEY_REVOKED';

export interface SignedRequestHeaders {
  'content-digest': string;
  'signature-input': string;
  signature: string;
}

export interface SignRequestInput {
  method: string;
  /** The request target as sent: path plus `?query` when there is one. */
  path: string;
  body: Uint8Array | string;
  keyId: string;
  privateKey: KeyObject;
  now: Date;
  nonce?: string;
}

/** What a request's signature is checked against before its body is read: everything but the body. */
export interface VerifyHeadersInput {
  method: string;
  /** The request target as received: path plus `?query` when there is one. */
  path: string;
  /** A header sent more than once is an array (verification refuses it as malformed). */
  headers: Record<string, string | string[] | undefined>;
  lookupKey(keyId: string): Promise<{ publicKey: KeyObject; revoked: boolean } | undefined>;
  now: Date;
  skewSeconds: number;
  /** Records the nonce; true when this key already used it (a replay). */
  seenNonce(keyId: string, nonce: string, created: number): Promise<boolean>;
}

export interface VerifyRequestInput extends VerifyHeadersInput {
  body: Uint8Array;
}

export type VerifiedRequest = Checked<SignatureRefusal, { keyId: string; created: number; nonce: string }>;

/** A request whose signed headers verified; its body still has to match `digest` (see bodyMatchesDigest). */
export type VerifiedHeaders = Checked<SignatureRefusal, { keyId: string; created: number; nonce: string; digest: Buffer }>;

/** The RFC 9530 Content-Digest field value of `body`: `sha-256=:<base64>:`. */
export function contentDigest(body: Uint8Array | string): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** The signature base of RFC 9421 §2.5: one `"name": value` line per component, then the parameters. */
export function signatureBase(components: ReadonlyArray<readonly [string, string]>, signatureParams: string): string {
  return [...components.map(([name, value]) => `"${name}": ${value}`), `"@signature-params": ${signatureParams}`].join('\n');
}

/** The values of SIGNED_COMPONENTS for one request (RFC 9421 §2.2: an absent query is `?`). */
function componentValues(method: string, target: string, digest: string): Record<(typeof SIGNED_COMPONENTS)[number], string> {
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  return {
    '@method': method.toUpperCase(),
    '@path': path === '' ? '/' : path,
    '@query': queryAt === -1 ? '?' : target.slice(queryAt),
    'content-digest': digest,
  };
}

export function signRequest(input: SignRequestInput): SignedRequestHeaders {
  const digest = contentDigest(input.body);
  const params: SfParams = [
    ['created', { type: 'integer', value: Math.floor(input.now.getTime() / 1000) }],
    ['nonce', { type: 'string', value: input.nonce ?? randomBytes(16).toString('base64url') }],
    ['keyid', { type: 'string', value: input.keyId }],
    ['alg', { type: 'string', value: 'ed25519' }],
  ];
  const signatureParams = serializeInnerList({
    list: SIGNED_COMPONENTS.map((name) => ({ item: { type: 'string', value: name }, params: [] })),
    params,
  });
  const values = componentValues(input.method, input.path, digest);
  const base = signatureBase(SIGNED_COMPONENTS.map((name) => [name, values[name]] as const), signatureParams);
  const signature = sign(null, Buffer.from(base, 'utf8'), input.privateKey);
  return {
    'content-digest': digest,
    'signature-input': `${SIGNATURE_LABEL}=${signatureParams}`,
    signature: `${SIGNATURE_LABEL}=${serializeBareItem({ type: 'binary', value: signature })}`,
  };
}

interface ParsedSignature {
  components: string[];
  signatureParams: string;
  created: number;
  nonce: string;
  keyId: string;
  signature: Buffer;
}

class Refused extends Error {
  constructor(readonly code: SignatureRefusal, message: string) {
    super(message);
  }
}

/** Verifies a whole request, body included: form, time window, digest, key, signature, revocation, nonce. */
export function verifyRequest(input: VerifyRequestInput): Promise<VerifiedRequest> {
  return refusalAsVerdict(async () => {
    const claim = readClaim(input);
    if (!bodyMatchesDigest(input.body, claim.digest)) throw new Refused('DIGEST_MISMATCH', DIGEST_MISMATCH_MESSAGE);
    const { keyId, created, nonce } = await authenticateClaim(input, claim);
    return { keyId, created, nonce };
  });
}

/**
 * Verifies everything of a request but its body, so a server can refuse it before reading a byte
 * of the body. The signature covers Content-Digest, so the body that follows must then hash to
 * the returned `digest` (bodyMatchesDigest); until it does, the request is not authenticated.
 */
export function verifyRequestHeaders(input: VerifyHeadersInput): Promise<VerifiedHeaders> {
  return refusalAsVerdict(() => authenticateClaim(input, readClaim(input)));
}

/** True when `body` (or its SHA-256, as a running hash's result) is what the signed Content-Digest declared. */
export function bodyMatchesDigest(body: Uint8Array | { sha256: Buffer }, declared: Buffer): boolean {
  const actual = 'sha256' in body ? body.sha256 : createHash('sha256').update(body).digest();
  return actual.length === declared.length && timingSafeEqual(actual, declared);
}

export const DIGEST_MISMATCH_MESSAGE = 'The body does not match its Content-Digest.';

async function refusalAsVerdict<T extends object>(verify: () => Promise<T>): Promise<Checked<SignatureRefusal, T>> {
  try {
    return { ok: true, ...(await verify()) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

/** The signature a request claims, checked for form and time window: no key or body involved yet. */
interface Claim {
  parsed: ParsedSignature;
  digestField: string;
  digest: Buffer;
}

function readClaim(input: Pick<VerifyHeadersInput, 'headers' | 'now' | 'skewSeconds'>): Claim {
  const signatureInput = singleHeader(input.headers, 'signature-input');
  const signatureField = singleHeader(input.headers, 'signature');
  const digestField = singleHeader(input.headers, 'content-digest');
  if (signatureInput === undefined || signatureField === undefined) {
    throw new Refused('SIG_MISSING', 'The request is not signed: Signature-Input and Signature headers are required.');
  }
  const parsed = parseSignature(signatureInput, signatureField);

  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  if (Math.abs(nowSeconds - parsed.created) > input.skewSeconds) {
    throw new Refused('SIG_EXPIRED', `The signature was created at ${parsed.created}, more than ${input.skewSeconds} s from the authority's clock (${nowSeconds}); check the kiosk clock.`);
  }

  if (digestField === undefined) throw new Refused('SIG_MALFORMED', 'The signed Content-Digest header is missing.');
  const declared = parseOrRefuse(digestField).get('sha-256');
  if (declared === undefined || 'list' in declared || declared.item.type !== 'binary') {
    throw new Refused('SIG_MALFORMED', 'Content-Digest carries no sha-256 byte sequence.');
  }
  return { parsed, digestField, digest: declared.item.value };
}

/** Key, signature over the claimed headers, revocation, then the nonce (remembered only for a request that verified). */
async function authenticateClaim(input: VerifyHeadersInput, { parsed, digestField, digest }: Claim) {
  const key = await input.lookupKey(parsed.keyId);
  if (key === undefined) throw new Refused('KEY_UNKNOWN', `No kiosk is registered under key id "${parsed.keyId}".`);
  const values = componentValues(input.method, input.path, digestField.trim());
  const base = signatureBase(parsed.components.map((name) => [name, values[name as keyof typeof values]] as const), parsed.signatureParams);
  if (!verify(null, Buffer.from(base, 'utf8'), key.publicKey, parsed.signature)) {
    throw new Refused('SIG_BAD', 'The request signature does not verify with the key registered for this kiosk.');
  }
  if (key.revoked) throw new Refused('KEY_REVOKED', `Kiosk "${parsed.keyId}" has been revoked; it must be provisioned again.`);
  if (await input.seenNonce(parsed.keyId, parsed.nonce, parsed.created)) {
    throw new Refused('SIG_REPLAYED', 'This signed request was already received (nonce reused); sign every attempt afresh.');
  }
  return { keyId: parsed.keyId, created: parsed.created, nonce: parsed.nonce, digest };
}

function singleHeader(headers: VerifyRequestInput['headers'], name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) throw new Refused('SIG_MALFORMED', `The ${name} header appears more than once.`);
  return value;
}

function parseOrRefuse(text: string): Map<string, SfMember> {
  try {
    return parseDictionary(text);
  } catch (error) {
    throw new Refused('SIG_MALFORMED', `A signature header is not a structured-field dictionary: ${(error as Error).message}`);
  }
}

function parseSignature(signatureInput: string, signatureField: string): ParsedSignature {
  const input = parseOrRefuse(signatureInput).get(SIGNATURE_LABEL);
  const value = parseOrRefuse(signatureField).get(SIGNATURE_LABEL);
  if (input === undefined || value === undefined) {
    throw new Refused('SIG_MISSING', `Signature-Input and Signature carry no "${SIGNATURE_LABEL}" signature.`);
  }
  if (!('list' in input)) throw new Refused('SIG_MALFORMED', 'Signature-Input must list the covered components.');
  if ('list' in value || value.item.type !== 'binary') throw new Refused('SIG_MALFORMED', 'Signature must be a byte sequence.');

  const components = input.list.map(({ item, params }) => {
    if (item.type !== 'string' || params.length > 0) throw new Refused('SIG_MALFORMED', 'Each covered component is a plain string.');
    return item.value;
  });
  const covered = new Set(components);
  if (covered.size !== components.length || components.length !== SIGNED_COMPONENTS.length || SIGNED_COMPONENTS.some((c) => !covered.has(c))) {
    throw new Refused('SIG_MALFORMED', `The signature must cover exactly ${SIGNED_COMPONENTS.map((c) => `"${c}"`).join(' ')}.`);
  }
  const params = new Map(input.params);
  const created = params.get('created');
  const nonce = params.get('nonce');
  const keyId = params.get('keyid');
  const alg = params.get('alg');
  if (created?.type !== 'integer' || created.value < 0) throw new Refused('SIG_MALFORMED', 'The signature has no valid "created" time.');
  if (nonce?.type !== 'string' || nonce.value.length < 16 || nonce.value.length > 128) {
    throw new Refused('SIG_MALFORMED', 'The signature needs a "nonce" of 16 to 128 characters.');
  }
  if (keyId?.type !== 'string' || keyId.value === '') throw new Refused('SIG_MALFORMED', 'The signature names no "keyid".');
  if (alg?.type !== 'string' || alg.value !== 'ed25519') throw new Refused('SIG_MALFORMED', 'The signature "alg" must be "ed25519".');
  return {
    components,
    signatureParams: serializeInnerList(input),
    created: created.value,
    nonce: nonce.value,
    keyId: keyId.value,
    signature: value.item.value,
  };
}
