// The chip's side of PACE (ICAO 9303-11 §4.4) for the virtual chip: answers MSE:Set AT and the
// four GENERAL AUTHENTICATE steps for the passwords one document has, and hands back a chip
// secure messaging session (SSC 0) once the reader's token checks out. Like a real chip it
// cannot tell a wrong MRZ or CAN before the last step, where the reader's token fails: 6300.
// Any protocol fault (wrong order, chaining bit, malformed data) resets it to "no PACE".
// Supports what pace.ts supports: ECDH with generic mapping, every cipher, every curve. It sits
// with the simulator; the computations both sides make are pace.ts's.

import type { MrzAccessFields } from '../../emrtd/bac.js';
import { encodeTlv, readTlvs, type Tlv } from '../../emrtd/ber-tlv.js';
import { blockSize, sameBytes, secureRandom, type RandomSource, type SmCipher } from '../../emrtd/chip-crypto.js';
import { decodeOidContent } from '../../emrtd/der.js';
import { decodePoint, ecdhSharedSecret, encodePoint, multiply, randomScalar, type EcDomain, type EcPoint } from '../../emrtd/ec-curves.js';
import {
  authenticationToken, CLA_CHAINING, deriveSessionKeys, encryptNonce, INS_GENERAL_AUTHENTICATE, INS_MSE, mapGenerator, MSE_SET_AT_PACE,
  paceDomain, PaceTag, passwordKey, PasswordReference, type PacePassword, type PasswordKind,
} from '../../emrtd/pace.js';
import { ChipSecureMessaging, type SessionKeys } from '../../emrtd/secure-messaging.js';
import { infosOfType, type PaceInfo, type SecurityInfo } from '../../emrtd/security-infos.js';
import type { CommandApdu, ResponseApdu } from '../../transport/command-apdu.js';
import { ChipStatus, status, type ChipAnswer, type ChipProtocol } from './chip-answer.js';

export interface PaceChipOptions {
  /** What the chip's EF.CardAccess lists (PACEInfos and any PACEDomainParameterInfos). */
  readonly cardAccess: readonly SecurityInfo[];
  /** The passwords this document accepts: the MRZ's access fields and/or the CAN. */
  readonly mrz?: MrzAccessFields;
  readonly can?: string;
  readonly random?: RandomSource;
  /** Bytes of the nonce s (default 16, whole blocks for every cipher). */
  readonly nonceLength?: number;
}

interface Selected {
  readonly info: PaceInfo;
  readonly curve: EcDomain;
  readonly cipher: SmCipher;
  readonly kPi: Uint8Array;
}

type Progress =
  | { readonly step: 'idle' }
  | { readonly step: 'selected'; readonly selected: Selected }
  | { readonly step: 'nonce-sent'; readonly selected: Selected; readonly nonce: Uint8Array }
  | { readonly step: 'mapped'; readonly selected: Selected; readonly generator: EcPoint }
  | {
    readonly step: 'agreed'; readonly selected: Selected; readonly keys: Required<SessionKeys>;
    readonly ephemeralIc: Uint8Array; readonly ephemeralPcd: Uint8Array;
  };

class ProtocolFault extends Error {
  constructor(readonly sw: number, reason: string) {
    super(reason);
  }
}

/** The single DO inside 7C that a GENERAL AUTHENTICATE step carries (or none for step 1). */
function dynamicObject(command: CommandApdu, tag: number | undefined): Uint8Array {
  let outer: Tlv[];
  try {
    outer = readTlvs(command.data ?? new Uint8Array(0));
  } catch {
    throw new ProtocolFault(ChipStatus.incorrectData, 'unreadable data');
  }
  if (outer.length !== 1 || outer[0]!.tag !== PaceTag.dynamicAuthenticationData) throw new ProtocolFault(ChipStatus.incorrectData, 'no 7C');
  let inner: Tlv[];
  try {
    inner = readTlvs(outer[0]!.value);
  } catch {
    throw new ProtocolFault(ChipStatus.incorrectData, 'unreadable 7C');
  }
  if (tag === undefined) {
    if (inner.length !== 0) throw new ProtocolFault(ChipStatus.incorrectData, 'step 1 carries data');
    return new Uint8Array(0);
  }
  if (inner.length !== 1 || inner[0]!.tag !== tag) throw new ProtocolFault(ChipStatus.incorrectData, `no ${tag.toString(16)} in 7C`);
  return inner[0]!.value;
}

function answerData(tag: number, value: Uint8Array): ResponseApdu {
  return { data: encodeTlv(PaceTag.dynamicAuthenticationData, [encodeTlv(tag, value)]), sw: ChipStatus.success };
}

export class PaceChip implements ChipProtocol {
  readonly #cardAccess: readonly SecurityInfo[];
  readonly #passwords: Partial<Record<PasswordKind, PacePassword>>;
  readonly #random: RandomSource;
  readonly #nonceLength: number;
  #progress: Progress = { step: 'idle' };

  constructor({ cardAccess, mrz, can, random = secureRandom, nonceLength = 16 }: PaceChipOptions) {
    this.#cardAccess = cardAccess;
    this.#passwords = {
      ...(mrz ? { mrz: { kind: 'mrz', fields: mrz } } : {}),
      ...(can ? { can: { kind: 'can', can } } : {}),
    };
    this.#random = random;
    if (nonceLength % 16 !== 0 || nonceLength === 0) throw new RangeError(`PACE nonce of ${nonceLength} bytes`);
    this.#nonceLength = nonceLength;
  }

  /** Whether a PACE run is in progress (GENERAL AUTHENTICATE is then this object's to answer). */
  get inProgress(): boolean {
    return this.#progress.step !== 'idle';
  }

  /**
   * Answers MSE:Set AT for PACE (P1 P2 = C1 A4) and GENERAL AUTHENTICATE while a PACE run is
   * in progress; undefined for any other command (MSE for Chip Authentication, GA for CA …).
   */
  answer(command: CommandApdu): ChipAnswer | undefined {
    if (command.ins === INS_MSE && command.p1 === MSE_SET_AT_PACE.p1 && command.p2 === MSE_SET_AT_PACE.p2) {
      return { response: this.#setAuthenticationTemplate(command) };
    }
    if (command.ins === INS_GENERAL_AUTHENTICATE && this.inProgress) return this.#generalAuthenticate(command);
    return undefined;
  }

  #setAuthenticationTemplate(command: CommandApdu): ResponseApdu {
    this.#progress = { step: 'idle' };
    let objects: Tlv[];
    try {
      objects = readTlvs(command.data ?? new Uint8Array(0));
    } catch {
      return status(ChipStatus.incorrectData);
    }
    const find = (tag: number) => objects.find((object) => object.tag === tag)?.value;
    const known: readonly number[] = [PaceTag.protocol, PaceTag.passwordReference, PaceTag.parameterId];
    if (objects.some((object) => !known.includes(object.tag))) return status(ChipStatus.incorrectData);
    const oid = find(PaceTag.protocol);
    const reference = find(PaceTag.passwordReference);
    const parameterId = find(PaceTag.parameterId);
    if (!oid || reference?.length !== 1 || (parameterId && parameterId.length !== 1)) return status(ChipStatus.incorrectData);
    let protocol: string;
    try {
      protocol = decodeOidContent(oid);
    } catch {
      return status(ChipStatus.incorrectData);
    }
    const info = infosOfType(this.#cardAccess, 'PACEInfo').find((candidate) => candidate.protocol === protocol
      && (parameterId === undefined || candidate.parameterId === parameterId[0]));
    if (!info || info.suite.keyAgreement !== 'ECDH' || info.suite.mapping !== 'GM') return status(ChipStatus.incorrectData);
    const kind = (Object.keys(PasswordReference) as PasswordKind[]).find((name) => PasswordReference[name] === reference[0]);
    const password = kind ? this.#passwords[kind] : undefined;
    if (!password) return status(ChipStatus.referencedDataNotFound);
    let curve: EcDomain;
    try {
      curve = paceDomain(info, this.#cardAccess);
    } catch {
      return status(ChipStatus.incorrectData);
    }
    const { cipher } = info.suite;
    this.#progress = { step: 'selected', selected: { info, curve, cipher, kPi: passwordKey(password, cipher) } };
    return status(ChipStatus.success);
  }

  #generalAuthenticate(command: CommandApdu): ChipAnswer {
    const progress = this.#progress;
    try {
      if (command.p1 !== 0 || command.p2 !== 0) throw new ProtocolFault(ChipStatus.incorrectP1P2, 'P1 P2');
      const last = progress.step === 'agreed';
      if (((command.cla & CLA_CHAINING) !== 0) === last) throw new ProtocolFault(ChipStatus.conditionsNotSatisfied, 'chaining bit');
      switch (progress.step) {
        case 'selected': return { response: this.#sendNonce(progress.selected, command) };
        case 'nonce-sent': return { response: this.#map(progress.selected, progress.nonce, command) };
        case 'mapped': return { response: this.#agree(progress.selected, progress.generator, command) };
        case 'agreed': return this.#authenticate(progress, command);
        case 'idle': throw new ProtocolFault(ChipStatus.conditionsNotSatisfied, 'no PACE selected');
      }
    } catch (error) {
      this.#progress = { step: 'idle' };
      if (error instanceof ProtocolFault) return { response: status(error.sw) };
      // A reader's invalid point and the like: the chip refuses the data.
      return { response: status(ChipStatus.incorrectData) };
    }
  }

  #sendNonce(selected: Selected, command: CommandApdu): ResponseApdu {
    dynamicObject(command, undefined);
    const nonce = Uint8Array.from(this.#random(this.#nonceLength));
    if (nonce.length !== this.#nonceLength || nonce.length % blockSize(selected.cipher) !== 0) throw new RangeError('random source gave a short nonce');
    this.#progress = { step: 'nonce-sent', selected, nonce };
    return answerData(PaceTag.encryptedNonce, encryptNonce(selected.kPi, selected.cipher, nonce));
  }

  #map(selected: Selected, nonce: Uint8Array, command: CommandApdu): ResponseApdu {
    const { curve } = selected;
    const mappingPcdBytes = dynamicObject(command, PaceTag.mappingPcd);
    const mappingPcd = decodePoint(curve, mappingPcdBytes, 'reader\'s mapping key');
    const mappingKey = randomScalar(curve, this.#random);
    const mappingIc = encodePoint(multiply(curve.Point.BASE, mappingKey, curve));
    if (sameBytes(mappingIc, mappingPcdBytes)) throw new ProtocolFault(ChipStatus.incorrectData, 'reader echoed the mapping key');
    const { generator } = mapGenerator(curve, nonce, mappingKey, mappingPcd);
    this.#progress = { step: 'mapped', selected, generator };
    return answerData(PaceTag.mappingIc, mappingIc);
  }

  #agree(selected: Selected, generator: EcPoint, command: CommandApdu): ResponseApdu {
    const { curve, cipher } = selected;
    const ephemeralPcd = Uint8Array.from(dynamicObject(command, PaceTag.ephemeralPcd));
    const peer = decodePoint(curve, ephemeralPcd, 'reader\'s ephemeral key');
    const ephemeralKey = randomScalar(curve, this.#random);
    const ephemeralIc = encodePoint(multiply(generator, ephemeralKey, curve));
    if (sameBytes(ephemeralIc, ephemeralPcd)) throw new ProtocolFault(ChipStatus.incorrectData, 'reader echoed the ephemeral key');
    const keys = deriveSessionKeys(ecdhSharedSecret(curve, ephemeralKey, peer), cipher);
    this.#progress = { step: 'agreed', selected, keys, ephemeralIc, ephemeralPcd };
    return answerData(PaceTag.ephemeralIc, ephemeralIc);
  }

  #authenticate(progress: Extract<Progress, { step: 'agreed' }>, command: CommandApdu): ChipAnswer {
    const { selected: { info, cipher }, keys, ephemeralIc, ephemeralPcd } = progress;
    const tokenPcd = dynamicObject(command, PaceTag.tokenPcd);
    const expected = authenticationToken(keys.ksMac, cipher, info.protocol, ephemeralIc);
    this.#progress = { step: 'idle' };
    if (!sameBytes(tokenPcd, expected)) return { response: status(ChipStatus.authenticationFailed) };
    return {
      response: answerData(PaceTag.tokenIc, authenticationToken(keys.ksMac, cipher, info.protocol, ephemeralPcd)),
      secureMessaging: new ChipSecureMessaging(keys),
    };
  }
}
