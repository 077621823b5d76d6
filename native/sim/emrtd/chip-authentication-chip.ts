// The chip's side of Chip Authentication v1 (ICAO 9303-11 §6.2) for the virtual chip: the key
// pair it holds, the DG14 entries that publish it, and the answers to MSE:Set KAT (3DES keys),
// MSE:Set AT for CA and the GENERAL AUTHENTICATE after it (AES keys). The answer goes out under
// the old session; the new keys take over from the next command. The command layout is
// native/emrtd/chip-authentication.ts's.

import { encodeTlv, readTlvs, type Tlv } from '../../emrtd/ber-tlv.js';
import { CaTag, MSE_SET_AT_CA, MSE_SET_KAT } from '../../emrtd/chip-authentication.js';
import { decodeOidContent } from '../../emrtd/der.js';
import {
  decodePoint, ecAlgorithmIdentifier, ecdhSharedSecret, encodePoint, KeyAlgorithmOid, multiply, type DomainParameterEncoding, type EcDomain,
} from '../../emrtd/ec-curves.js';
import { deriveSessionKeys, INS_GENERAL_AUTHENTICATE, INS_MSE, PaceTag } from '../../emrtd/pace.js';
import { ChipSecureMessaging } from '../../emrtd/secure-messaging.js';
import {
  chipAuthenticationInfo, describeChipAuthenticationProtocol, SecurityProtocolOid, type SecurityInfo,
} from '../../emrtd/security-infos.js';
import type { CommandApdu, ResponseApdu } from '../../transport/command-apdu.js';
import { ChipStatus, status, type ChipAnswer, type ChipProtocol } from './chip-answer.js';

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

function readObjects(data: Uint8Array | undefined): Tlv[] | undefined {
  try {
    return readTlvs(data ?? new Uint8Array(0));
  } catch {
    return undefined;
  }
}

export class ChipAuthenticationChip implements ChipProtocol {
  readonly #keys: readonly ChipAuthenticationKey[];
  #selected: ChipAuthenticationKey | undefined;

  constructor(keys: readonly ChipAuthenticationKey[]) {
    for (const key of keys) {
      const suite = describeChipAuthenticationProtocol(key.protocol);
      if (suite?.keyAgreement !== 'ECDH') throw new RangeError(`${key.protocol} is not an ECDH Chip Authentication protocol`);
    }
    this.#keys = keys;
  }

  /** Answers the CA commands (under secure messaging); undefined for any other command. */
  answer(command: CommandApdu): ChipAnswer | undefined {
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

  #setKeyAgreementTemplate(command: CommandApdu): ChipAnswer {
    this.#selected = undefined;
    const objects = readObjects(command.data);
    const ephemeral = objects?.find((object) => object.tag === CaTag.ephemeralKeyKat)?.value;
    if (!objects || !ephemeral) return { response: status(ChipStatus.incorrectData) };
    const key = this.#key(objects.find((object) => object.tag === CaTag.keyReference)?.value,
      (candidate) => describeChipAuthenticationProtocol(candidate.protocol)!.cipher === '3des');
    if (!key) return { response: status(ChipStatus.referencedDataNotFound) };
    try {
      return { response: status(ChipStatus.success), secureMessaging: this.#agree(key, ephemeral) };
    } catch {
      return { response: status(ChipStatus.incorrectData) };
    }
  }

  #setAuthenticationTemplate(command: CommandApdu): ResponseApdu {
    this.#selected = undefined;
    const objects = readObjects(command.data);
    const oid = objects?.find((object) => object.tag === CaTag.protocol)?.value;
    if (!objects || !oid) return status(ChipStatus.incorrectData);
    let protocol: string;
    try {
      protocol = decodeOidContent(oid);
    } catch {
      return status(ChipStatus.incorrectData);
    }
    const key = this.#key(objects.find((object) => object.tag === CaTag.keyReference)?.value, (candidate) => candidate.protocol === protocol);
    if (!key) return status(ChipStatus.referencedDataNotFound);
    this.#selected = key;
    return status(ChipStatus.success);
  }

  #generalAuthenticate(command: CommandApdu): ChipAnswer {
    const key = this.#selected!;
    this.#selected = undefined;
    const outer = readObjects(command.data);
    const inner = outer?.length === 1 && outer[0]!.tag === PaceTag.dynamicAuthenticationData ? readObjects(outer[0]!.value) : undefined;
    const ephemeral = inner?.length === 1 && inner[0]!.tag === CaTag.ephemeralKeyGa ? inner[0]!.value : undefined;
    if (!ephemeral || command.p1 !== 0 || command.p2 !== 0) return { response: status(ChipStatus.incorrectData) };
    try {
      const secureMessaging = this.#agree(key, ephemeral);
      return { response: { data: encodeTlv(PaceTag.dynamicAuthenticationData, new Uint8Array(0)), sw: ChipStatus.success }, secureMessaging };
    } catch {
      return { response: status(ChipStatus.incorrectData) };
    }
  }
}
