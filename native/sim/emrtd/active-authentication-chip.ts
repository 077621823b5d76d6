// The chip's side of Active Authentication (ICAO 9303-11 §6.1) for the virtual chip: the private
// key it holds, the DG15 (and for ECDSA the DG14 ActiveAuthenticationInfo) that publish it, and
// the answer to INTERNAL AUTHENTICATE: an ISO/IEC 9796-2 scheme 1 signature with RSA, a plain
// r ‖ s ECDSA signature on a curve of ec-curves.ts. Verification is native/emrtd's.

import { constants, createPublicKey, privateEncrypt, type KeyObject } from 'node:crypto';
import {
  aaHash, AA_CHALLENGE_LENGTH, ecdsaHash, INS_INTERNAL_AUTHENTICATE, TRAILER_HASH_ID,
} from '../../emrtd/active-authentication.js';
import { secureRandom, type RandomSource } from '../../emrtd/chip-crypto.js';
import { bytesFromBigint, encodeSubjectPublicKeyInfo } from '../../emrtd/der.js';
import {
  digestScalar, ecAlgorithmIdentifier, encodePoint, multiply, randomScalar, scalarSize, type DomainParameterEncoding, type EcDomain,
} from '../../emrtd/ec-curves.js';
import { HASH_LENGTHS, type HashName } from '../../emrtd/pki/algorithms.js';
import { SecurityProtocolOid, type ActiveAuthenticationInfo } from '../../emrtd/security-infos.js';
import type { CommandApdu } from '../../transport/command-apdu.js';
import { ChipStatus, status, type ChipAnswer, type ChipProtocol } from './chip-answer.js';

/** An Active Authentication private key as the virtual chip holds it. */
export type ActiveAuthenticationKey =
  | { readonly kind: 'rsa'; readonly privateKey: KeyObject; readonly hash: HashName }
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
    const m1 = Uint8Array.from(random(length - 1 - HASH_LENGTHS[key.hash] - trailer.length));
    const representative = Buffer.concat([Uint8Array.of(0x6a), m1, aaHash(key.hash, m1, challenge), trailer]);
    const padded = Buffer.concat([new Uint8Array(Math.ceil(bits / 8) - representative.length), representative]);
    return Uint8Array.from(privateEncrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, padded));
  }
  const hashName = ecdsaHash(key.signatureAlgorithm);
  if (!hashName) throw new RangeError(`signature algorithm ${key.signatureAlgorithm}`);
  const { curve } = key;
  const n = curve.order;
  const e = digestScalar(curve, aaHash(hashName, challenge));
  for (;;) {
    const k = randomScalar(curve, random);
    const r = multiply(curve.Point.BASE, k, curve).x % n;
    const s = (curve.Point.Fn.inv(k) * ((e + r * key.privateKey) % n)) % n;
    if (r !== 0n && s !== 0n) return Buffer.concat([bytesFromBigint(r, scalarSize(curve)), bytesFromBigint(s, scalarSize(curve))]);
  }
}

/** Answers INTERNAL AUTHENTICATE (an 8-byte challenge) with its signature; undefined for other commands. */
export class ActiveAuthenticationChip implements ChipProtocol {
  constructor(readonly key: ActiveAuthenticationKey, readonly random: RandomSource = secureRandom) {}

  answer(command: CommandApdu): ChipAnswer | undefined {
    if (command.ins !== INS_INTERNAL_AUTHENTICATE) return undefined;
    if (command.p1 !== 0 || command.p2 !== 0) return { response: status(ChipStatus.incorrectP1P2) };
    if (command.data?.length !== AA_CHALLENGE_LENGTH) return { response: status(ChipStatus.wrongLength) };
    return { response: { data: signChallenge(this.key, command.data, this.random), sw: ChipStatus.success } };
  }
}
