// PACE — Password Authenticated Connection Establishment (ICAO 9303-11 §4.4, BSI TR-03110-2
// §3.2) — the reader's side, plus the steps both sides compute. Supported: ECDH with generic
// mapping (id-PACE-ECDH-GM-*) with 3DES or AES-128/192/256, on every standardized curve (ids
// 8–18) or an explicit/named curve equal to one. Refused with CHIP_PACE_UNSUPPORTED: DH (GM
// and IM), ECDH integrated mapping and chip authentication mapping (CAM).
//
// Exchange (9303-11 §4.4.4): MSE:Set AT 00 22 C1 A4 {80 protocol OID, 83 password reference,
// 84 domain parameter id when the chip offers more than one set}, then GENERAL AUTHENTICATE
// four times, chained (CLA 10) but for the last: 7C{} → 7C{80 z}; 7C{81 PK_map,PCD} →
// 7C{82 PK_map,IC}; 7C{83 PK_PCD} → 7C{84 PK_IC}; 7C{85 T_PCD} → 7C{86 T_IC}. Here
// s = D(Kπ, z) with Kπ = KDF(f(π), 3), G' = s·G + SK_map,PCD·PK_map,IC, K = x(SK_PCD·PK_IC),
// KSenc = KDF(K, 1), KSmac = KDF(K, 2), T = MAC(KSmac, 7F49{06 OID, 86 peer's point}).
// The session starts with SSC = 0 (§4.4.3.5). A wrong MRZ or CAN shows as 6300 at the last step.

import { createHash } from 'node:crypto';
import { DeviceError } from '../device-error.js';
import type { ApduTransport } from '../transport/apdu-transport.js';
import { SW_SUCCESS, swHex, type CommandApdu } from '../transport/command-apdu.js';
import { mrzInformation, type MrzAccessFields } from './bac.js';
import { encodeTlv, requireTlv } from './ber-tlv.js';
import { PlainChannel } from './chip-channel.js';
import {
  aesCbc, aesCmac, blockSize, CIPHER_PREFERENCE, deriveKey, pad, retailMac, sameBytes, secureRandom, tdesCbc, type RandomSource, type SmCipher,
} from './chip-crypto.js';
import { bigintFromBytes, encodeOid, oidContent } from './der.js';
import {
  decodePoint, domainFromAlgorithmIdentifier, ecdhSharedSecret, encodePoint, multiply, randomScalar, standardizedDomain,
  type CurveName, type EcDomain, type EcPoint,
} from './ec-curves.js';
import { SecureMessaging, type SessionKeys } from './secure-messaging.js';
import { describePaceFamily, infosOfType, type PaceInfo, type PaceSuite, type SecurityInfo } from './security-infos.js';

/** The PACE password: the MRZ's access fields (as for BAC) or the card access number printed on the card. */
export type PacePassword =
  | { readonly kind: 'mrz'; readonly fields: MrzAccessFields }
  | { readonly kind: 'can'; readonly can: string };

export type PasswordKind = PacePassword['kind'];

/** DO'83' values of MSE:Set AT (9303-11 §4.4.4.1). */
export const PasswordReference: Readonly<Record<PasswordKind, number>> = { mrz: 0x01, can: 0x02 };

export const PaceTag = {
  protocol: 0x80,
  passwordReference: 0x83,
  parameterId: 0x84,
  dynamicAuthenticationData: 0x7c,
  encryptedNonce: 0x80,
  mappingPcd: 0x81,
  mappingIc: 0x82,
  ephemeralPcd: 0x83,
  ephemeralIc: 0x84,
  tokenPcd: 0x85,
  tokenIc: 0x86,
  publicKey: 0x7f49,
  ecPoint: 0x86,
} as const;

export const INS_MSE = 0x22;
export const INS_GENERAL_AUTHENTICATE = 0x86;
/** P1 P2 of MSE:Set AT for mutual authentication (PACE). */
export const MSE_SET_AT_PACE = { p1: 0xc1, p2: 0xa4 } as const;
/** CLA bit b5: command chaining, "more commands of this chain follow". */
export const CLA_CHAINING = 0x10;

// --- the computations both sides share -----------------------------------------------------

/** f(π) (9303-11 §9.7.3): SHA-1 of the MRZ information for MRZ, the CAN's ISO 8859-1 bytes for CAN. */
export function passwordSecret(password: PacePassword): Uint8Array {
  if (password.kind === 'can') {
    if (!/^[0-9]{6}$/.test(password.can)) {
      throw new DeviceError('CHIP_PACE_BAD_CAN', 'The card access number is the six digits printed on the card; check it and try again.');
    }
    return Uint8Array.from(Buffer.from(password.can, 'latin1'));
  }
  return Uint8Array.from(createHash('sha1').update(mrzInformation(password.fields), 'ascii').digest());
}

/** Kπ = KDF(f(π), 3), the key the nonce is encrypted under. */
export function passwordKey(password: PacePassword, cipher: SmCipher): Uint8Array {
  return deriveKey(passwordSecret(password), 3, cipher);
}

function cbc(key: Uint8Array, cipher: SmCipher, data: Uint8Array, encrypt: boolean): Uint8Array {
  return cipher === '3des' ? tdesCbc(key, data, encrypt) : aesCbc(key, data, encrypt, new Uint8Array(16));
}

/** s = D(Kπ, z): CBC with a zero IV, no padding (the nonce is whole blocks). */
export function decryptNonce(kPi: Uint8Array, cipher: SmCipher, encryptedNonce: Uint8Array): Uint8Array {
  if (encryptedNonce.length === 0 || encryptedNonce.length % blockSize(cipher) !== 0) {
    throw paceFailure('nonce', `the encrypted nonce is ${encryptedNonce.length} bytes, not whole ${cipher} blocks`);
  }
  return cbc(kPi, cipher, encryptedNonce, false);
}

/** z = E(Kπ, s) (the chip's side of step 1). */
export function encryptNonce(kPi: Uint8Array, cipher: SmCipher, nonce: Uint8Array): Uint8Array {
  return cbc(kPi, cipher, nonce, true);
}

/** Generic mapping for ECDH (9303-11 §4.4.3.3.1): H = SK_map·PK_map,peer, G' = s·G + H. */
export function mapGenerator(curve: EcDomain, nonce: Uint8Array, mappingPrivateKey: bigint, peerMappingKey: EcPoint): { h: EcPoint; generator: EcPoint } {
  const h = multiply(peerMappingKey, mappingPrivateKey, curve);
  if (h.equals(curve.Point.ZERO)) throw paceFailure('mapping', 'the mapping key agreement gave the point at infinity');
  const generator = multiply(curve.Point.BASE, bigintFromBytes(nonce), curve).add(h);
  if (generator.equals(curve.Point.ZERO)) throw paceFailure('mapping', 'the mapped generator is the point at infinity');
  return { h, generator };
}

/** KSenc = KDF(K, 1), KSmac = KDF(K, 2); PACE sessions start at SSC 0. */
export function deriveSessionKeys(sharedSecret: Uint8Array, cipher: SmCipher): Required<SessionKeys> {
  return {
    cipher,
    ksEnc: deriveKey(sharedSecret, 1, cipher),
    ksMac: deriveKey(sharedSecret, 2, cipher),
    ssc: new Uint8Array(blockSize(cipher)),
  };
}

/** The public key data object the tokens are computed over: 7F49 {06 protocol OID, 86 EC point}. */
export function publicKeyDataObject(protocol: string, point: Uint8Array): Uint8Array {
  return encodeTlv(PaceTag.publicKey, [encodeOid(protocol), encodeTlv(PaceTag.ecPoint, point)]);
}

/** The authentication token: retail MAC over the padded data object (3DES) or AES-CMAC, 8 bytes. */
export function authenticationToken(ksMac: Uint8Array, cipher: SmCipher, protocol: string, peerPoint: Uint8Array): Uint8Array {
  const input = publicKeyDataObject(protocol, peerPoint);
  return cipher === '3des' ? retailMac(ksMac, pad(input, 8)) : Uint8Array.from(aesCmac(ksMac, input).subarray(0, 8));
}

// --- choosing what to run ------------------------------------------------------------------

export type PaceStep = 'set-authentication-template' | 'encrypted-nonce' | 'mapping' | 'key-agreement' | 'mutual-authentication';

function paceFailure(step: PaceStep | 'nonce', reason: string, details: Record<string, unknown> = {}): DeviceError {
  return new DeviceError('CHIP_PACE_FAILED',
    `PACE with the chip failed (${reason}); lift the document, place it again and retry.`, { step, reason, ...details });
}

export interface RefusedPaceInfo {
  readonly protocol: string;
  readonly reason: string;
}

export interface PaceChoice {
  readonly info: PaceInfo;
  readonly curve: EcDomain;
  /** Whether MSE:Set AT names the domain parameters (DO'84'). */
  readonly sendParameterId: boolean;
  /** The chip's other PACEInfos we will not run, with why. */
  readonly refused: readonly RefusedPaceInfo[];
}

/** The curve a PACEInfo runs on: a standardized id, or the PACEDomainParameterInfo it points at. */
export function paceDomain(info: PaceInfo, infos: readonly SecurityInfo[]): EcDomain {
  if (info.parameterId !== undefined && info.parameterId <= 31) return standardizedDomain(info.parameterId);
  const candidates = infosOfType(infos, 'PACEDomainParameterInfo').filter((candidate) => {
    const family = describePaceFamily(candidate.protocol);
    return family?.mapping === info.suite.mapping && family.keyAgreement === info.suite.keyAgreement
      && candidate.parameterId === info.parameterId;
  });
  if (candidates.length !== 1) {
    throw new DeviceError('CHIP_DOMAIN_PARAMETERS_UNSUPPORTED',
      `The chip's PACE parameters are incomplete: ${candidates.length} domain parameter sets match ${info.suite.name}.`,
      { protocol: info.protocol, parameterId: info.parameterId, matches: candidates.length });
  }
  return domainFromAlgorithmIdentifier(candidates[0]!.domainParameter);
}

/**
 * The PACEInfo we run: ECDH generic mapping on a curve we know, the strongest cipher first,
 * the chip's order among equals. CHIP_PACE_NOT_OFFERED without PACEInfos (use BAC),
 * CHIP_PACE_UNSUPPORTED when every one is a variant we refuse (details.refused says why).
 */
export function choosePaceInfo(cardAccess: readonly SecurityInfo[], { sendParameterId = 'when-ambiguous' }: Pick<PaceOptions, 'sendParameterId'> = {}): PaceChoice {
  const offered = infosOfType(cardAccess, 'PACEInfo');
  if (offered.length === 0) {
    throw new DeviceError('CHIP_PACE_NOT_OFFERED', 'The chip lists no PACE protocol in EF.CardAccess; use Basic Access Control.');
  }
  const refused: RefusedPaceInfo[] = [];
  const runnable: { info: PaceInfo; curve: EcDomain }[] = [];
  for (const info of offered) {
    if (info.suite.keyAgreement !== 'ECDH' || info.suite.mapping !== 'GM') {
      refused.push({ protocol: info.protocol, reason: `${info.suite.name}: only ECDH with generic mapping is supported` });
      continue;
    }
    try {
      runnable.push({ info, curve: paceDomain(info, cardAccess) });
    } catch (error) {
      refused.push({ protocol: info.protocol, reason: `${info.suite.name}: ${(error as Error).message}` });
    }
  }
  if (runnable.length === 0) {
    throw new DeviceError('CHIP_PACE_UNSUPPORTED',
      `The chip offers only PACE variants Gatehouse does not support (${refused.map((entry) => entry.reason).join('; ')}); use Basic Access Control if the chip allows it.`,
      { refused });
  }
  const rank = (cipher: SmCipher) => CIPHER_PREFERENCE.indexOf(cipher);
  const best = runnable.reduce((chosen, candidate) => (rank(candidate.info.suite.cipher) < rank(chosen.info.suite.cipher) ? candidate : chosen));
  const parameterSets = new Set(offered.map((info) => info.parameterId ?? -1));
  return {
    ...best,
    sendParameterId: best.info.parameterId !== undefined && (sendParameterId === 'always' || parameterSets.size > 1),
    refused: [...refused, ...runnable.filter((entry) => entry !== best).map((entry) => ({ protocol: entry.info.protocol, reason: 'another suite was preferred' }))],
  };
}

// --- the reader's run ------------------------------------------------------------------------

export interface PaceOptions {
  /** Randomness for the ephemeral keys; tests inject fixed bytes. */
  readonly random?: RandomSource;
  /** DO'84' in MSE:Set AT: only when the chip offers several parameter sets (9303-11 §4.4.4.1), or always. */
  readonly sendParameterId?: 'when-ambiguous' | 'always';
  /** Called before each of the five exchanges (progress on a slow contactless link). */
  readonly onStep?: (step: PaceStep) => void;
}

export interface PaceResult {
  /** Secure messaging with KSenc/KSmac at SSC 0: every later command goes through it. */
  readonly session: SecureMessaging;
  readonly protocol: string;
  readonly suite: PaceSuite;
  readonly curve: CurveName;
  readonly parameterId?: number;
  readonly password: PasswordKind;
  /** PK_IC of the key agreement, uncompressed (the chip's identifier for Terminal Authentication). */
  readonly chipEphemeralPublicKey: Uint8Array;
}

function dynamicData(entries: readonly [tag: number, value: Uint8Array][]): Uint8Array {
  return encodeTlv(PaceTag.dynamicAuthenticationData, entries.map(([tag, value]) => encodeTlv(tag, value)));
}

function generalAuthenticate(data: Uint8Array, last: boolean): CommandApdu {
  return { cla: last ? 0x00 : CLA_CHAINING, ins: INS_GENERAL_AUTHENTICATE, p1: 0x00, p2: 0x00, data, ne: 256 };
}

/** The MSE:Set AT command selecting `protocol` with `password`. */
export function mseSetAtPace(protocol: string, password: PasswordKind, parameterId?: number): CommandApdu {
  const data = [encodeTlv(PaceTag.protocol, oidContent(protocol)), encodeTlv(PaceTag.passwordReference, Uint8Array.of(PasswordReference[password]))];
  if (parameterId !== undefined) data.push(encodeTlv(PaceTag.parameterId, Uint8Array.of(parameterId)));
  return { cla: 0x00, ins: INS_MSE, ...MSE_SET_AT_PACE, data: Buffer.concat(data) };
}

/**
 * Runs PACE over a plain channel with the PACEInfo `choosePaceInfo` picks from EF.CardAccess
 * and ends in a secure messaging session. Typed errors: CHIP_PACE_NOT_OFFERED,
 * CHIP_PACE_UNSUPPORTED, CHIP_PACE_REFUSED (MSE:Set AT), CHIP_PACE_PASSWORD_REJECTED (wrong
 * MRZ or CAN), CHIP_PACE_TOKEN_INVALID (the chip's token is wrong), CHIP_PACE_FAILED, CHIP_EC_POINT_INVALID.
 */
export async function performPace(transport: ApduTransport, cardAccess: readonly SecurityInfo[], password: PacePassword, options: PaceOptions = {}): Promise<PaceResult> {
  const choice = choosePaceInfo(cardAccess, options);
  const { info, curve } = choice;
  const { cipher } = info.suite;
  const random = options.random ?? secureRandom;
  const channel = new PlainChannel(transport);
  const kPi = passwordKey(password, cipher);
  const passwordName = password.kind === 'mrz' ? 'MRZ' : 'CAN';

  const exchange = async (step: PaceStep, command: CommandApdu): Promise<Uint8Array> => {
    options.onStep?.(step);
    const { data, sw } = await channel.send(command);
    if (sw === SW_SUCCESS) return data;
    const details = { step, sw: swHex(sw), protocol: info.protocol, password: password.kind };
    if (step === 'mutual-authentication' && (sw === 0x6300 || (sw & 0xfff0) === 0x63c0)) {
      throw new DeviceError('CHIP_PACE_PASSWORD_REJECTED', password.kind === 'mrz'
        ? 'The chip did not accept the MRZ: check the document number, date of birth and date of expiry against the data page and try again.'
        : 'The chip did not accept the card access number: check the six digits printed on the card and try again.', details);
    }
    if (step === 'set-authentication-template') {
      throw new DeviceError('CHIP_PACE_REFUSED',
        `The chip refused PACE with ${info.suite.name} and the ${passwordName} (${swHex(sw)}); use Basic Access Control if the chip allows it.`, details);
    }
    throw paceFailure(step, `the chip answered ${swHex(sw)}`, details);
  };
  const answer = (data: Uint8Array, tag: number, what: string): Uint8Array =>
    requireTlv(requireTlv(data, PaceTag.dynamicAuthenticationData, `PACE ${what}`), tag, `PACE ${what}`);

  await exchange('set-authentication-template',
    mseSetAtPace(info.protocol, password.kind, choice.sendParameterId ? info.parameterId : undefined));

  const z = answer(await exchange('encrypted-nonce', generalAuthenticate(dynamicData([]), false)), PaceTag.encryptedNonce, 'encrypted nonce');
  const nonce = decryptNonce(kPi, cipher, z);

  const mappingKey = randomScalar(curve, random);
  const mappingPcd = encodePoint(multiply(curve.Point.BASE, mappingKey, curve));
  const mappingIcBytes = answer(await exchange('mapping', generalAuthenticate(dynamicData([[PaceTag.mappingPcd, mappingPcd]]), false)),
    PaceTag.mappingIc, 'mapping data');
  const mappingIc = decodePoint(curve, mappingIcBytes, 'chip\'s PACE mapping key');
  if (sameBytes(mappingIcBytes, mappingPcd)) throw paceFailure('mapping', 'the chip returned our own mapping key');
  const { generator } = mapGenerator(curve, nonce, mappingKey, mappingIc);

  const ephemeralKey = randomScalar(curve, random);
  const ephemeralPcd = encodePoint(multiply(generator, ephemeralKey, curve));
  const ephemeralIcBytes = Uint8Array.from(answer(await exchange('key-agreement', generalAuthenticate(dynamicData([[PaceTag.ephemeralPcd, ephemeralPcd]]), false)),
    PaceTag.ephemeralIc, 'ephemeral key'));
  const ephemeralIc = decodePoint(curve, ephemeralIcBytes, 'chip\'s PACE ephemeral key');
  if (sameBytes(ephemeralIcBytes, ephemeralPcd)) throw paceFailure('key-agreement', 'the chip returned our own ephemeral key');
  const keys = deriveSessionKeys(ecdhSharedSecret(curve, ephemeralKey, ephemeralIc), cipher);

  const tokenPcd = authenticationToken(keys.ksMac, cipher, info.protocol, ephemeralIcBytes);
  const tokenIc = answer(await exchange('mutual-authentication', generalAuthenticate(dynamicData([[PaceTag.tokenPcd, tokenPcd]]), true)),
    PaceTag.tokenIc, 'authentication token');
  if (!sameBytes(tokenIc, authenticationToken(keys.ksMac, cipher, info.protocol, ephemeralPcd))) {
    throw new DeviceError('CHIP_PACE_TOKEN_INVALID',
      'The chip\'s PACE authentication token is wrong: the exchange was disturbed or the chip is not genuine. Read the document again; report it if this repeats.',
      { protocol: info.protocol });
  }

  return {
    session: new SecureMessaging(keys),
    protocol: info.protocol,
    suite: info.suite,
    curve: curve.name,
    ...(info.parameterId === undefined ? {} : { parameterId: info.parameterId }),
    password: password.kind,
    chipEphemeralPublicKey: ephemeralIcBytes,
  };
}
