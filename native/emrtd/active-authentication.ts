// Active Authentication (ICAO 9303-11 §6.1): the reader sends an 8-byte challenge with INTERNAL
// AUTHENTICATE and checks the chip's signature with the public key in DG15, proving the chip
// was not copied. RSA keys sign with ISO/IEC 9796-2 digital signature scheme 1 (partial message
// recovery): the recovered representative is 6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer, trailer BC
// for SHA-1 or xx CC naming the hash (33 SHA-1, 38 SHA-224, 34 SHA-256, 36 SHA-384, 35 SHA-512).
// ECDSA keys sign the challenge with the hash DG14's ActiveAuthenticationInfo names, the
// signature plain r ‖ s (BSI TR-03111; DER is accepted too). The chip's side is here too.

import { constants, createHash, createPublicKey, privateEncrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { swHex, type CommandApdu, type ResponseApdu } from './apdu.js';
import { readTlv } from './ber-tlv.js';
import type { ChipChannel } from './chip-channel.js';
import {
  bigintFromBytes, bytesFromBigint, decodeSubjectPublicKeyInfo, decodeUnsignedInteger, DerTag, encodeSubjectPublicKeyInfo, expectTag,
  readElements, readSingle, type SubjectPublicKeyInfo,
} from './der-codec.js';
import {
  decodePoint, domainFromAlgorithmIdentifier, ecAlgorithmIdentifier, encodePoint, KeyAlgorithmOid, multiply, randomScalar, secureRandom,
  type DomainParameterEncoding, type EcDomain, type RandomSource,
} from './ec-domain.js';
import { infosOfType, SecurityProtocolOid, type ActiveAuthenticationInfo, type SecurityInfo } from './security-infos.js';

export const INS_INTERNAL_AUTHENTICATE = 0x88;
const CHALLENGE_LENGTH = 8;
const SW_SUCCESS = 0x9000;

export type AaHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const HASH_LENGTH: Readonly<Record<AaHash, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** ISO/IEC 10118-3 hash identifiers in the two-byte 9796-2 trailer. */
const TRAILER_HASH_ID: Readonly<Record<AaHash, number>> = { sha1: 0x33, sha224: 0x38, sha256: 0x34, sha384: 0x36, sha512: 0x35 };

/** ECDSA signature algorithm OIDs DG14 may name: BSI TR-03111 ecdsa-plain-* and X9.62 ecdsa-with-*. */
export const EcdsaAlgorithmOid: Readonly<Record<string, AaHash>> = {
  '0.4.0.127.0.7.1.1.4.1.1': 'sha1',
  '0.4.0.127.0.7.1.1.4.1.2': 'sha224',
  '0.4.0.127.0.7.1.1.4.1.3': 'sha256',
  '0.4.0.127.0.7.1.1.4.1.4': 'sha384',
  '0.4.0.127.0.7.1.1.4.1.5': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

export type AaAlgorithm = 'rsa-iso9796-2' | 'ecdsa';

export interface SignatureCheck {
  readonly verified: boolean;
  readonly algorithm: AaAlgorithm;
  /** The hash the signature used (from the trailer for RSA, from DG14 for ECDSA), when known. */
  readonly hash?: AaHash;
  readonly failure?: string;
}

export type ActiveAuthenticationResult =
  | {
    readonly performed: false;
    /** not-offered: no DG15; unsupported: a key or hash we cannot check (ECDSA without ActiveAuthenticationInfo …). */
    readonly reason: 'not-offered' | 'unsupported';
    readonly detail: string;
  }
  | (SignatureCheck & { readonly performed: true; readonly challenge: Uint8Array; readonly signature: Uint8Array });

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);

const hash = (name: AaHash, ...parts: Uint8Array[]): Uint8Array => {
  const digest = createHash(name);
  for (const part of parts) digest.update(part);
  return Uint8Array.from(digest.digest());
};

/** DG15's SubjectPublicKeyInfo, whether given bare or inside the data group's tag 6F. */
export function activeAuthenticationKey(dg15: Uint8Array): SubjectPublicKeyInfo {
  const { tlv, next } = readTlv(dg15, 0);
  return decodeSubjectPublicKeyInfo(tlv.tag === 0x6f && next === dg15.length ? tlv.value : dg15);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

function rsaPublicKey(spki: SubjectPublicKeyInfo): { n: bigint; e: bigint } {
  const [n, e] = readElements(readSingle(spki.subjectPublicKey, DerTag.Sequence, 'RSAPublicKey'));
  return {
    n: decodeUnsignedInteger(expectTag(n, DerTag.Integer, 'modulus'), 'modulus'),
    e: decodeUnsignedInteger(expectTag(e, DerTag.Integer, 'public exponent'), 'public exponent'),
  };
}

function trailerHash(representative: Uint8Array): { hash: AaHash; trailerLength: number } | undefined {
  const last = representative[representative.length - 1];
  if (last === 0xbc) return { hash: 'sha1', trailerLength: 1 };
  if (last !== 0xcc) return undefined;
  const id = representative[representative.length - 2];
  const found = (Object.keys(TRAILER_HASH_ID) as AaHash[]).find((name) => TRAILER_HASH_ID[name] === id);
  return found ? { hash: found, trailerLength: 2 } : undefined;
}

/** ISO/IEC 9796-2 scheme 1 with the challenge as the non-recoverable part M2. */
export function verifyRsaIso9796(spki: SubjectPublicKeyInfo, challenge: Uint8Array, signature: Uint8Array): SignatureCheck {
  const fail = (failure: string, hashName?: AaHash): SignatureCheck => ({ verified: false, algorithm: 'rsa-iso9796-2', ...(hashName ? { hash: hashName } : {}), failure });
  const { n, e } = rsaPublicKey(spki);
  const length = Math.ceil(n.toString(2).length / 8);
  const s = bigintFromBytes(signature);
  if (signature.length > length || s === 0n || s >= n) return fail('the signature is not a number below the modulus');
  const recovered = modPow(s, e, n);
  // Either J or n − J is the representative (the "min" form of ISO/IEC 9796-2 §B.6 with an odd exponent).
  for (const candidate of [recovered, n - recovered]) {
    let representative = bytesFromBigint(candidate, length);
    if (representative[0] === 0) representative = representative.subarray(1);
    const trailer = trailerHash(representative);
    if (!trailer || representative[0] !== 0x6a) continue;
    const digestLength = HASH_LENGTH[trailer.hash];
    const end = representative.length - trailer.trailerLength;
    if (end - digestLength < 1) return fail('the recovered message is too short', trailer.hash);
    const m1 = representative.subarray(1, end - digestLength);
    const digest = representative.subarray(end - digestLength, end);
    return sameBytes(digest, hash(trailer.hash, m1, challenge))
      ? { verified: true, algorithm: 'rsa-iso9796-2', hash: trailer.hash }
      : fail('the recovered hash does not match the challenge', trailer.hash);
  }
  return fail('the signature does not recover an ISO/IEC 9796-2 scheme 1 message (header 6A, trailer BC or xxCC)');
}

function ecdsaHashInput(curve: EcDomain, digest: Uint8Array): bigint {
  const bits = curve.order.toString(2).length;
  const value = bigintFromBytes(digest);
  return digest.length * 8 > bits ? value >> BigInt(digest.length * 8 - bits) : value;
}

function signatureParts(curve: EcDomain, signature: Uint8Array): { r: bigint; s: bigint } | undefined {
  const size = Math.ceil(curve.order.toString(2).length / 8);
  if (signature.length === 2 * size) return { r: bigintFromBytes(signature.subarray(0, size)), s: bigintFromBytes(signature.subarray(size)) };
  try {
    const [r, s, ...extra] = readElements(readSingle(signature, DerTag.Sequence, 'ECDSA signature'));
    if (extra.length > 0) return undefined;
    return { r: decodeUnsignedInteger(expectTag(r, DerTag.Integer, 'r'), 'r'), s: decodeUnsignedInteger(expectTag(s, DerTag.Integer, 's'), 's') };
  } catch {
    return undefined;
  }
}

/** ECDSA over the challenge (plain r ‖ s or DER), with the curve from DG15's key. */
export function verifyEcdsa(spki: SubjectPublicKeyInfo, hashName: AaHash, challenge: Uint8Array, signature: Uint8Array): SignatureCheck {
  const fail = (failure: string): SignatureCheck => ({ verified: false, algorithm: 'ecdsa', hash: hashName, failure });
  const curve = domainFromAlgorithmIdentifier(spki.algorithm);
  const publicKey = decodePoint(curve, spki.subjectPublicKey, 'Active Authentication public key in DG15');
  const parts = signatureParts(curve, signature);
  if (!parts) return fail(`a ${signature.length}-byte signature is neither plain r ‖ s nor DER`);
  const { r, s } = parts;
  const n = curve.order;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return fail('r or s out of range');
  const w = curve.Point.Fn.inv(s);
  const e = ecdsaHashInput(curve, hash(hashName, challenge));
  const point = multiply(curve.Point.BASE, (e * w) % n, curve).add(multiply(publicKey, (r * w) % n, curve));
  if (point.equals(curve.Point.ZERO) || point.x % n !== r) return fail('the signature does not match the challenge');
  return { verified: true, algorithm: 'ecdsa', hash: hashName };
}

/** Checks an Active Authentication signature; throws only when DG15's key cannot be read. */
export function verifyActiveAuthentication(
  spki: SubjectPublicKeyInfo, challenge: Uint8Array, signature: Uint8Array, info?: ActiveAuthenticationInfo,
): SignatureCheck {
  if (spki.algorithm.algorithm === KeyAlgorithmOid.rsaEncryption) return verifyRsaIso9796(spki, challenge, signature);
  const hashName = info ? EcdsaAlgorithmOid[info.signatureAlgorithm] : undefined;
  if (!hashName) return { verified: false, algorithm: 'ecdsa', failure: `no usable ECDSA hash (${info?.signatureAlgorithm ?? 'DG14 has no ActiveAuthenticationInfo'})` };
  return verifyEcdsa(spki, hashName, challenge, signature);
}

export interface ActiveAuthenticationOptions {
  readonly random?: RandomSource;
}

/**
 * INTERNAL AUTHENTICATE with a fresh 8-byte challenge over `channel` (under secure messaging),
 * the answer checked with DG15's key. Not offered without DG15; unsupported when the key type
 * or (for ECDSA) the hash is unknown. Transport and secure messaging failures throw.
 */
export async function performActiveAuthentication(
  channel: ChipChannel, dg15: Uint8Array | undefined, dg14: readonly SecurityInfo[] = [], options: ActiveAuthenticationOptions = {},
): Promise<ActiveAuthenticationResult> {
  if (!dg15) return { performed: false, reason: 'not-offered', detail: 'The document has no DG15 (Active Authentication public key).' };
  const spki = activeAuthenticationKey(dg15);
  const info = infosOfType(dg14, 'ActiveAuthenticationInfo')[0];
  let signatureLength: number;
  if (spki.algorithm.algorithm === KeyAlgorithmOid.rsaEncryption) {
    signatureLength = Math.ceil(rsaPublicKey(spki).n.toString(2).length / 8);
  } else if (spki.algorithm.algorithm === KeyAlgorithmOid.ecPublicKey) {
    if (!info || !EcdsaAlgorithmOid[info.signatureAlgorithm]) {
      return { performed: false, reason: 'unsupported', detail: `DG15 holds an ECDSA key but DG14 names no known hash (${info?.signatureAlgorithm ?? 'no ActiveAuthenticationInfo'}).` };
    }
    try {
      signatureLength = 2 * domainFromAlgorithmIdentifier(spki.algorithm).fieldSize;
    } catch (error) {
      return { performed: false, reason: 'unsupported', detail: (error as Error).message };
    }
  } else {
    return { performed: false, reason: 'unsupported', detail: `DG15 holds a ${spki.algorithm.algorithm} key.` };
  }
  const challenge = Uint8Array.from((options.random ?? secureRandom)(CHALLENGE_LENGTH));
  const { data, sw } = await channel.send({
    cla: 0x00, ins: INS_INTERNAL_AUTHENTICATE, p1: 0x00, p2: 0x00, data: challenge, le: signatureLength > 256 ? 65536 : 256,
  });
  const signature = Uint8Array.from(data);
  if (sw !== SW_SUCCESS) {
    const algorithm: AaAlgorithm = spki.algorithm.algorithm === KeyAlgorithmOid.rsaEncryption ? 'rsa-iso9796-2' : 'ecdsa';
    return { performed: true, verified: false, algorithm, challenge, signature, failure: `the chip answered INTERNAL AUTHENTICATE with ${swHex(sw)}` };
  }
  return { performed: true, challenge, signature, ...verifyActiveAuthentication(spki, challenge, signature, info) };
}

// --- the chip's side -------------------------------------------------------------------------

/** An Active Authentication private key as the virtual chip holds it. */
export type ActiveAuthenticationKey =
  | { readonly kind: 'rsa'; readonly privateKey: KeyObject; readonly hash: AaHash }
  | { readonly kind: 'ecdsa'; readonly curve: EcDomain; readonly privateKey: bigint; readonly signatureAlgorithm: string };

/** DG15's content (SubjectPublicKeyInfo DER) for `key`. */
export function activeAuthenticationPublicKeyInfo(key: ActiveAuthenticationKey, encoding: DomainParameterEncoding = 'named'): Uint8Array {
  if (key.kind === 'rsa') return Uint8Array.from(createPublicKey(key.privateKey).export({ format: 'der', type: 'spki' }));
  return encodeSubjectPublicKeyInfo({
    algorithm: ecAlgorithmIdentifier(key.curve, encoding),
    subjectPublicKey: encodePoint(multiply(key.curve.Point.BASE, key.privateKey, key.curve)),
  });
}

/** DG14's ActiveAuthenticationInfo for an ECDSA key (RSA keys need none). */
export function activeAuthenticationInfo(key: ActiveAuthenticationKey): ActiveAuthenticationInfo | undefined {
  return key.kind === 'ecdsa'
    ? { type: 'ActiveAuthenticationInfo', protocol: SecurityProtocolOid.activeAuthentication, version: 1, signatureAlgorithm: key.signatureAlgorithm }
    : undefined;
}

function rsaModulusLength(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new RangeError('not an RSA key');
  return bits;
}

/** The chip's signature over `challenge`. */
export function signChallenge(key: ActiveAuthenticationKey, challenge: Uint8Array, random: RandomSource = secureRandom): Uint8Array {
  if (key.kind === 'rsa') {
    const bits = rsaModulusLength(key.privateKey);
    // The representative has one bit less than the modulus; it starts with 6A, so it needs k bytes with 8·k − 1 ≤ bits.
    const length = Math.ceil((bits - 1) / 8);
    const trailer = key.hash === 'sha1' ? Uint8Array.of(0xbc) : Uint8Array.of(TRAILER_HASH_ID[key.hash], 0xcc);
    const m1 = Uint8Array.from(random(length - 1 - HASH_LENGTH[key.hash] - trailer.length));
    const representative = Buffer.concat([Uint8Array.of(0x6a), m1, hash(key.hash, m1, challenge), trailer]);
    const padded = Buffer.concat([new Uint8Array(Math.ceil(bits / 8) - representative.length), representative]);
    return Uint8Array.from(privateEncrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, padded));
  }
  const hashName = EcdsaAlgorithmOid[key.signatureAlgorithm];
  if (!hashName) throw new RangeError(`signature algorithm ${key.signatureAlgorithm}`);
  const { curve } = key;
  const n = curve.order;
  const e = ecdsaHashInput(curve, hash(hashName, challenge));
  const size = Math.ceil(n.toString(2).length / 8);
  for (;;) {
    const k = randomScalar(curve, random);
    const r = multiply(curve.Point.BASE, k, curve).x % n;
    const s = (curve.Point.Fn.inv(k) * ((e + r * key.privateKey) % n)) % n;
    if (r !== 0n && s !== 0n) return Buffer.concat([bytesFromBigint(r, size), bytesFromBigint(s, size)]);
  }
}

/** The chip's side: answers INTERNAL AUTHENTICATE (8-byte challenge) with its signature; undefined for other commands. */
export class ActiveAuthenticationChip {
  constructor(readonly key: ActiveAuthenticationKey, readonly random: RandomSource = secureRandom) {}

  answer(command: CommandApdu): { readonly response: ResponseApdu } | undefined {
    if (command.ins !== INS_INTERNAL_AUTHENTICATE) return undefined;
    if (command.p1 !== 0 || command.p2 !== 0) return { response: { data: new Uint8Array(0), sw: 0x6a86 } };
    if (command.data?.length !== CHALLENGE_LENGTH) return { response: { data: new Uint8Array(0), sw: 0x6700 } };
    return { response: { data: signChallenge(this.key, command.data, this.random), sw: SW_SUCCESS } };
  }
}
