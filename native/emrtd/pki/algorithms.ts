// The hash and signature algorithms of eMRTD PKIs (9303-12 §5 and the algorithms issuers
// actually use): what an AlgorithmIdentifier means, how to import a SubjectPublicKeyInfo, and
// signature verification with node:crypto — RSA PKCS#1 v1.5, RSASSA-PSS with the parameters
// from its AlgorithmIdentifier (RFC 4055), ECDSA on NIST and brainpool curves (RFC 5639) in
// DER or plain (BSI TR-03111) form, keys with named or explicit curve parameters.
// WebCrypto and pkijs's default verification refuse brainpool, so nothing here uses them.
// Where node:crypto lacks a curve (Electron's BoringSSL has no brainpool), ECDSA is verified
// by ec-curves.ts. Signing is here too, for the test PKI and builders.

import { constants, createHash, createPublicKey, getCurves, sign, verify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { DeviceError } from '../../device-error.js';
import {
  algorithmIdentifier, asn1Error, contextItems, integer, parseDer, rawBytes, sequence, type AlgorithmIdentifier,
} from '../der.js';
import {
  KeyAlgorithmOid, namedCurveSpki, readEcdsaSignature, readEcPublicKey, verifyEcdsaDigest, type EcDomain, type EcPoint,
} from '../ec-curves.js';

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export const HASH_LENGTHS: Readonly<Record<HashName, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

const HASH_OIDS: Readonly<Record<HashName, string>> = {
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

export const RSA_ENCRYPTION_OID = '1.2.840.113549.1.1.1';
export const RSASSA_PSS_OID = '1.2.840.113549.1.1.10';
const MGF1_OID = '1.2.840.113549.1.1.8';

const RSA_PKCS1_OIDS: Readonly<Record<string, HashName>> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

const ECDSA_OIDS: Readonly<Record<string, HashName>> = {
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** BSI TR-03111 ecdsa-plain-SHA*: r ‖ s instead of a DER SEQUENCE. */
const ECDSA_PLAIN_OIDS: Readonly<Record<string, HashName>> = {
  '0.4.0.127.0.7.1.1.4.1.1': 'sha1',
  '0.4.0.127.0.7.1.1.4.1.2': 'sha224',
  '0.4.0.127.0.7.1.1.4.1.3': 'sha256',
  '0.4.0.127.0.7.1.1.4.1.4': 'sha384',
  '0.4.0.127.0.7.1.1.4.1.5': 'sha512',
};

export type SignatureScheme =
  | { kind: 'rsa-pkcs1'; hash: HashName }
  | { kind: 'rsa-pss'; hash: HashName; saltLength: number }
  | { kind: 'ecdsa'; hash: HashName; plain: boolean };

export function unsupportedAlgorithm(what: string, algorithm: string): DeviceError {
  return new DeviceError('PKI_UNSUPPORTED_ALGORITHM', `${what} uses ${algorithm}, which the kiosk cannot verify.`, { what, algorithm });
}

export function hashByOid(hashOid: string): HashName | null {
  return (Object.keys(HASH_OIDS) as HashName[]).find((name) => HASH_OIDS[name] === hashOid) ?? null;
}

/** The hash an AlgorithmIdentifier names; PKI_UNSUPPORTED_ALGORITHM otherwise (MD5 included). */
export function hashOf(algorithm: AlgorithmIdentifier, what: string): HashName {
  const hash = hashByOid(algorithm.oid);
  if (!hash) throw unsupportedAlgorithm(what, algorithm.oid);
  return hash;
}

export function digest(hash: HashName, data: Uint8Array): Uint8Array {
  return createHash(hash).update(data).digest();
}

/** RSASSA-PSS-params (RFC 4055 §3.1) with their defaults: SHA-1, MGF1 with SHA-1, salt 20, trailer 1. */
function pssParameters(parameters: Uint8Array | null, what: string): { hash: HashName; saltLength: number } {
  if (!parameters) throw asn1Error(what, 'RSASSA-PSS without parameters');
  let hash: HashName = 'sha1';
  let mgfHash: HashName = 'sha1';
  let saltLength = 20;
  for (const field of sequence(parseDer(parameters, what), what, { max: 4 })) {
    const tag = field.idBlock.tagNumber;
    const [inner] = contextItems(field, tag, `${what}[${tag}]`);
    if (tag === 0) {
      hash = hashOf(algorithmIdentifier(inner, `${what}.hashAlgorithm`), `${what}.hashAlgorithm`);
    } else if (tag === 1) {
      const mgf = algorithmIdentifier(inner, `${what}.maskGenAlgorithm`);
      if (mgf.oid !== MGF1_OID || !mgf.parameters) throw unsupportedAlgorithm(`${what}.maskGenAlgorithm`, mgf.oid);
      mgfHash = hashOf(algorithmIdentifier(parseDer(mgf.parameters, what), `${what}.maskGenAlgorithm`), `${what}.maskGenAlgorithm`);
    } else if (tag === 2) {
      saltLength = Number(integer(inner, `${what}.saltLength`));
    } else if (tag === 3) {
      if (integer(inner, `${what}.trailerField`) !== 1n) throw unsupportedAlgorithm(what, 'a PSS trailer field other than 1');
    } else {
      throw asn1Error(what, `unknown field [${tag}]`);
    }
  }
  // node:crypto takes MGF1's hash from the signature hash; a different one cannot be verified.
  if (mgfHash !== hash) throw unsupportedAlgorithm(what, `RSASSA-PSS with MGF1-${mgfHash} over ${hash}`);
  if (!Number.isSafeInteger(saltLength) || saltLength < 0 || saltLength > 1024) throw asn1Error(what, `salt length ${saltLength}`);
  return { hash, saltLength };
}

/**
 * The scheme a signature AlgorithmIdentifier names. In CMS a bare rsaEncryption or
 * id-ecPublicKey is allowed and takes its hash from the SignerInfo's digestAlgorithm.
 */
export function signatureScheme(algorithm: AlgorithmIdentifier, what: string, digestHash?: HashName): SignatureScheme {
  const { oid } = algorithm;
  if (RSA_PKCS1_OIDS[oid]) return { kind: 'rsa-pkcs1', hash: RSA_PKCS1_OIDS[oid] };
  if (ECDSA_OIDS[oid]) return { kind: 'ecdsa', hash: ECDSA_OIDS[oid], plain: false };
  if (ECDSA_PLAIN_OIDS[oid]) return { kind: 'ecdsa', hash: ECDSA_PLAIN_OIDS[oid], plain: true };
  if (oid === RSASSA_PSS_OID) return { kind: 'rsa-pss', ...pssParameters(algorithm.parameters, `${what} RSASSA-PSS-params`) };
  if (oid === RSA_ENCRYPTION_OID && digestHash) return { kind: 'rsa-pkcs1', hash: digestHash };
  if (oid === KeyAlgorithmOid.ecPublicKey && digestHash) return { kind: 'ecdsa', hash: digestHash, plain: false };
  throw unsupportedAlgorithm(what, oid);
}

export function describeScheme(scheme: SignatureScheme): string {
  const hash = scheme.hash.toUpperCase().replace('SHA', 'SHA-');
  if (scheme.kind === 'rsa-pkcs1') return `RSA PKCS#1 v1.5 with ${hash}`;
  if (scheme.kind === 'rsa-pss') return `RSASSA-PSS with ${hash}, salt ${scheme.saltLength}`;
  return `ECDSA${scheme.plain ? ' (plain)' : ''} with ${hash}`;
}

/** A public key ready to verify with: node's KeyObject, or (EC on a curve node:crypto lacks) the curve and point. */
export type VerificationKey =
  | { kind: 'rsa'; key: KeyObject; bits: number }
  | { kind: 'ec'; curve: EcDomain; point: Uint8Array; explicit: boolean; key: KeyObject | null };

const NODE_CURVES = new Set(getCurves());

function importKeyObject(spki: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new DeviceError('PKI_KEY_INVALID', `A public key could not be imported: ${(error as Error).message}.`, {});
  }
}

/**
 * Imports a SubjectPublicKeyInfo: RSA (rsaEncryption or RSASSA-PSS, imported as plain RSA so
 * the signature's own parameters govern) or EC on a named or explicitly described known curve.
 */
export function importPublicKey(spki: Uint8Array): VerificationKey {
  const [algorithm, subjectPublicKey] = sequence(parseDer(spki, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo', { min: 2, max: 2 });
  const { oid } = algorithmIdentifier(algorithm, 'SubjectPublicKeyInfo.algorithm');
  if (oid === RSA_ENCRYPTION_OID || oid === RSASSA_PSS_OID) {
    const plain = new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: RSA_ENCRYPTION_OID }), new asn1js.Null()] }),
        asn1js.fromBER(rawBytes(subjectPublicKey)).result,
      ],
    }).toBER(false);
    const key = importKeyObject(new Uint8Array(plain));
    return { kind: 'rsa', key, bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
  }
  if (oid === KeyAlgorithmOid.ecPublicKey) {
    const ec = readEcPublicKey(spki);
    if (!ec) throw unsupportedAlgorithm('An EC public key', 'a curve outside the supported NIST and brainpool curves');
    if (ec.point[0] !== 0x04 && ec.point[0] !== 0x02 && ec.point[0] !== 0x03) throw asn1Error('EC public key', 'not an encoded point');
    const key = NODE_CURVES.has(ec.curve.opensslName) ? importKeyObject(namedCurveSpki(ec.curve, ec.point)) : null;
    return { kind: 'ec', curve: ec.curve, point: ec.point, explicit: ec.explicit, key };
  }
  throw unsupportedAlgorithm('A public key', oid);
}

/** ECDSA in JavaScript (ec-curves.ts), for a curve node:crypto lacks: the point may be compressed, high S is allowed as in X9.62. */
export function verifyEcdsaInJs(curve: EcDomain, hash: HashName, data: Uint8Array, signature: Uint8Array, point: Uint8Array, plain: boolean): boolean {
  let key: EcPoint;
  try {
    key = curve.Point.fromBytes(point);
    key.assertValidity();
  } catch {
    return false;
  }
  const parts = readEcdsaSignature(curve, signature, plain ? 'plain' : 'der');
  return parts !== null && verifyEcdsaDigest(curve, key, digest(hash, data), parts);
}

/** True when `signature` over `data` verifies; false for a wrong key type or any malformed signature. */
export function verifySignature(key: VerificationKey, scheme: SignatureScheme, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.kind === 'rsa' && scheme.kind === 'rsa-pkcs1') {
      return verify(scheme.hash, data, { key: key.key, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
    if (key.kind === 'rsa' && scheme.kind === 'rsa-pss') {
      return verify(scheme.hash, data, { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature);
    }
    if (key.kind === 'ec' && scheme.kind === 'ecdsa') {
      if (key.key) return verify(scheme.hash, data, { key: key.key, dsaEncoding: scheme.plain ? 'ieee-p1363' : 'der' }, signature);
      return verifyEcdsaInJs(key.curve, scheme.hash, data, signature, key.point, scheme.plain);
    }
    return false;
  } catch {
    return false;
  }
}

/** Signs with node:crypto (test PKI, SOD and master-list builders). */
export function signData(privateKey: KeyObject, scheme: SignatureScheme, data: Uint8Array): Uint8Array {
  if (scheme.kind === 'rsa-pkcs1') return sign(scheme.hash, data, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
  if (scheme.kind === 'rsa-pss') {
    return sign(scheme.hash, data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength });
  }
  return sign(scheme.hash, data, { key: privateKey, dsaEncoding: scheme.plain ? 'ieee-p1363' : 'der' });
}

function hashAlgorithmNode(hash: HashName, withNull: boolean): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [new asn1js.ObjectIdentifier({ value: HASH_OIDS[hash] }), ...(withNull ? [new asn1js.Null()] : [])],
  });
}

/** A DigestAlgorithmIdentifier (parameters absent, as RFC 5754 prefers for SHA-2). */
export function hashAlgorithmIdentifier(hash: HashName): AlgorithmIdentifier {
  return { oid: HASH_OIDS[hash], parameters: null };
}

/** The AlgorithmIdentifier that names `scheme` in a certificate or a SignerInfo. */
export function schemeAlgorithmIdentifier(scheme: SignatureScheme): AlgorithmIdentifier {
  const find = (table: Readonly<Record<string, HashName>>) => Object.keys(table).find((oid) => table[oid] === scheme.hash)!;
  if (scheme.kind === 'rsa-pkcs1') return { oid: find(RSA_PKCS1_OIDS), parameters: Uint8Array.of(0x05, 0x00) };
  if (scheme.kind === 'ecdsa') return { oid: find(scheme.plain ? ECDSA_PLAIN_OIDS : ECDSA_OIDS), parameters: null };
  const params = new asn1js.Sequence({
    value: [
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [hashAlgorithmNode(scheme.hash, true)] }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 1 },
        value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: MGF1_OID }), hashAlgorithmNode(scheme.hash, true)] })],
      }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 2 }, value: [new asn1js.Integer({ value: scheme.saltLength })] }),
    ],
  });
  return { oid: RSASSA_PSS_OID, parameters: new Uint8Array(params.toBER(false)) };
}

/** An AlgorithmIdentifier as an asn1js node, for building structures. */
export function algorithmNode(algorithm: AlgorithmIdentifier): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: algorithm.oid }),
      ...(algorithm.parameters ? [asn1js.fromBER(algorithm.parameters).result] : []),
    ],
  });
}
