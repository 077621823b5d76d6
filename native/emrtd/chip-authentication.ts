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
import type { ApduTransport } from '../transport/apdu-transport.js';
import { SW_SUCCESS, swHex, type CommandApdu } from '../transport/command-apdu.js';
import { encodeTlv } from './ber-tlv.js';
import { SecureChannel } from './chip-channel.js';
import { CIPHER_PREFERENCE, secureRandom, type RandomSource } from './chip-crypto.js';
import { encodeInteger, oidContent } from './der.js';
import {
  decodePoint, domainFromAlgorithmIdentifier, ecdhSharedSecret, encodePoint, multiply, randomScalar, type CurveName, type EcDomain,
} from './ec-curves.js';
import { deriveSessionKeys, INS_GENERAL_AUTHENTICATE, INS_MSE, PaceTag } from './pace.js';
import { SecureMessaging } from './secure-messaging.js';
import {
  chipAuthenticationInfo, chipAuthenticationProtocolOid, infosOfType, type ChipAuthenticationInfo, type ChipAuthenticationPublicKeyInfo,
  type ChipAuthenticationSuite, type SecurityInfo,
} from './security-infos.js';

export const MSE_SET_KAT = { p1: 0x41, p2: 0xa6 } as const;
export const MSE_SET_AT_CA = { p1: 0x41, p2: 0xa4 } as const;

/** The data objects of the CA commands: in MSE:Set KAT, in MSE:Set AT, inside GENERAL AUTHENTICATE's 7C. */
export const CaTag = { ephemeralKeyKat: 0x91, keyReference: 0x84, protocol: 0x80, ephemeralKeyGa: 0x80 } as const;

/** READ BINARY, EF.COM by short file id 1E, one byte: harmless, and its answer must be protected under the new keys. */
export const DEFAULT_CONFIRMATION: CommandApdu = { cla: 0x00, ins: 0xb0, p1: 0x80 | 0x1e, p2: 0x00, ne: 1 };

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
  const rank = (plan: ChipAuthenticationPlan) => CIPHER_PREFERENCE.indexOf(plan.suite.cipher);
  return plans.reduce((best, plan) => (rank(plan) < rank(best) ? plan : best));
}

function keyReference(keyId: number | undefined): Uint8Array[] {
  // DO'84' carries the key id as the INTEGER's content octets.
  return keyId === undefined ? [] : [encodeTlv(CaTag.keyReference, encodeInteger(keyId).subarray(2))];
}

/** The commands that hand the chip our ephemeral key: MSE:Set KAT for 3DES, MSE:Set AT + GENERAL AUTHENTICATE for AES. */
export function chipAuthenticationCommands(plan: Pick<ChipAuthenticationPlan, 'protocol' | 'suite' | 'keyId'>, ephemeralPublicKey: Uint8Array): CommandApdu[] {
  if (plan.suite.cipher === '3des') {
    return [{ cla: 0x00, ins: INS_MSE, ...MSE_SET_KAT, data: Buffer.concat([encodeTlv(CaTag.ephemeralKeyKat, ephemeralPublicKey), ...keyReference(plan.keyId)]) }];
  }
  return [
    { cla: 0x00, ins: INS_MSE, ...MSE_SET_AT_CA, data: Buffer.concat([encodeTlv(CaTag.protocol, oidContent(plan.protocol)), ...keyReference(plan.keyId)]) },
    {
      cla: 0x00, ins: INS_GENERAL_AUTHENTICATE, p1: 0x00, p2: 0x00,
      data: encodeTlv(PaceTag.dynamicAuthenticationData, [encodeTlv(CaTag.ephemeralKeyGa, ephemeralPublicKey)]), ne: 256,
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
