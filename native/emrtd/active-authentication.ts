// Active Authentication (ICAO 9303-11 §6.1): the reader sends an 8-byte challenge with INTERNAL
// AUTHENTICATE and checks the chip's signature with the public key in DG15, proving the chip
// was not copied. RSA keys sign with ISO/IEC 9796-2 digital signature scheme 1 (partial message
// recovery): the recovered representative is 6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer, trailer BC
// for SHA-1 or xx CC naming the hash (33 SHA-1, 38 SHA-224, 34 SHA-256, 36 SHA-384, 35 SHA-512).
// ECDSA keys sign the challenge with the hash DG14's ActiveAuthenticationInfo names, the
// signature plain r ‖ s (BSI TR-03111; DER is accepted too). The chip's side is the simulator's
// (native/sim/emrtd/active-authentication-chip.ts).

import { createHash } from 'node:crypto';
import { SW_SUCCESS, swHex } from '../transport/command-apdu.js';
import { readTlv } from './ber-tlv.js';
import type { ChipChannel } from './chip-channel.js';
import { sameBytes, secureRandom, type RandomSource } from './chip-crypto.js';
import {
  bigintFromBytes, bytesFromBigint, parseDer, sequence, subjectPublicKeyInfo, unsignedInteger, type SubjectPublicKeyInfo,
} from './der.js';
import { decodePoint, domainFromAlgorithmIdentifier, KeyAlgorithmOid, readEcdsaSignature, scalarSize, verifyEcdsaDigest } from './ec-curves.js';
import { HASH_LENGTHS, RSA_ENCRYPTION_OID, signatureScheme, type HashName } from './pki/algorithms.js';
import { infosOfType, type ActiveAuthenticationInfo, type SecurityInfo } from './security-infos.js';

export const INS_INTERNAL_AUTHENTICATE = 0x88;
export const AA_CHALLENGE_LENGTH = 8;

/** ISO/IEC 10118-3 hash identifiers in the two-byte 9796-2 trailer. */
export const TRAILER_HASH_ID: Readonly<Record<HashName, number>> = { sha1: 0x33, sha224: 0x38, sha256: 0x34, sha384: 0x36, sha512: 0x35 };

/** The hash of an ECDSA signature algorithm DG14 may name (BSI TR-03111 ecdsa-plain-*, X9.62 ecdsa-with-*), or undefined. */
export function ecdsaHash(signatureAlgorithm: string): HashName | undefined {
  try {
    const scheme = signatureScheme({ oid: signatureAlgorithm, parameters: null }, 'ActiveAuthenticationInfo');
    return scheme.kind === 'ecdsa' ? scheme.hash : undefined;
  } catch {
    return undefined;
  }
}

export type AaAlgorithm = 'rsa-iso9796-2' | 'ecdsa';

export interface SignatureCheck {
  readonly verified: boolean;
  readonly algorithm: AaAlgorithm;
  /** The hash the signature used (from the trailer for RSA, from DG14 for ECDSA), when known. */
  readonly hash?: HashName;
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

/** H(parts…) with one of the SOD's hashes. */
export function aaHash(name: HashName, ...parts: Uint8Array[]): Uint8Array {
  const digest = createHash(name);
  for (const part of parts) digest.update(part);
  return Uint8Array.from(digest.digest());
}

/** DG15's SubjectPublicKeyInfo, whether given bare or inside the data group's tag 6F. */
export function activeAuthenticationKey(dg15: Uint8Array): SubjectPublicKeyInfo {
  const { tlv, next } = readTlv(dg15, 0);
  const der = tlv.tag === 0x6f && next === dg15.length ? tlv.value : dg15;
  return subjectPublicKeyInfo(parseDer(der, 'DG15 SubjectPublicKeyInfo'), 'DG15 SubjectPublicKeyInfo');
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
  const [n, e] = sequence(parseDer(spki.subjectPublicKey, 'RSAPublicKey'), 'RSAPublicKey', { min: 2, max: 2 });
  return { n: unsignedInteger(n, 'RSAPublicKey.modulus'), e: unsignedInteger(e, 'RSAPublicKey.publicExponent') };
}

function trailerHash(representative: Uint8Array): { hash: HashName; trailerLength: number } | undefined {
  const last = representative[representative.length - 1];
  if (last === 0xbc) return { hash: 'sha1', trailerLength: 1 };
  if (last !== 0xcc) return undefined;
  const id = representative[representative.length - 2];
  const found = (Object.keys(TRAILER_HASH_ID) as HashName[]).find((name) => TRAILER_HASH_ID[name] === id);
  return found ? { hash: found, trailerLength: 2 } : undefined;
}

/** ISO/IEC 9796-2 scheme 1 with the challenge as the non-recoverable part M2. */
export function verifyRsaIso9796(spki: SubjectPublicKeyInfo, challenge: Uint8Array, signature: Uint8Array): SignatureCheck {
  const fail = (failure: string, hashName?: HashName): SignatureCheck => ({ verified: false, algorithm: 'rsa-iso9796-2', ...(hashName ? { hash: hashName } : {}), failure });
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
    const digestLength = HASH_LENGTHS[trailer.hash];
    const end = representative.length - trailer.trailerLength;
    if (end - digestLength < 1) return fail('the recovered message is too short', trailer.hash);
    const m1 = representative.subarray(1, end - digestLength);
    const digest = representative.subarray(end - digestLength, end);
    return sameBytes(digest, aaHash(trailer.hash, m1, challenge))
      ? { verified: true, algorithm: 'rsa-iso9796-2', hash: trailer.hash }
      : fail('the recovered hash does not match the challenge', trailer.hash);
  }
  return fail('the signature does not recover an ISO/IEC 9796-2 scheme 1 message (header 6A, trailer BC or xxCC)');
}

/** ECDSA over the challenge (plain r ‖ s or DER), with the curve from DG15's key. */
export function verifyEcdsa(spki: SubjectPublicKeyInfo, hashName: HashName, challenge: Uint8Array, signature: Uint8Array): SignatureCheck {
  const fail = (failure: string): SignatureCheck => ({ verified: false, algorithm: 'ecdsa', hash: hashName, failure });
  const curve = domainFromAlgorithmIdentifier(spki.algorithm);
  const publicKey = decodePoint(curve, spki.subjectPublicKey, 'Active Authentication public key in DG15');
  const parts = readEcdsaSignature(curve, signature, signature.length === 2 * scalarSize(curve) ? 'plain' : 'der');
  if (!parts) return fail(`a ${signature.length}-byte signature is neither plain r ‖ s nor DER`);
  if (!verifyEcdsaDigest(curve, publicKey, aaHash(hashName, challenge), parts)) return fail('the signature does not match the challenge');
  return { verified: true, algorithm: 'ecdsa', hash: hashName };
}

/** Checks an Active Authentication signature; throws only when DG15's key cannot be read. */
export function verifyActiveAuthentication(
  spki: SubjectPublicKeyInfo, challenge: Uint8Array, signature: Uint8Array, info?: ActiveAuthenticationInfo,
): SignatureCheck {
  if (spki.algorithm.oid === RSA_ENCRYPTION_OID) return verifyRsaIso9796(spki, challenge, signature);
  const hashName = info ? ecdsaHash(info.signatureAlgorithm) : undefined;
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
  if (spki.algorithm.oid === RSA_ENCRYPTION_OID) {
    signatureLength = Math.ceil(rsaPublicKey(spki).n.toString(2).length / 8);
  } else if (spki.algorithm.oid === KeyAlgorithmOid.ecPublicKey) {
    if (!info || !ecdsaHash(info.signatureAlgorithm)) {
      return { performed: false, reason: 'unsupported', detail: `DG15 holds an ECDSA key but DG14 names no known hash (${info?.signatureAlgorithm ?? 'no ActiveAuthenticationInfo'}).` };
    }
    try {
      signatureLength = 2 * domainFromAlgorithmIdentifier(spki.algorithm).fieldSize;
    } catch (error) {
      return { performed: false, reason: 'unsupported', detail: (error as Error).message };
    }
  } else {
    return { performed: false, reason: 'unsupported', detail: `DG15 holds a ${spki.algorithm.oid} key.` };
  }
  const challenge = Uint8Array.from((options.random ?? secureRandom)(AA_CHALLENGE_LENGTH));
  const { data, sw } = await channel.send({
    cla: 0x00, ins: INS_INTERNAL_AUTHENTICATE, p1: 0x00, p2: 0x00, data: challenge, ne: signatureLength > 256 ? 65536 : 256,
  });
  const signature = Uint8Array.from(data);
  if (sw !== SW_SUCCESS) {
    const algorithm: AaAlgorithm = spki.algorithm.oid === RSA_ENCRYPTION_OID ? 'rsa-iso9796-2' : 'ecdsa';
    return { performed: true, verified: false, algorithm, challenge, signature, failure: `the chip answered INTERNAL AUTHENTICATE with ${swHex(sw)}` };
  }
  return { performed: true, challenge, signature, ...verifyActiveAuthentication(spki, challenge, signature, info) };
}
