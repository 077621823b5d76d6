// The elliptic curves of ePassports and eID cards — NIST P-192 … P-521 and brainpool 192 … 512 —
// for PACE, Chip Authentication, Active Authentication and the verification of Document Signer
// and CSCA signatures; and the three ways a chip or a certificate names one: the standardized
// domain parameter ids of ICAO 9303-11 §9.5.1 / BSI TR-03110-3 (8 P-192 … 18 P-521), a named-curve
// OID, or explicit ECParameters (as DG14 and many CSCA and Document Signer certificates carry
// them). Curves @noble/curves does not ship are defined here from FIPS 186-4 D.1.2 and RFC 5639
// §3; the tests check every curve against OpenSSL. Points travel uncompressed (04 ‖ X ‖ Y), shared
// secrets are the x-coordinate (TR-03111 ECKA), scalars come from an injectable random source.
// ECDSA verification is here for keys node:crypto cannot import (Electron's BoringSSL has no
// brainpool) and for Active Authentication.

import { weierstrass, type WeierstrassPoint, type WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 } from '@noble/curves/misc.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { DeviceError } from '../device-error.js';
import type { RandomSource } from './chip-crypto.js';
import {
  asn1Error, bigintFromBytes, bytesFromBigint, encodeInteger, encodeOctetString, encodeOid, encodeSequence,
  encodeSubjectPublicKeyInfo, integer, octetString, oid, parseDer, sequence, subjectPublicKeyInfo, UniversalTag, unsignedInteger,
  type AlgorithmIdentifier,
} from './der.js';

export type EcPoint = WeierstrassPoint<bigint>;

export const KeyAlgorithmOid = {
  ecPublicKey: '1.2.840.10045.2.1',
  primeField: '1.2.840.10045.1.1',
  /** BSI TR-03110-3 A.2.1.1: AlgorithmIdentifier whose parameter is a standardized id (INTEGER). */
  standardizedDomainParameters: '0.4.0.127.0.7.1.2',
  dhPublicNumber: '1.2.840.10046.2.1',
  /** id-PK-DH / id-PK-ECDH (9303-11 §9.2.6): the Chip Authentication key's protocol. */
  pkDh: '0.4.0.127.0.7.2.2.1.1',
  pkEcdh: '0.4.0.127.0.7.2.2.1.2',
} as const;

export type CurveName =
  | 'P-192' | 'P-224' | 'P-256' | 'P-384' | 'P-521'
  | 'brainpoolP192r1' | 'brainpoolP224r1' | 'brainpoolP256r1' | 'brainpoolP320r1' | 'brainpoolP384r1' | 'brainpoolP512r1';

export interface EcDomain {
  readonly name: CurveName;
  /** OpenSSL's name, which node:crypto takes ("prime256v1", "brainpoolP256r1"). */
  readonly opensslName: string;
  /** Its id in the standardized domain parameters table (9303-11 Table 12 / TR-03110-3 Table 4). */
  readonly standardizedId: number;
  readonly namedCurveOid: string;
  readonly Point: WeierstrassPointCons<bigint>;
  /** n, the order of the base point. */
  readonly order: bigint;
  /** Bytes of a field element (and of each coordinate of an encoded point). */
  readonly fieldSize: number;
}

function defineCurve(hex: { p: string; a: string; b: string; gx: string; gy: string; n: string }): WeierstrassPointCons<bigint> {
  const big = (value: string) => BigInt(`0x${value}`);
  return weierstrass({ p: big(hex.p), a: big(hex.a), b: big(hex.b), Gx: big(hex.gx), Gy: big(hex.gy), n: big(hex.n), h: 1n });
}

// FIPS 186-4 D.1.2.1 (P-192) and D.1.2.2 (P-224).
const p192 = defineCurve({
  p: 'fffffffffffffffffffffffffffffffeffffffffffffffff',
  a: 'fffffffffffffffffffffffffffffffefffffffffffffffc',
  b: '64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1',
  gx: '188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012',
  gy: '07192b95ffc8da78631011ed6b24cdd573f977a11e794811',
  n: 'ffffffffffffffffffffffff99def836146bc9b1b4d22831',
});
const p224 = defineCurve({
  p: 'ffffffffffffffffffffffffffffffff000000000000000000000001',
  a: 'fffffffffffffffffffffffffffffffefffffffffffffffffffffffe',
  b: 'b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4',
  gx: 'b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21',
  gy: 'bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34',
  n: 'ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d',
});
// RFC 5639 §3.2, §3.3, §3.5.
const brainpoolP192r1 = defineCurve({
  p: 'c302f41d932a36cda7a3463093d18db78fce476de1a86297',
  a: '6a91174076b1e0e19c39c031fe8685c1cae040e5c69a28ef',
  b: '469a28ef7c28cca3dc721d044f4496bcca7ef4146fbf25c9',
  gx: 'c0a0647eaab6a48753b033c56cb0f0900a2f5c4853375fd6',
  gy: '14b690866abd5bb88b5f4828c1490002e6773fa2fa299b8f',
  n: 'c302f41d932a36cda7a3462f9e9e916b5be8f1029ac4acc1',
});
const brainpoolP224r1 = defineCurve({
  p: 'd7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff',
  a: '68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43',
  b: '2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b',
  gx: '0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d',
  gy: '58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd',
  n: 'd7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f',
});
const brainpoolP320r1 = defineCurve({
  p: 'd35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27',
  a: '3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4',
  b: '520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6',
  gx: '43bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e20611',
  gy: '14fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1',
  n: 'd35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311',
});

function domain(name: CurveName, opensslName: string, standardizedId: number, namedCurveOid: string, Point: WeierstrassPointCons<bigint>): EcDomain {
  return { name, opensslName, standardizedId, namedCurveOid, Point, order: Point.Fn.ORDER, fieldSize: Point.Fp.BYTES };
}

/** Every curve we speak, in standardized-id order. */
export const EC_DOMAINS: readonly EcDomain[] = [
  domain('P-192', 'prime192v1', 8, '1.2.840.10045.3.1.1', p192),
  domain('brainpoolP192r1', 'brainpoolP192r1', 9, '1.3.36.3.3.2.8.1.1.3', brainpoolP192r1),
  domain('P-224', 'secp224r1', 10, '1.3.132.0.33', p224),
  domain('brainpoolP224r1', 'brainpoolP224r1', 11, '1.3.36.3.3.2.8.1.1.5', brainpoolP224r1),
  domain('P-256', 'prime256v1', 12, '1.2.840.10045.3.1.7', p256.Point),
  domain('brainpoolP256r1', 'brainpoolP256r1', 13, '1.3.36.3.3.2.8.1.1.7', brainpoolP256r1.Point),
  domain('brainpoolP320r1', 'brainpoolP320r1', 14, '1.3.36.3.3.2.8.1.1.9', brainpoolP320r1),
  domain('P-384', 'secp384r1', 15, '1.3.132.0.34', p384.Point),
  domain('brainpoolP384r1', 'brainpoolP384r1', 16, '1.3.36.3.3.2.8.1.1.11', brainpoolP384r1.Point),
  domain('brainpoolP512r1', 'brainpoolP512r1', 17, '1.3.36.3.3.2.8.1.1.13', brainpoolP512r1.Point),
  domain('P-521', 'secp521r1', 18, '1.3.132.0.35', p521.Point),
];

export function ecDomain(name: CurveName): EcDomain {
  const found = EC_DOMAINS.find((candidate) => candidate.name === name);
  if (!found) throw new RangeError(`curve ${name}`);
  return found;
}

// --- naming a curve --------------------------------------------------------------------------

/** The finite-field groups at ids 0–2 (RFC 5114 §2.1–2.3): recognised, not supported. */
const DH_GROUPS: Readonly<Record<number, string>> = {
  0: '1024-bit MODP group with 160-bit prime order subgroup',
  1: '2048-bit MODP group with 224-bit prime order subgroup',
  2: '2048-bit MODP group with 256-bit prime order subgroup',
};

function unsupported(reason: string, details: Record<string, unknown>): DeviceError {
  return new DeviceError('CHIP_DOMAIN_PARAMETERS_UNSUPPORTED',
    `The chip asks for domain parameters Gatehouse does not support: ${reason}.`, { reason, ...details });
}

/** The curve behind a standardized domain parameter id; DH groups and reserved ids are refused. */
export function standardizedDomain(id: number): EcDomain {
  const found = EC_DOMAINS.find((candidate) => candidate.standardizedId === id);
  if (found) return found;
  const group = DH_GROUPS[id];
  if (group) throw unsupported(`standardized id ${id} is the Diffie-Hellman ${group} (only elliptic curves are supported)`, { parameterId: id, keyAgreement: 'DH' });
  throw unsupported(`standardized id ${id} is reserved`, { parameterId: id });
}

/** The curve an AlgorithmIdentifier names: by standardized id, named-curve OID or explicit parameters. */
export function domainFromAlgorithmIdentifier({ oid: algorithm, parameters }: AlgorithmIdentifier): EcDomain {
  if (algorithm === KeyAlgorithmOid.dhPublicNumber || algorithm === KeyAlgorithmOid.pkDh) {
    throw unsupported('Diffie-Hellman keys (only elliptic curves are supported)', { algorithm, keyAgreement: 'DH' });
  }
  const ec = algorithm === KeyAlgorithmOid.ecPublicKey || algorithm === KeyAlgorithmOid.pkEcdh;
  if (!ec && algorithm !== KeyAlgorithmOid.standardizedDomainParameters) throw unsupported(`key algorithm ${algorithm}`, { algorithm });
  if (!parameters) throw unsupported('elliptic-curve key without domain parameters', { algorithm });
  const node = parseDer(parameters, 'domain parameters');
  const tag = node.idBlock.tagClass === 1 ? node.idBlock.tagNumber : -1;
  if (tag === UniversalTag.integer) {
    const id = integer(node, 'domain parameter id');
    return standardizedDomain(id >= 0n && id < 256n ? Number(id) : -1);
  }
  if (!ec) throw asn1Error('standardizedDomainParameters', 'no INTEGER id');
  if (tag === UniversalTag.oid) {
    const curve = oid(node, 'named curve');
    const found = EC_DOMAINS.find((candidate) => candidate.namedCurveOid === curve);
    if (!found) throw unsupported(`named curve ${curve}`, { algorithm, curve });
    return found;
  }
  if (tag === UniversalTag.sequence) return matchExplicitParameters(parameters);
  throw unsupported('implicitly known curve parameters', { algorithm });
}

/** Explicit ECParameters (SEC 1 C.2 / TR-03111 §5.1.1) for `curve`, as OpenSSL writes them: version 1, prime field, a, b, G, n, h. */
export function encodeExplicitParameters(curve: EcDomain): Uint8Array {
  const { p, a, b, n, h } = curve.Point.CURVE();
  const element = (value: bigint) => encodeOctetString(bytesFromBigint(value, curve.fieldSize));
  return encodeSequence([
    encodeInteger(1),
    encodeSequence([encodeOid(KeyAlgorithmOid.primeField), encodeInteger(p)]),
    encodeSequence([element(a), element(b)]),
    encodeOctetString(curve.Point.BASE.toBytes(false)),
    encodeInteger(n),
    encodeInteger(h),
  ]);
}

/**
 * The known curve explicit ECParameters describe: every parameter equal, the generator
 * compressed or not; a seed is ignored. CHIP_DOMAIN_PARAMETERS_UNSUPPORTED for any other curve.
 */
export function matchExplicitParameters(der: Uint8Array): EcDomain {
  const what = 'ECParameters';
  const [version, fieldId, curveNode, base, orderNode, cofactorNode] = sequence(parseDer(der, what), what, { min: 5, max: 6 });
  if (integer(version, `${what}.version`) !== 1n) throw asn1Error(what, 'version is not 1');
  const [fieldType, prime] = sequence(fieldId, `${what}.fieldID`, { min: 2, max: 2 });
  const field = oid(fieldType, `${what}.fieldID.fieldType`);
  if (field !== KeyAlgorithmOid.primeField) throw unsupported(`curves over field type ${field}`, { field });
  const p = unsignedInteger(prime, `${what}.fieldID.prime`);
  const [aNode, bNode] = sequence(curveNode, `${what}.curve`, { min: 2, max: 3 });
  const a = bigintFromBytes(octetString(aNode, `${what}.curve.a`));
  const b = bigintFromBytes(octetString(bNode, `${what}.curve.b`));
  const generator = octetString(base, `${what}.base`);
  const n = unsignedInteger(orderNode, `${what}.order`);
  const h = cofactorNode ? unsignedInteger(cofactorNode, `${what}.cofactor`) : 1n;
  const found = EC_DOMAINS.find((candidate) => {
    const known = candidate.Point.CURVE();
    if (known.p !== p || known.a !== a || known.b !== b || known.n !== n || known.h !== h) return false;
    try {
      return candidate.Point.fromBytes(generator).equals(candidate.Point.BASE);
    } catch {
      return false;
    }
  });
  const bits = p.toString(2).length;
  if (!found) throw unsupported(`an explicit ${bits}-bit curve that is none of the standardized ones`, { bits });
  return found;
}

export type DomainParameterEncoding = 'standardized' | 'named' | 'explicit';

/** The AlgorithmIdentifier naming `curve` the way a chip would write it. */
export function ecAlgorithmIdentifier(curve: EcDomain, encoding: DomainParameterEncoding, algorithm: string = KeyAlgorithmOid.ecPublicKey): AlgorithmIdentifier {
  switch (encoding) {
    case 'standardized':
      return { oid: KeyAlgorithmOid.standardizedDomainParameters, parameters: encodeInteger(curve.standardizedId) };
    case 'named':
      return { oid: algorithm, parameters: encodeOid(curve.namedCurveOid) };
    case 'explicit':
      return { oid: algorithm, parameters: encodeExplicitParameters(curve) };
  }
}

// --- keys in certificates --------------------------------------------------------------------

/** An id-ecPublicKey SubjectPublicKeyInfo: the key's curve and its encoded point. */
export interface EcPublicKey {
  readonly curve: EcDomain;
  /** The point as in the certificate (04 ‖ x ‖ y, or compressed). */
  readonly point: Uint8Array;
  /** The parameters were written out explicitly rather than named. */
  readonly explicit: boolean;
}

/**
 * Reads an id-ecPublicKey SubjectPublicKeyInfo whose parameters name a known curve or spell one
 * out; null for a curve outside EC_DOMAINS (the caller reports it unsupported). ASN1_MALFORMED
 * for anything that is not an EC key.
 */
export function readEcPublicKey(spki: Uint8Array): EcPublicKey | null {
  const { algorithm, subjectPublicKey } = subjectPublicKeyInfo(parseDer(spki, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo');
  if (algorithm.oid !== KeyAlgorithmOid.ecPublicKey) throw asn1Error('SubjectPublicKeyInfo', 'not an EC key');
  if (!algorithm.parameters) throw asn1Error('SubjectPublicKeyInfo', 'an EC key without curve parameters');
  try {
    const curve = domainFromAlgorithmIdentifier(algorithm);
    return { curve, point: subjectPublicKey, explicit: algorithm.parameters[0] === 0x30 };
  } catch (error) {
    if (error instanceof DeviceError && error.code === 'CHIP_DOMAIN_PARAMETERS_UNSUPPORTED') return null;
    throw error;
  }
}

/** The same key with its curve named: what node:crypto and WebCrypto import. */
export function namedCurveSpki(curve: EcDomain, point: Uint8Array): Uint8Array {
  return encodeSubjectPublicKeyInfo({ algorithm: ecAlgorithmIdentifier(curve, 'named'), subjectPublicKey: point });
}

/** The same key with the curve's parameters spelled out (for test certificates like real CSCAs'). */
export function explicitCurveSpki(curve: EcDomain, point: Uint8Array): Uint8Array {
  return encodeSubjectPublicKeyInfo({ algorithm: ecAlgorithmIdentifier(curve, 'explicit'), subjectPublicKey: point });
}

// --- points, scalars, key agreement ----------------------------------------------------------

/** A peer's public point: uncompressed, on the curve, not the identity; CHIP_EC_POINT_INVALID otherwise. */
export function decodePoint(curve: EcDomain, bytes: Uint8Array, what: string): EcPoint {
  const invalid = (reason: string) => new DeviceError('CHIP_EC_POINT_INVALID',
    `The ${what} is not a valid ${curve.name} point (${reason}); the exchange was stopped.`, { what, curve: curve.name, reason });
  if (bytes.length !== 1 + 2 * curve.fieldSize || bytes[0] !== 0x04) throw invalid(`${bytes.length} bytes, not an uncompressed point`);
  let point: EcPoint;
  try {
    point = curve.Point.fromBytes(bytes);
    point.assertValidity();
  } catch {
    throw invalid('not on the curve');
  }
  if (point.equals(curve.Point.ZERO)) throw invalid('the point at infinity');
  return point;
}

export function encodePoint(point: EcPoint): Uint8Array {
  return Uint8Array.from(point.toBytes(false));
}

/** A private scalar in [1, n−1] drawn from `random` (top bits masked, out-of-range draws repeated). */
export function randomScalar(curve: EcDomain, random: RandomSource): bigint {
  const bits = curve.order.toString(2).length;
  const length = Math.ceil(bits / 8);
  const topMask = (1 << (bits - (length - 1) * 8)) - 1;
  for (let attempt = 0; attempt < 128; attempt++) {
    const bytes = Uint8Array.from(random(length));
    if (bytes.length !== length) throw new RangeError(`random source gave ${bytes.length} of ${length} bytes`);
    bytes[0]! &= topMask;
    const scalar = bigintFromBytes(bytes);
    if (scalar > 0n && scalar < curve.order) return scalar;
  }
  throw new Error('random source keeps producing out-of-range scalars');
}

/** k·P, with k = 0 (mod n) giving the identity rather than an exception. */
export function multiply(point: EcPoint, scalar: bigint, curve: EcDomain): EcPoint {
  const k = ((scalar % curve.order) + curve.order) % curve.order;
  return k === 0n ? curve.Point.ZERO : point.multiply(k);
}

/** The ECDH shared secret: the x-coordinate of sk·P as a field-sized octet string. */
export function ecdhSharedSecret(curve: EcDomain, privateKey: bigint, peer: EcPoint): Uint8Array {
  const shared = multiply(peer, privateKey, curve);
  if (shared.equals(curve.Point.ZERO)) {
    throw new DeviceError('CHIP_EC_POINT_INVALID', 'The key agreement gave the point at infinity; the exchange was stopped.', { curve: curve.name });
  }
  return bytesFromBigint(shared.x, curve.fieldSize);
}

// --- ECDSA -----------------------------------------------------------------------------------

export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
}

/** Bytes of r and of s in a plain (TR-03111) signature. */
export const scalarSize = (curve: EcDomain): number => Math.ceil(curve.order.toString(2).length / 8);

/** r and s from a plain r ‖ s signature or a DER SEQUENCE; null when it is neither. */
export function readEcdsaSignature(curve: EcDomain, signature: Uint8Array, form: 'plain' | 'der'): EcdsaSignature | null {
  const size = scalarSize(curve);
  if (form === 'plain') {
    if (signature.length !== 2 * size) return null;
    return { r: bigintFromBytes(signature.subarray(0, size)), s: bigintFromBytes(signature.subarray(size)) };
  }
  try {
    const [r, s] = sequence(parseDer(signature, 'ECDSA signature'), 'ECDSA signature', { min: 2, max: 2 });
    return { r: integer(r, 'ECDSA r'), s: integer(s, 'ECDSA s') };
  } catch {
    return null;
  }
}

/** The digest as the scalar ECDSA works with: its leftmost bits, as many as the order has (SEC 1 §4.1.3). */
export function digestScalar(curve: EcDomain, digest: Uint8Array): bigint {
  const bits = curve.order.toString(2).length;
  const value = bigintFromBytes(digest);
  return digest.length * 8 > bits ? value >> BigInt(digest.length * 8 - bits) : value;
}

/** ECDSA verification (SEC 1 §4.1.4) of `signature` over `digest` with the public point `key`. */
export function verifyEcdsaDigest(curve: EcDomain, key: EcPoint, digest: Uint8Array, { r, s }: EcdsaSignature): boolean {
  const n = curve.order;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const w = curve.Point.Fn.inv(s);
  const point = multiply(curve.Point.BASE, (digestScalar(curve, digest) * w) % n, curve).add(multiply(key, (r * w) % n, curve));
  return !point.equals(curve.Point.ZERO) && point.x % n === r;
}
