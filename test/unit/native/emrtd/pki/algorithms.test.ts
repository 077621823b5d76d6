// Signature verification as Passive Authentication uses it: every scheme signed by
// node:crypto and verified from the AlgorithmIdentifier alone, RSASSA-PSS parameters as RFC
// 4055 encodes them (defaults included), the JavaScript ECDSA for curves a runtime's crypto
// lacks, and wrong keys, wrong data and malformed signatures answering false.

import { generateKeyPairSync, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import {
  RSASSA_PSS_OID, describeScheme, importPublicKey, schemeAlgorithmIdentifier, signData, signatureScheme, verifyEcdsaInJs, verifySignature,
  type SignatureScheme,
} from '../../../../../native/emrtd/pki/algorithms.js';
import { readEcPublicKey } from '../../../../../native/emrtd/ec-curves.js';
import { testKeyPair, type TestKeyAlgorithm } from '../../../../../native/sim/emrtd/test-pki.js';
import { errorOf } from '../lds/lds-arbitraries.js';

const data = new TextEncoder().encode('signed attributes');

describe('signature schemes', () => {
  const cases: [TestKeyAlgorithm, SignatureScheme, boolean?][] = [
    ['rsa', { kind: 'rsa-pkcs1', hash: 'sha256' }],
    ['rsa', { kind: 'rsa-pkcs1', hash: 'sha1' }],
    ['rsa', { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }],
    ['rsa', { kind: 'rsa-pss', hash: 'sha512', saltLength: 64 }],
    ['rsa-pss', { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }],
    ['p256', { kind: 'ecdsa', hash: 'sha256', plain: false }],
    ['p256', { kind: 'ecdsa', hash: 'sha256', plain: true }],
    ['brainpoolP256r1', { kind: 'ecdsa', hash: 'sha256', plain: false }],
    ['brainpoolP384r1', { kind: 'ecdsa', hash: 'sha384', plain: false }],
    ['brainpoolP512r1', { kind: 'ecdsa', hash: 'sha512', plain: true }],
    ['brainpoolP256r1', { kind: 'ecdsa', hash: 'sha224', plain: false }, true],
  ];

  it.each(cases)('%s key, %j: verifies from its AlgorithmIdentifier, and not for other data', (algorithm, scheme, explicit) => {
    const key = testKeyPair(`alg-${algorithm}`, algorithm, { explicitParameters: explicit ?? false });
    const signature = signData(key.privateKey, scheme, data);
    const parsed = signatureScheme(schemeAlgorithmIdentifier(scheme), 'test');
    expect(parsed).toEqual(scheme);
    const publicKey = importPublicKey(key.spki);
    expect(verifySignature(publicKey, parsed, data, signature)).toBe(true);
    expect(verifySignature(publicKey, parsed, Uint8Array.of(...data, 0), signature)).toBe(false);
    const damaged = Uint8Array.from(signature);
    damaged[damaged.length - 1]! ^= 0x01;
    expect(verifySignature(publicKey, parsed, data, damaged)).toBe(false);
    expect(verifySignature(publicKey, parsed, data, signature.subarray(0, signature.length - 1))).toBe(false);
    expect(describeScheme(scheme)).toMatch(/RSA|ECDSA/);
  });

  it('answers false for a key of the wrong kind or a wrong PSS salt', () => {
    const rsa = testKeyPair('alg-rsa', 'rsa');
    const ec = testKeyPair('alg-p256', 'p256');
    const pss: SignatureScheme = { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 };
    const signature = signData(rsa.privateKey, pss, data);
    expect(verifySignature(importPublicKey(ec.spki), pss, data, signature)).toBe(false);
    expect(verifySignature(importPublicKey(rsa.spki), { ...pss, saltLength: 20 }, data, signature)).toBe(false);
  });

  it('takes a bare rsaEncryption or id-ecPublicKey hash from the digest algorithm (CMS)', () => {
    expect(signatureScheme({ oid: '1.2.840.113549.1.1.1', parameters: null }, 'test', 'sha384')).toEqual({ kind: 'rsa-pkcs1', hash: 'sha384' });
    expect(signatureScheme({ oid: '1.2.840.10045.2.1', parameters: null }, 'test', 'sha256')).toEqual({ kind: 'ecdsa', hash: 'sha256', plain: false });
    expect(errorOf(() => signatureScheme({ oid: '1.2.840.113549.1.1.1', parameters: null }, 'test'))).toMatchObject({ code: 'PKI_UNSUPPORTED_ALGORITHM' });
    expect(errorOf(() => signatureScheme({ oid: '1.2.840.113549.1.1.4', parameters: null }, 'test'))).toMatchObject({ code: 'PKI_UNSUPPORTED_ALGORITHM' });
  });
});

describe('RSASSA-PSS parameters (RFC 4055)', () => {
  const params = (...fields: asn1js.AsnType[]) => new Uint8Array(new asn1js.Sequence({ value: fields }).toBER(false));
  const tagged = (n: number, inner: asn1js.AsnType) => new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: n }, value: [inner] });
  const alg = (oid: string, ...rest: asn1js.AsnType[]) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), ...rest] });
  const SHA256 = '2.16.840.1.101.3.4.2.1';

  it('defaults to SHA-1, MGF1-SHA-1, salt 20', () => {
    expect(signatureScheme({ oid: RSASSA_PSS_OID, parameters: params() }, 'test')).toEqual({ kind: 'rsa-pss', hash: 'sha1', saltLength: 20 });
  });

  it('reads hash, mask generation and salt length', () => {
    const p = params(tagged(0, alg(SHA256)), tagged(1, alg('1.2.840.113549.1.1.8', alg(SHA256))), tagged(2, new asn1js.Integer({ value: 48 })));
    expect(signatureScheme({ oid: RSASSA_PSS_OID, parameters: p }, 'test')).toEqual({ kind: 'rsa-pss', hash: 'sha256', saltLength: 48 });
  });

  it('refuses MGF1 over another hash and a trailer other than 1 as unsupported', () => {
    const mixed = params(tagged(0, alg(SHA256)), tagged(1, alg('1.2.840.113549.1.1.8', alg('1.3.14.3.2.26'))));
    expect(errorOf(() => signatureScheme({ oid: RSASSA_PSS_OID, parameters: mixed }, 'test'))).toMatchObject({ code: 'PKI_UNSUPPORTED_ALGORITHM' });
    const trailer = params(tagged(3, new asn1js.Integer({ value: 2 })));
    expect(errorOf(() => signatureScheme({ oid: RSASSA_PSS_OID, parameters: trailer }, 'test'))).toMatchObject({ code: 'PKI_UNSUPPORTED_ALGORITHM' });
  });
});

describe('ECDSA in JavaScript (runtimes whose crypto lacks brainpool)', () => {
  it('is what verifySignature uses for an EC key node:crypto could not import', () => {
    const key = testKeyPair('alg-brainpoolP384r1', 'brainpoolP384r1', { explicitParameters: true });
    const imported = importPublicKey(key.spki);
    if (imported.kind !== 'ec') throw new Error('expected an EC key');
    const withoutNode = { ...imported, key: null };
    const scheme: SignatureScheme = { kind: 'ecdsa', hash: 'sha384', plain: false };
    const signature = signData(key.privateKey, scheme, data);
    expect(verifySignature(withoutNode, scheme, data, signature)).toBe(true);
    expect(verifySignature(withoutNode, scheme, Uint8Array.of(...data, 1), signature)).toBe(false);
    expect(verifySignature(withoutNode, { ...scheme, plain: true }, data, signature)).toBe(false);
  });

  it.each([
    ['brainpoolP256r1', 'sha256'], ['brainpoolP384r1', 'sha384'], ['brainpoolP512r1', 'sha512'], ['prime256v1', 'sha256'], ['brainpoolP384r1', 'sha256'],
    ['brainpoolP192r1', 'sha224'], ['brainpoolP320r1', 'sha256'], ['secp224r1', 'sha224'], ['secp521r1', 'sha512'],
  ] as const)('verifies node:crypto\'s %s / %s signatures, high S included', (curve, hash) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const { point: q, curve: params } = readEcPublicKey(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })))!;
    const seen = { low: false, high: false };
    for (let i = 0; i < 64 && !(seen.low && seen.high); i++) {
      const plain = sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const s = BigInt(`0x${Buffer.from(plain.subarray(plain.length / 2)).toString('hex')}`);
      seen[s > params.order / 2n ? 'high' : 'low'] = true;
      const der = sign(hash, data, { key: privateKey, dsaEncoding: 'der' });
      expect(verifyEcdsaInJs(params, hash, data, der, q, false)).toBe(true);
      expect(verifyEcdsaInJs(params, hash, data, plain, q, true)).toBe(true);
      expect(verifyEcdsaInJs(params, hash, Uint8Array.of(1), der, q, false)).toBe(false);
    }
    expect(seen).toEqual({ low: true, high: true });
  });
});
