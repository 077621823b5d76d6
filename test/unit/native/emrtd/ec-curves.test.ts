// The curves of the standardized domain parameters table, checked against OpenSSL (node:crypto)
// point for point and secret for secret; explicit ECParameters as OpenSSL writes them
// (`openssl ecparam -name … -param_enc explicit -outform DER`) and as certificates carry them
// (compressed generator, seed), mapped back to the curve or refused when they match none; keys
// in certificates read named or explicit; DH ids refused with a typed error; ECDSA against OpenSSL.

import { createECDH, createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../native/device-error.js';
import {
  bytesFromBigint, encodeInteger, encodeOctetString, encodeOid, encodeSequence, encodeSubjectPublicKeyInfo,
} from '../../../../native/emrtd/der.js';
import {
  decodePoint, domainFromAlgorithmIdentifier, ecAlgorithmIdentifier, ecdhSharedSecret, ecDomain, EC_DOMAINS, encodeExplicitParameters, encodePoint,
  explicitCurveSpki, KeyAlgorithmOid, matchExplicitParameters, multiply, randomScalar, readEcdsaSignature, readEcPublicKey, standardizedDomain,
  verifyEcdsaDigest, type EcDomain,
} from '../../../../native/emrtd/ec-curves.js';
import { fixedRandom, hex, seededRandom, toHex } from './emrtd-fixtures.js';

/** `openssl ecparam -name brainpoolP256r1 -param_enc explicit -outform DER` (OpenSSL 3). */
const OPENSSL_BRAINPOOL_P256R1 = '3081e0020101302c06072a8648ce3d0101022100a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377304404207d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9042026dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b60441048bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997022100a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7020101';
/** `openssl ecparam -name prime256v1 -param_enc explicit -outform DER`: with the curve's seed. */
const OPENSSL_P256 = '3081f7020101302c06072a8648ce3d0101022100ffffffff00000001000000000000000000000000ffffffffffffffffffffffff305b0420ffffffff00000001000000000000000000000000fffffffffffffffffffffffc04205ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b031500c49d360886e704936a6678e1139d26b7819f7e900441046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5022100ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551020101';

function refusal(run: () => unknown): DeviceError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DeviceError);
    return error as DeviceError;
  }
  throw new Error('expected a refusal');
}

/** Explicit ECParameters with some fields changed (the generator compressed, another cofactor …). */
function explicitParameters(curve: EcDomain, change: { p?: bigint; a?: bigint; b?: bigint; n?: bigint; h?: bigint; base?: Uint8Array } = {}): Uint8Array {
  const { p, a, b, n, h } = curve.Point.CURVE();
  const element = (value: bigint) => encodeOctetString(bytesFromBigint(value, curve.fieldSize));
  return encodeSequence([
    encodeInteger(1),
    encodeSequence([encodeOid(KeyAlgorithmOid.primeField), encodeInteger(change.p ?? p)]),
    encodeSequence([element(change.a ?? a), element(change.b ?? b)]),
    encodeOctetString(change.base ?? curve.Point.BASE.toBytes(false)),
    encodeInteger(change.n ?? n),
    encodeInteger(change.h ?? h),
  ]);
}

describe('the curve table', () => {
  it('maps the standardized ids 8–18 to the curves of the table', () => {
    expect(EC_DOMAINS.map((curve) => [curve.standardizedId, curve.name])).toEqual([
      [8, 'P-192'], [9, 'brainpoolP192r1'], [10, 'P-224'], [11, 'brainpoolP224r1'], [12, 'P-256'], [13, 'brainpoolP256r1'],
      [14, 'brainpoolP320r1'], [15, 'P-384'], [16, 'brainpoolP384r1'], [17, 'brainpoolP512r1'], [18, 'P-521'],
    ]);
  });

  it('agrees with OpenSSL on every curve: public key and ECDH secret', () => {
    for (const curve of EC_DOMAINS) {
      const random = seededRandom(curve.standardizedId);
      const a = randomScalar(curve, random);
      const b = randomScalar(curve, random);
      const openssl = createECDH(curve.opensslName);
      openssl.setPrivateKey(bytesFromBigint(a, Math.ceil(curve.order.toString(2).length / 8)));
      const ours = encodePoint(multiply(curve.Point.BASE, a, curve));
      expect(toHex(ours), curve.name).toBe(toHex(openssl.getPublicKey()));
      const peer = multiply(curve.Point.BASE, b, curve);
      expect(toHex(ecdhSharedSecret(curve, a, peer)), curve.name).toBe(toHex(openssl.computeSecret(encodePoint(peer))));
      expect(ecdhSharedSecret(curve, a, peer)).toHaveLength(curve.fieldSize);
    }
  });

  it.each(EC_DOMAINS.map((curve) => [curve.name, curve] as const))('%s: OpenSSL keys read back named and explicit, and OpenSSL knows the explicit parameters we write', (name, curve) => {
    const spki = new Uint8Array(generateKeyPairSync('ec', { namedCurve: curve.opensslName }).publicKey.export({ type: 'spki', format: 'der' }));
    const named = readEcPublicKey(spki)!;
    expect(named).toMatchObject({ curve: { name }, explicit: false });
    expect(decodePoint(curve, named.point, 'test key')).toBeDefined();
    const explicit = explicitCurveSpki(curve, named.point);
    expect(readEcPublicKey(explicit)).toMatchObject({ curve: { name }, explicit: true });
    expect(createPublicKey({ key: Buffer.from(explicit), format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve).toBe(curve.opensslName);
  });
});

describe('naming a curve', () => {
  it('writes explicit parameters as OpenSSL does and recognises them (with or without a seed)', () => {
    expect(toHex(encodeExplicitParameters(ecDomain('brainpoolP256r1')))).toBe(toHex(hex(OPENSSL_BRAINPOOL_P256R1)));
    expect(matchExplicitParameters(hex(OPENSSL_P256)).name).toBe('P-256');
    for (const curve of EC_DOMAINS) expect(matchExplicitParameters(encodeExplicitParameters(curve))).toBe(curve);
  });

  it('recognises a compressed generator, and refuses parameters that differ in anything', () => {
    const curve = ecDomain('brainpoolP384r1');
    const compressed = curve.Point.BASE.toBytes(true);
    expect(matchExplicitParameters(explicitParameters(curve, { base: compressed }))).toBe(curve);
    const otherRoot = Uint8Array.from(compressed);
    otherRoot[0] ^= 0x01;
    const { p, a, b, n } = curve.Point.CURVE();
    for (const change of [{ base: otherRoot }, { p: p + 2n }, { a: a + 1n }, { b: b + 1n }, { n: n + 2n }, { h: 2n }]) {
      expect(refusal(() => matchExplicitParameters(explicitParameters(curve, change))).code, JSON.stringify(Object.keys(change))).toBe('CHIP_DOMAIN_PARAMETERS_UNSUPPORTED');
    }
  });

  it('resolves AlgorithmIdentifiers by standardized id, named curve and explicit parameters', () => {
    for (const curve of EC_DOMAINS) {
      for (const encoding of ['standardized', 'named', 'explicit'] as const) {
        expect(domainFromAlgorithmIdentifier(ecAlgorithmIdentifier(curve, encoding))).toBe(curve);
      }
      expect(domainFromAlgorithmIdentifier({ oid: KeyAlgorithmOid.pkEcdh, parameters: encodeInteger(curve.standardizedId) })).toBe(curve);
    }
  });

  it('refuses DH groups, reserved ids, unknown curves and DH keys with CHIP_DOMAIN_PARAMETERS_UNSUPPORTED', () => {
    for (const id of [0, 1, 2]) {
      const error = refusal(() => standardizedDomain(id));
      expect(error.code).toBe('CHIP_DOMAIN_PARAMETERS_UNSUPPORTED');
      expect(error.details).toMatchObject({ parameterId: id, keyAgreement: 'DH' });
    }
    expect(refusal(() => standardizedDomain(5)).message).toContain('reserved');
    expect(refusal(() => domainFromAlgorithmIdentifier({ oid: KeyAlgorithmOid.ecPublicKey, parameters: encodeOid('1.3.132.0.10') })).details)
      .toMatchObject({ curve: '1.3.132.0.10' });
    expect(refusal(() => domainFromAlgorithmIdentifier({ oid: KeyAlgorithmOid.dhPublicNumber, parameters: null })).details).toMatchObject({ keyAgreement: 'DH' });
    const tampered = hex(OPENSSL_BRAINPOOL_P256R1);
    tampered[tampered.length - 4]! ^= 1; // the order
    expect(refusal(() => matchExplicitParameters(tampered)).code).toBe('CHIP_DOMAIN_PARAMETERS_UNSUPPORTED');
  });

  it('leaves a certificate key on an unknown curve unread (the caller reports it unsupported)', () => {
    const curve = ecDomain('brainpoolP384r1');
    const parameters = explicitParameters(curve, { n: curve.order ^ 0x100n });
    const spki = encodeSubjectPublicKeyInfo({ algorithm: { oid: KeyAlgorithmOid.ecPublicKey, parameters }, subjectPublicKey: Uint8Array.of(4, ...new Uint8Array(96)) });
    expect(readEcPublicKey(spki)).toBeNull();
    const secp256k1 = encodeSubjectPublicKeyInfo({ algorithm: { oid: KeyAlgorithmOid.ecPublicKey, parameters: encodeOid('1.3.132.0.10') }, subjectPublicKey: Uint8Array.of(4) });
    expect(readEcPublicKey(secp256k1)).toBeNull();
  });
});

describe('points, scalars and ECDSA', () => {
  it('refuses points that are compressed, off the curve or of the wrong size', () => {
    const curve = ecDomain('brainpoolP256r1');
    const good = encodePoint(multiply(curve.Point.BASE, 12345n, curve));
    expect(decodePoint(curve, good, 'test').equals(multiply(curve.Point.BASE, 12345n, curve))).toBe(true);
    const offCurve = Uint8Array.from(good);
    offCurve[64]! ^= 1;
    for (const bad of [offCurve, good.subarray(0, 33), Uint8Array.of(0), Uint8Array.from([0x05, ...good.subarray(1)])]) {
      expect(() => decodePoint(curve, bad, 'test')).toThrow(expect.objectContaining({ code: 'CHIP_EC_POINT_INVALID' }));
    }
  });

  it('draws private scalars in range, masking the top bits of P-521\'s 66 bytes', () => {
    const curve = ecDomain('P-521');
    // 521 bits in 66 bytes: the first byte keeps only its lowest bit.
    expect(randomScalar(curve, fixedRandom(`ab${'00'.repeat(65)}`))).toBe(1n << 520n);
    expect(randomScalar(curve, fixedRandom('ff'.repeat(66), `00${'11'.repeat(65)}`))).toBe(BigInt(`0x${'11'.repeat(65)}`));
    const bp = ecDomain('brainpoolP256r1');
    // A draw at or above n is repeated.
    expect(randomScalar(bp, fixedRandom('ff'.repeat(32), `00${'11'.repeat(31)}`))).toBe(BigInt(`0x${'11'.repeat(31)}`));
  });

  it('verifies OpenSSL\'s ECDSA signatures over a digest longer than the order (truncated), plain and DER, and not others', () => {
    const curve = ecDomain('brainpoolP192r1');
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve.opensslName });
    const key = decodePoint(curve, readEcPublicKey(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })))!.point, 'test key');
    const message = new TextEncoder().encode('challenge');
    const digest = new Uint8Array(createHash('sha256').update(message).digest());
    for (const form of ['plain', 'der'] as const) {
      const signature = new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: form === 'plain' ? 'ieee-p1363' : 'der' }));
      const parts = readEcdsaSignature(curve, signature, form)!;
      expect(verifyEcdsaDigest(curve, key, digest, parts)).toBe(true);
      expect(verifyEcdsaDigest(curve, key, digest, { ...parts, s: parts.s ^ 1n })).toBe(false);
      expect(verifyEcdsaDigest(curve, key, digest, { r: 0n, s: parts.s })).toBe(false);
    }
    expect(readEcdsaSignature(curve, new Uint8Array(47), 'plain')).toBeNull();
    expect(readEcdsaSignature(curve, hex('3003020101'), 'der')).toBeNull();
  });
});
