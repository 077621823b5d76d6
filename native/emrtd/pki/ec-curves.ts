// The elliptic curves passports are signed on, with their domain parameters, so a key that
// carries EXPLICIT parameters (common in CSCA and Document Signer certificates, e.g. those of
// German and other brainpool issuers) can be recognised as the named curve it is and verified
// like any other. Parameters were written out by OpenSSL 3.0 (`openssl ecparam -name <curve>
// -param_enc explicit`) and agree with SEC 2 / FIPS 186-4 and RFC 5639; the tests check every
// generator lies on its curve and compare the brainpool and NIST ones with @noble/curves.
// A parameter set that matches none of these is refused: an unknown curve is not verified.

import * as asn1js from 'asn1js';
import { asn1Error, bitString, integer, octetString, oid, parseDer, rawBytes, sequence, algorithmIdentifier } from './der.js';

export const EC_PUBLIC_KEY_OID = '1.2.840.10045.2.1';
const PRIME_FIELD_OID = '1.2.840.10045.1.1';

export interface NamedCurve {
  /** OpenSSL's name, which node:crypto uses. */
  readonly name: string;
  readonly oid: string;
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
  readonly n: bigint;
  /** Bytes of a field element (and of each coordinate of an uncompressed point). */
  readonly size: number;
}

const HEX_CURVES = [
  {
    name: 'secp224r1', oid: '1.3.132.0.33',
    p: 'ffffffffffffffffffffffffffffffff000000000000000000000001',
    a: 'fffffffffffffffffffffffffffffffefffffffffffffffffffffffe',
    b: 'b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4',
    gx: 'b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21',
    gy: 'bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34',
    n: 'ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d',
  },
  {
    name: 'prime256v1', oid: '1.2.840.10045.3.1.7',
    p: 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff',
    a: 'ffffffff00000001000000000000000000000000fffffffffffffffffffffffc',
    b: '5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b',
    gx: '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296',
    gy: '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
    n: 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
  },
  {
    name: 'secp384r1', oid: '1.3.132.0.34',
    p: 'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff',
    a: 'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc',
    b: 'b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef',
    gx: 'aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7',
    gy: '3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f',
    n: 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
  },
  {
    name: 'secp521r1', oid: '1.3.132.0.35',
    p: '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    a: '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc',
    b: '0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00',
    gx: '00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66',
    gy: '011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650',
    n: '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
  },
  {
    name: 'brainpoolP224r1', oid: '1.3.36.3.3.2.8.1.1.5',
    p: 'd7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff',
    a: '68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43',
    b: '2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b',
    gx: '0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d',
    gy: '58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd',
    n: 'd7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f',
  },
  {
    name: 'brainpoolP256r1', oid: '1.3.36.3.3.2.8.1.1.7',
    p: 'a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377',
    a: '7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9',
    b: '26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6',
    gx: '8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262',
    gy: '547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997',
    n: 'a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7',
  },
  {
    name: 'brainpoolP320r1', oid: '1.3.36.3.3.2.8.1.1.9',
    p: 'd35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27',
    a: '3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4',
    b: '520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6',
    gx: '43bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e20611',
    gy: '14fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1',
    n: 'd35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311',
  },
  {
    name: 'brainpoolP384r1', oid: '1.3.36.3.3.2.8.1.1.11',
    p: '8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53',
    a: '7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826',
    b: '04a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11',
    gx: '1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e',
    gy: '8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315',
    n: '8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565',
  },
  {
    name: 'brainpoolP512r1', oid: '1.3.36.3.3.2.8.1.1.13',
    p: 'aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3',
    a: '7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca',
    b: '3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723',
    gx: '81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822',
    gy: '7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892',
    n: 'aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069',
  },
];

export const NAMED_CURVES: readonly NamedCurve[] = HEX_CURVES.map((c) => ({
  name: c.name,
  oid: c.oid,
  p: BigInt(`0x${c.p}`),
  a: BigInt(`0x${c.a}`),
  b: BigInt(`0x${c.b}`),
  gx: BigInt(`0x${c.gx}`),
  gy: BigInt(`0x${c.gy}`),
  n: BigInt(`0x${c.n}`),
  size: Math.ceil(BigInt(`0x${c.p}`).toString(16).length / 2),
}));

export function curveByOid(curveOid: string): NamedCurve | undefined {
  return NAMED_CURVES.find((c) => c.oid === curveOid);
}

export function curveByName(name: string): NamedCurve | undefined {
  return NAMED_CURVES.find((c) => c.name === name);
}

const toBigInt = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`));

function toFixedBytes(value: bigint, size: number): Uint8Array {
  const hex = value.toString(16).padStart(size * 2, '0');
  if (hex.length > size * 2) throw new RangeError('value wider than the field');
  return Buffer.from(hex, 'hex');
}

/** Explicit ECParameters (SEC 1 §C.2 / RFC 3279) as numbers; the generator possibly compressed. */
export interface ExplicitCurveParameters {
  p: bigint;
  a: bigint;
  b: bigint;
  gx: bigint;
  /** null when the generator is compressed; then `gyOdd` says which root. */
  gy: bigint | null;
  gyOdd: boolean | null;
  n: bigint;
  cofactor: bigint | null;
}

/** Reads ECParameters; only prime fields exist in 9303 PKIs (characteristic-two is refused). */
export function parseExplicitParameters(der: Uint8Array): ExplicitCurveParameters {
  const what = 'ECParameters';
  const [version, fieldId, curve, base, order, cofactor] = sequence(parseDer(der, what), what, { min: 5, max: 6 });
  if (integer(version, `${what}.version`) !== 1n) throw asn1Error(what, 'version is not 1');
  const [fieldType, prime] = sequence(fieldId, `${what}.fieldID`, { min: 2, max: 2 });
  if (oid(fieldType, `${what}.fieldID.fieldType`) !== PRIME_FIELD_OID) throw asn1Error(what, 'the field is not a prime field');
  const [a, b] = sequence(curve, `${what}.curve`, { min: 2, max: 3 });
  const point = octetString(base, `${what}.base`);
  const p = integer(prime, `${what}.fieldID.prime`);
  const size = Math.ceil(p.toString(16).length / 2);
  let gx: bigint;
  let gy: bigint | null = null;
  let gyOdd: boolean | null = null;
  if (point[0] === 0x04 && point.length === 1 + 2 * size) {
    gx = toBigInt(point.subarray(1, 1 + size));
    gy = toBigInt(point.subarray(1 + size));
  } else if ((point[0] === 0x02 || point[0] === 0x03) && point.length === 1 + size) {
    gx = toBigInt(point.subarray(1));
    gyOdd = point[0] === 0x03;
  } else {
    throw asn1Error(what, 'the base point is not an encoded point of the field');
  }
  return {
    p,
    a: toBigInt(octetString(a, `${what}.curve.a`)),
    b: toBigInt(octetString(b, `${what}.curve.b`)),
    gx,
    gy,
    gyOdd,
    n: integer(order, `${what}.order`),
    cofactor: cofactor ? integer(cofactor, `${what}.cofactor`) : null,
  };
}

/** The named curve these parameters describe (every parameter equal), or null. */
export function namedCurveForParameters(params: ExplicitCurveParameters): NamedCurve | null {
  return NAMED_CURVES.find((c) =>
    c.p === params.p && c.a === params.a && c.b === params.b && c.n === params.n && c.gx === params.gx
    && (params.gy === null ? (c.gy & 1n) === 1n === params.gyOdd : c.gy === params.gy)
    && (params.cofactor === null || params.cofactor === 1n)) ?? null;
}

/** ECParameters for `curve` written out explicitly (uncompressed generator, cofactor 1, no seed). */
export function encodeExplicitParameters(curve: NamedCurve): Uint8Array {
  const element = (value: bigint) => new asn1js.OctetString({ valueHex: toFixedBytes(value, curve.size) });
  const generator = Buffer.concat([Uint8Array.of(0x04), toFixedBytes(curve.gx, curve.size), toFixedBytes(curve.gy, curve.size)]);
  return new Uint8Array(new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: PRIME_FIELD_OID }), asn1js.Integer.fromBigInt(curve.p)] }),
      new asn1js.Sequence({ value: [element(curve.a), element(curve.b)] }),
      new asn1js.OctetString({ valueHex: generator }),
      asn1js.Integer.fromBigInt(curve.n),
      new asn1js.Integer({ value: 1 }),
    ],
  }).toBER(false));
}

/** An EC SubjectPublicKeyInfo: the key's curve and its encoded point. */
export interface EcPublicKey {
  curve: NamedCurve;
  /** The point as in the certificate (04 ‖ x ‖ y, or compressed). */
  point: Uint8Array;
  /** The parameters were written out explicitly rather than named. */
  explicit: boolean;
}

/**
 * Reads an id-ecPublicKey SubjectPublicKeyInfo whose parameters name a curve or spell one out.
 * Returns null for a curve outside NAMED_CURVES (the caller reports it unsupported).
 */
export function readEcPublicKey(spki: Uint8Array): EcPublicKey | null {
  const [algorithm, key] = sequence(parseDer(spki, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo', { min: 2, max: 2 });
  const { oid: keyOid, parameters } = algorithmIdentifier(algorithm, 'SubjectPublicKeyInfo.algorithm');
  if (keyOid !== EC_PUBLIC_KEY_OID) throw asn1Error('SubjectPublicKeyInfo', 'not an EC key');
  const point = bitString(key, 'SubjectPublicKeyInfo.subjectPublicKey');
  if (!parameters) throw asn1Error('SubjectPublicKeyInfo', 'an EC key without curve parameters');
  const params = parseDer(parameters, 'EC parameters');
  if (params.idBlock.tagClass === 1 && params.idBlock.tagNumber === 6) {
    const curve = curveByOid(oid(params, 'EC parameters'));
    return curve ? { curve, point, explicit: false } : null;
  }
  if (params.idBlock.tagClass === 1 && params.idBlock.tagNumber === 5) return null; // implicitlyCA: the curve is not in the key
  const curve = namedCurveForParameters(parseExplicitParameters(rawBytes(params)));
  return curve ? { curve, point, explicit: true } : null;
}

/** The same key with its curve named: what node:crypto and WebCrypto import. */
export function namedCurveSpki(curve: NamedCurve, point: Uint8Array): Uint8Array {
  return spki(new asn1js.ObjectIdentifier({ value: curve.oid }), point);
}

/** The same key with the curve's parameters spelled out (for test certificates like real CSCAs'). */
export function explicitCurveSpki(curve: NamedCurve, point: Uint8Array): Uint8Array {
  return spki(asn1js.fromBER(encodeExplicitParameters(curve)).result, point);
}

function spki(parameters: asn1js.AsnType, point: Uint8Array): Uint8Array {
  return new Uint8Array(new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: EC_PUBLIC_KEY_OID }), parameters] }),
      new asn1js.BitString({ valueHex: point }),
    ],
  }).toBER(false));
}

/** y² = x³ + ax + b (mod p): for checking the table and points. */
export function isOnCurve(curve: NamedCurve, x: bigint, y: bigint): boolean {
  const mod = (v: bigint) => ((v % curve.p) + curve.p) % curve.p;
  return mod(y * y) === mod(x * x * x + curve.a * x + curve.b);
}
