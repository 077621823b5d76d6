// Chip Authentication version 1 (ICAO 9303-11 §6.2, BSI TR-03110-1 §3.1) with ECDH: the reader
// agrees fresh session keys with the chip's static key from DG14, so only a chip holding the
// private key can go on talking — a copied chip cannot. Run under the BAC/PACE session: 3DES
// suites with MSE:Set KAT (0C 22 41 A6 {91 ephemeral key, 84 key id}), AES suites with
// MSE:Set AT (22 41 A4 {80 OID, 84 key id}) + GENERAL AUTHENTICATE (7C{80 ephemeral key}).
// K = x(SK·PK_IC); KSenc = KDF(K, 1), KSmac = KDF(K, 2); secure messaging restarts at SSC 0.
// CA v1 has no token: the chip proves itself by protecting its next answer under the new keys,
// so the reader sends one confirming command (READ BINARY of one byte of EF.COM by default).
// DH keys and CA versions other than 1 are reported as unsupported, not attempted. The result
// means something only once DG14 itself has passed Passive Authentication.

import { DeviceError } from '../device-error.js';
import { swHex, type CommandApdu, type ResponseApdu } from './apdu.js';
import { encodeTlv, readTlvs, type Tlv } from './ber-tlv.js';
import { SecureChannel, type ApduTransport } from './chip-channel.js';
import { decodeOid, encodeInteger, oidContent } from './der-codec.js';
import {
  decodePoint, domainFromAlgorithmIdentifier, ecAlgorithmIdentifier, ecdhSharedSecret, encodePoint, KeyAlgorithmOid, multiply, randomScalar,
  secureRandom, type CurveName, type DomainParameterEncoding, type EcDomain, type RandomSource,
} from './ec-domain.js';
import { deriveSessionKeys, INS_GENERAL_AUTHENTICATE, INS_MSE, PaceTag } from './pace.js';
import { ChipSecureMessaging, SecureMessaging } from './secure-messaging.js';
import {
  chipAuthenticationInfo, chipAuthenticationProtocolOid, describeChipAuthenticationProtocol, infosOfType, SecurityProtocolOid,
  type ChipAuthenticationInfo, type ChipAuthenticationPublicKeyInfo, type ChipAuthenticationSuite, type SecurityInfo,
} from './security-infos.js';

export const MSE_SET_KAT = { p1: 0x41, p2: 0xa6 } as const;
export const MSE_SET_AT_CA = { p1: 0x41, p2: 0xa4 } as const;
const TAG_EPHEMERAL_KEY_KAT = 0x91;
const TAG_KEY_REFERENCE = 0x84;
const TAG_PROTOCOL = 0x80;
const TAG_EPHEMERAL_KEY_GA = 0x80;
const SW_SUCCESS = 0x9000;

/** READ BINARY, EF.COM by short file id 1E, one byte: harmless, and its answer must be protected under the new keys. */
export const DEFAULT_CONFIRMATION: CommandApdu = { cla: 0x00, ins: 0xb0, p1: 0x80 | 0x1e, p2: 0x00, le: 1 };

export interface ChipAuthenticationOptions {
  readonly random?: RandomSource;
  /** The command whose protected answer shows the chip holds the key (default: READ BINARY of EF.COM's first byte). */
  readonly confirmation?: CommandApdu;
}

export type ChipAuthenticationResult =
  | {
    readonly performed: false;
    /** not-offered: DG14 has no Chip Authentication key; unsupported: only DH keys, unknown curves or CA versions ≠ 1. */
    readonly reason: 'not-offered' | 'unsupported';
    readonly detail: string;
  }
  | {
    readonly performed: true;
    /** True when the chip answered under the new keys; false when it refused CA or failed the confirmation. */
    readonly verified: boolean;
    readonly protocol: string;
    readonly suite: ChipAuthenticationSuite;
    readonly keyId?: number;
    readonly curve: CurveName;
    /** The session to continue with: the new one, or the old one when the chip refused CA (closed when it failed the confirmation). */
    readonly session: SecureMessaging;
    readonly failure?: string;
  };

export interface ChipAuthenticationPlan {
  readonly protocol: string;
  readonly suite: ChipAuthenticationSuite;
  readonly keyId?: number;
  readonly curve: EcDomain;
  readonly chipPublicKey: Uint8Array;
}

const CIPHER_PREFERENCE = ['aes-256', 'aes-192', 'aes-128', '3des'] as const;

/**
 * The CA key and protocol to use from DG14's SecurityInfos. Without a ChipAuthenticationInfo a
 * chip means 3DES (9303-11 §9.2.5); with several keys, the info's keyId picks one.
 */
export function planChipAuthentication(dg14: readonly SecurityInfo[]): ChipAuthenticationPlan | Extract<ChipAuthenticationResult, { performed: false }> {
  const keys = infosOfType(dg14, 'ChipAuthenticationPublicKeyInfo');
  if (keys.length === 0) return { performed: false, reason: 'not-offered', detail: 'DG14 holds no Chip Authentication public key.' };
  const declared = infosOfType(dg14, 'ChipAuthenticationInfo');
  const infos: ChipAuthenticationInfo[] = declared.length > 0
    ? declared
    : keys.map((key) => chipAuthenticationInfo(chipAuthenticationProtocolOid(key.keyAgreement, '3des'), key.keyId));
  const problems: string[] = [];
  const plans: ChipAuthenticationPlan[] = [];
  for (const info of infos) {
    if (info.version !== 1) {
      problems.push(`${info.suite.name} version ${info.version} (only version 1 is supported)`);
      continue;
    }
    const key = keys.find((candidate: ChipAuthenticationPublicKeyInfo) => candidate.keyAgreement === info.suite.keyAgreement
      && (info.keyId === undefined || candidate.keyId === info.keyId));
    if (!key) {
      problems.push(`${info.suite.name}${info.keyId === undefined ? '' : ` key ${info.keyId}`}: no matching public key`);
      continue;
    }
    if (info.suite.keyAgreement !== 'ECDH') {
      problems.push(`${info.suite.name}: Diffie-Hellman Chip Authentication is not supported`);
      continue;
    }
    try {
      const curve = domainFromAlgorithmIdentifier(key.publicKey.algorithm);
      const chipPublicKey = Uint8Array.from(key.publicKey.subjectPublicKey);
      decodePoint(curve, chipPublicKey, 'Chip Authentication public key in DG14');
      const keyId = info.keyId ?? key.keyId;
      plans.push({ protocol: info.protocol, suite: info.suite, ...(keyId === undefined ? {} : { keyId }), curve, chipPublicKey });
    } catch (error) {
      problems.push(`${info.suite.name}: ${(error as Error).message}`);
    }
  }
  if (plans.length === 0) return { performed: false, reason: 'unsupported', detail: problems.join('; ') };
  const rank = (plan: ChipAuthenticationPlan) => CIPHER_PREFERENCE.indexOf(plan.suite.cipher as (typeof CIPHER_PREFERENCE)[number]);
  return plans.reduce((best, plan) => (rank(plan) < rank(best) ? plan : best));
}

function keyReference(keyId: number | undefined): Uint8Array[] {
  // DO'84' carries the key id as the INTEGER's content octets.
  return keyId === undefined ? [] : [encodeTlv(TAG_KEY_REFERENCE, encodeInteger(keyId).subarray(2))];
}

/** The commands that hand the chip our ephemeral key: MSE:Set KAT for 3DES, MSE:Set AT + GENERAL AUTHENTICATE for AES. */
export function chipAuthenticationCommands(plan: Pick<ChipAuthenticationPlan, 'protocol' | 'suite' | 'keyId'>, ephemeralPublicKey: Uint8Array): CommandApdu[] {
  if (plan.suite.cipher === '3des') {
    return [{ cla: 0x00, ins: INS_MSE, ...MSE_SET_KAT, data: Buffer.concat([encodeTlv(TAG_EPHEMERAL_KEY_KAT, ephemeralPublicKey), ...keyReference(plan.keyId)]) }];
  }
  return [
    { cla: 0x00, ins: INS_MSE, ...MSE_SET_AT_CA, data: Buffer.concat([encodeTlv(TAG_PROTOCOL, oidContent(plan.protocol)), ...keyReference(plan.keyId)]) },
    {
      cla: 0x00, ins: INS_GENERAL_AUTHENTICATE, p1: 0x00, p2: 0x00,
      data: encodeTlv(PaceTag.dynamicAuthenticationData, [encodeTlv(TAG_EPHEMERAL_KEY_GA, ephemeralPublicKey)]), le: 256,
    },
  ];
}

/**
 * Chip Authentication over the current secure messaging `session` (from BAC or PACE), with the
 * key DG14 describes. Transport failures throw; what the chip does is reported as a value.
 */
export async function performChipAuthentication(
  transport: ApduTransport, session: SecureMessaging, dg14: readonly SecurityInfo[], options: ChipAuthenticationOptions = {},
): Promise<ChipAuthenticationResult> {
  const plan = planChipAuthentication(dg14);
  if ('performed' in plan) return plan;
  const { curve, suite, protocol } = plan;
  const outcome = { performed: true as const, protocol, suite, ...(plan.keyId === undefined ? {} : { keyId: plan.keyId }), curve: curve.name };
  const ephemeralKey = randomScalar(curve, options.random ?? secureRandom);
  const ephemeralPublicKey = encodePoint(multiply(curve.Point.BASE, ephemeralKey, curve));
  const current = new SecureChannel(transport, session);
  for (const command of chipAuthenticationCommands(plan, ephemeralPublicKey)) {
    const { sw } = await current.send(command);
    if (sw !== SW_SUCCESS) {
      return { ...outcome, verified: false, session, failure: `the chip refused Chip Authentication (${swHex(sw)} to INS ${command.ins.toString(16).toUpperCase()})` };
    }
  }
  const keys = deriveSessionKeys(ecdhSharedSecret(curve, ephemeralKey, decodePoint(curve, plan.chipPublicKey, 'Chip Authentication public key')), suite.cipher);
  session.close(new DeviceError('CHIP_SM_CLOSED', 'Chip Authentication replaced this secure messaging session.'));
  const next = new SecureMessaging(keys);
  try {
    const { sw } = await new SecureChannel(transport, next).send(options.confirmation ?? DEFAULT_CONFIRMATION);
    if (!next.isOpen) {
      return { ...outcome, verified: false, session: next, failure: `the chip answered ${swHex(sw)} without secure messaging after Chip Authentication` };
    }
    return { ...outcome, verified: true, session: next };
  } catch (error) {
    if (error instanceof DeviceError && error.code.startsWith('CHIP_SM_')) {
      return { ...outcome, verified: false, session: next, failure: `the chip's answer under the new keys failed (${error.code}): it may not hold the key DG14 names` };
    }
    throw error;
  }
}

// --- the chip's side -------------------------------------------------------------------------

/** A Chip Authentication key pair as the virtual chip holds it. */
export interface ChipAuthenticationKey {
  readonly curve: EcDomain;
  readonly privateKey: bigint;
  /** id-CA-ECDH-* (its cipher decides Set KAT or Set AT + GA). */
  readonly protocol: string;
  readonly keyId?: number;
}

/** DG14's entries for `key`: ChipAuthenticationInfo and ChipAuthenticationPublicKeyInfo (explicit curve by default, as passports write it). */
export function chipAuthenticationSecurityInfos(key: ChipAuthenticationKey, encoding: DomainParameterEncoding = 'explicit'): SecurityInfo[] {
  const publicKey = encodePoint(multiply(key.curve.Point.BASE, key.privateKey, key.curve));
  return [
    chipAuthenticationInfo(key.protocol, key.keyId),
    {
      type: 'ChipAuthenticationPublicKeyInfo',
      protocol: SecurityProtocolOid.pkEcdh,
      keyAgreement: 'ECDH',
      publicKey: { algorithm: ecAlgorithmIdentifier(key.curve, encoding, KeyAlgorithmOid.ecPublicKey), subjectPublicKey: publicKey },
      ...(key.keyId === undefined ? {} : { keyId: key.keyId }),
    },
  ];
}

export interface ChipAuthenticationChipAnswer {
  readonly response: ResponseApdu;
  /** Send `response` under the current session, then switch to this one. */
  readonly secureMessaging?: ChipSecureMessaging;
}

const status = (sw: number): ResponseApdu => ({ data: new Uint8Array(0), sw });

function readObjects(data: Uint8Array | undefined): Tlv[] | undefined {
  try {
    return readTlvs(data ?? new Uint8Array(0));
  } catch {
    return undefined;
  }
}

/**
 * The chip's side of CA v1 for the virtual chip: answers MSE:Set KAT (3DES keys), MSE:Set AT
 * for CA and the GENERAL AUTHENTICATE after it (AES keys); undefined for other commands.
 */
export class ChipAuthenticationChip {
  readonly #keys: readonly ChipAuthenticationKey[];
  #selected: ChipAuthenticationKey | undefined;

  constructor(keys: readonly ChipAuthenticationKey[]) {
    for (const key of keys) {
      const suite = describeChipAuthenticationProtocol(key.protocol);
      if (suite?.keyAgreement !== 'ECDH') throw new RangeError(`${key.protocol} is not an ECDH Chip Authentication protocol`);
    }
    this.#keys = keys;
  }

  /** Whether a CA GENERAL AUTHENTICATE is expected. */
  get awaitingKey(): boolean {
    return this.#selected !== undefined;
  }

  answer(command: CommandApdu): ChipAuthenticationChipAnswer | undefined {
    if (command.ins === INS_MSE && command.p1 === MSE_SET_KAT.p1 && command.p2 === MSE_SET_KAT.p2) return this.#setKeyAgreementTemplate(command);
    if (command.ins === INS_MSE && command.p1 === MSE_SET_AT_CA.p1 && command.p2 === MSE_SET_AT_CA.p2) return { response: this.#setAuthenticationTemplate(command) };
    if (command.ins === INS_GENERAL_AUTHENTICATE && this.#selected) return this.#generalAuthenticate(command);
    return undefined;
  }

  #key(keyIdBytes: Uint8Array | undefined, accept: (key: ChipAuthenticationKey) => boolean): ChipAuthenticationKey | undefined {
    const keyId = keyIdBytes === undefined ? undefined : keyIdBytes.reduce((value, byte) => value * 256 + byte, 0);
    const candidates = this.#keys.filter((key) => accept(key) && (keyId === undefined || key.keyId === keyId));
    return candidates.length === 1 || keyId === undefined ? candidates[0] : undefined;
  }

  #agree(key: ChipAuthenticationKey, ephemeralPublicKey: Uint8Array): ChipSecureMessaging {
    const peer = decodePoint(key.curve, ephemeralPublicKey, 'reader\'s Chip Authentication key');
    const cipher = describeChipAuthenticationProtocol(key.protocol)!.cipher;
    return new ChipSecureMessaging(deriveSessionKeys(ecdhSharedSecret(key.curve, key.privateKey, peer), cipher));
  }

  #setKeyAgreementTemplate(command: CommandApdu): ChipAuthenticationChipAnswer {
    this.#selected = undefined;
    const objects = readObjects(command.data);
    const ephemeral = objects?.find((object) => object.tag === TAG_EPHEMERAL_KEY_KAT)?.value;
    if (!objects || !ephemeral) return { response: status(0x6a80) };
    const key = this.#key(objects.find((object) => object.tag === TAG_KEY_REFERENCE)?.value,
      (candidate) => describeChipAuthenticationProtocol(candidate.protocol)!.cipher === '3des');
    if (!key) return { response: status(0x6a88) };
    try {
      return { response: status(SW_SUCCESS), secureMessaging: this.#agree(key, ephemeral) };
    } catch {
      return { response: status(0x6a80) };
    }
  }

  #setAuthenticationTemplate(command: CommandApdu): ResponseApdu {
    this.#selected = undefined;
    const objects = readObjects(command.data);
    const oid = objects?.find((object) => object.tag === TAG_PROTOCOL)?.value;
    if (!objects || !oid) return status(0x6a80);
    let protocol: string;
    try {
      protocol = decodeOid(oid);
    } catch {
      return status(0x6a80);
    }
    const key = this.#key(objects.find((object) => object.tag === TAG_KEY_REFERENCE)?.value, (candidate) => candidate.protocol === protocol);
    if (!key) return status(0x6a88);
    this.#selected = key;
    return status(SW_SUCCESS);
  }

  #generalAuthenticate(command: CommandApdu): ChipAuthenticationChipAnswer {
    const key = this.#selected!;
    this.#selected = undefined;
    const outer = readObjects(command.data);
    const inner = outer?.length === 1 && outer[0]!.tag === PaceTag.dynamicAuthenticationData ? readObjects(outer[0]!.value) : undefined;
    const ephemeral = inner?.length === 1 && inner[0]!.tag === TAG_EPHEMERAL_KEY_GA ? inner[0]!.value : undefined;
    if (!ephemeral || command.p1 !== 0 || command.p2 !== 0) return { response: status(0x6a80) };
    try {
      const secureMessaging = this.#agree(key, ephemeral);
      return { response: { data: encodeTlv(PaceTag.dynamicAuthenticationData, new Uint8Array(0)), sw: SW_SUCCESS }, secureMessaging };
    } catch {
      return { response: status(0x6a80) };
    }
  }
}
