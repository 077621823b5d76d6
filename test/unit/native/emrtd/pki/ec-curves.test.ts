// The curve table behind explicit-parameter keys: every entry checked against independent
// sources (its generator on its curve, node:crypto's keys on it, @noble/curves' constants,
// OpenSSL recognising the parameters we write out), and explicit parameters mapped back to
// the named curve — uncompressed or compressed generator — or refused when they match none.

import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 } from '@noble/curves/misc.js';
import {
  NAMED_CURVES, curveByName, encodeExplicitParameters, explicitCurveSpki, isOnCurve, namedCurveForParameters, parseExplicitParameters,
  readEcPublicKey,
} from '../../../../../native/emrtd/pki/ec-curves.js';

const point = (spki: Uint8Array) => readEcPublicKey(spki)!.point;
const big = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

describe('named curve table', () => {
  it.each(NAMED_CURVES.map((c) => [c.name, c] as const))('%s: generator and a node:crypto key lie on the curve', (name, curve) => {
    expect(isOnCurve(curve, curve.gx, curve.gy)).toBe(true);
    const spki = new Uint8Array(generateKeyPairSync('ec', { namedCurve: name }).publicKey.export({ type: 'spki', format: 'der' }));
    const q = point(spki);
    expect(isOnCurve(curve, big(q.subarray(1, 1 + curve.size)), big(q.subarray(1 + curve.size)))).toBe(true);
    expect(isOnCurve(curve, curve.gx, curve.gy + 1n)).toBe(false);
  });

  it.each([
    ['prime256v1', p256], ['secp384r1', p384], ['secp521r1', p521],
    ['brainpoolP256r1', brainpoolP256r1], ['brainpoolP384r1', brainpoolP384r1], ['brainpoolP512r1', brainpoolP512r1],
  ] as const)('%s agrees with @noble/curves', (name, noble) => {
    const ours = curveByName(name)!;
    const theirs = noble.Point.CURVE();
    expect({ p: ours.p, a: ours.a, b: ours.b, n: ours.n, gx: ours.gx, gy: ours.gy })
      .toEqual({ p: theirs.p, a: theirs.a, b: theirs.b, n: theirs.n, gx: theirs.Gx, gy: theirs.Gy });
  });

  it.each(NAMED_CURVES.map((c) => [c.name, c] as const))('%s: OpenSSL recognises the explicit parameters we write', (name, curve) => {
    const spki = new Uint8Array(generateKeyPairSync('ec', { namedCurve: name }).publicKey.export({ type: 'spki', format: 'der' }));
    const explicit = explicitCurveSpki(curve, point(spki));
    expect(createPublicKey({ key: Buffer.from(explicit), format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve).toBe(name);
    expect(readEcPublicKey(explicit)).toMatchObject({ curve: { name }, explicit: true });
    expect(readEcPublicKey(spki)).toMatchObject({ curve: { name }, explicit: false });
  });
});

describe('explicit parameters', () => {
  const curve = curveByName('brainpoolP384r1')!;

  it('map to the named curve with a compressed generator too', () => {
    const params = parseExplicitParameters(encodeExplicitParameters(curve));
    expect(namedCurveForParameters(params)?.name).toBe('brainpoolP384r1');
    const compressed = { ...params, gy: null, gyOdd: (curve.gy & 1n) === 1n };
    expect(namedCurveForParameters(compressed)?.name).toBe('brainpoolP384r1');
    expect(namedCurveForParameters({ ...compressed, gyOdd: !compressed.gyOdd })).toBeNull();
  });

  it('match no curve when any parameter differs', () => {
    const params = parseExplicitParameters(encodeExplicitParameters(curve));
    for (const field of ['p', 'a', 'b', 'n', 'gx', 'gy'] as const) {
      expect(namedCurveForParameters({ ...params, [field]: params[field]! + 2n })).toBeNull();
    }
    expect(namedCurveForParameters({ ...params, cofactor: 2n })).toBeNull();
  });

  it('leave a key on an unknown curve unread (the caller reports it unsupported)', () => {
    const params = asn1js.fromBER(encodeExplicitParameters(curve)).result as asn1js.Sequence;
    (params.valueBlock.value[4] as asn1js.Integer).valueBlock.valueHexView[1] ^= 1; // the order
    const spki = new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.10045.2.1' }), params] }),
        new asn1js.BitString({ valueHex: Uint8Array.of(4, ...new Uint8Array(96)) }),
      ],
    });
    expect(readEcPublicKey(new Uint8Array(spki.toBER(false)))).toBeNull();
  });
});
