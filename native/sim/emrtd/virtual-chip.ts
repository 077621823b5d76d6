// A virtual eMRTD chip: the master file with EF.CardAccess, the eMRTD application with the
// passport's files, BAC and PACE, secure messaging on every command after access control, Chip
// and Active Authentication when it holds their keys. It is a VirtualCard (vpcd-card.ts puts it
// behind real PC/SC) and an ApduTransport (unit tests talk to it in process).
//
// It answers as a chip does (9303-11 §9.8): a protected command that fails its checks gets a
// plain 6987/6988 and ends the session; a plain command during secure messaging ends it too and
// is answered in plain; a wrong MRZ or CAN gets 6300 at the step that proves it. Nothing a
// reader sends makes transmit() throw: a command it cannot read gets 6700, one with an unknown
// class 6E00, any fault inside 6F00. The one exception is a simulated pull (`removal`): from
// then on transmit() rejects with PCSC_CARD_REMOVED, as the PC/SC transport does, and
// `removed` resolves so the vpcd emulator takes the card out of the reader.
// virtualChip() makes the chip of a named scenario (CHIP_SCENARIOS) from the test PKI.

import { DeviceError } from '../../device-error.js';
import type { MrzAccessFields } from '../../emrtd/bac.js';
import { secureRandom, type RandomSource, type SmCipher } from '../../emrtd/chip-crypto.js';
import type { CurveName } from '../../emrtd/ec-curves.js';
import { DATA_GROUP_FILES } from '../../emrtd/lds/lds-files.js';
import { chipStatusForSmError, type ChipSecureMessaging } from '../../emrtd/secure-messaging.js';
import type { SecurityInfo } from '../../emrtd/security-infos.js';
import type { ApduTransport } from '../../transport/apdu-transport.js';
import { encodeResponseApdu, parseCommandApdu, type CommandApdu } from '../../transport/command-apdu.js';
import type { VirtualCard } from '../vpcd-card.js';
import { ActiveAuthenticationChip, type ActiveAuthenticationKey } from './active-authentication-chip.js';
import { BacChip } from './bac-chip.js';
import { ChipStatus, status, type ChipAnswer, type ChipProtocol } from './chip-answer.js';
import { ChipAuthenticationChip, type ChipAuthenticationKey } from './chip-authentication-chip.js';
import { ChipFileSystem, type ChipFile } from './chip-file-system.js';
import { PaceChip } from './pace-chip.js';
import type { TestDocumentSignerName, TestPki } from './test-pki.js';
import type { TestPortrait } from './test-portrait.js';
import { personalisePassport } from './virtual-passport.js';

/** What a PC/SC reader synthesises for an ISO 14443-4 Type A chip without historical bytes (T=1). */
export const CONTACTLESS_CHIP_ATR = Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01);

export interface VirtualChipConfig {
  /** The master file's and the eMRTD application's files. */
  readonly files: readonly ChipFile[];
  /** The MRZ fields that open the chip with BAC; absent for a chip that only speaks PACE. */
  readonly bac?: MrzAccessFields;
  /** PACE as EF.CardAccess announces it, with the passwords the chip takes; absent for a BAC-only chip. */
  readonly pace?: { readonly cardAccess: readonly SecurityInfo[]; readonly mrz?: MrzAccessFields; readonly can?: string };
  readonly chipAuthenticationKeys?: readonly ChipAuthenticationKey[];
  readonly activeAuthenticationKey?: ActiveAuthenticationKey;
  /** The card leaves the reader when a READ BINARY of this file reaches this offset. */
  readonly removal?: { readonly fileId: number; readonly offset: number };
  readonly atr?: Uint8Array;
  readonly random?: RandomSource;
  readonly description?: string;
}

/** CLA bits a chip accepts: command chaining (PACE) and secure messaging; everything else is another class. */
const KNOWN_CLA_BITS = 0x10 | 0x0c;
const SM_CLA_BITS = 0x0c;
const SW_SM_NOT_SUPPORTED = 0x6882;

interface Protocols {
  readonly files: ChipFileSystem;
  /** Answer plain commands: access control. */
  readonly beforeAccess: readonly ChipProtocol[];
  /** Answer protected commands: Chip and Active Authentication. */
  readonly afterAccess: readonly ChipProtocol[];
}

export class VirtualChip implements VirtualCard, ApduTransport {
  readonly description: string;
  readonly atr: Uint8Array;
  /** Resolves when the card leaves the reader by itself (the `removal` of its configuration). */
  readonly removed: Promise<void>;
  readonly #config: VirtualChipConfig;
  readonly #random: RandomSource;
  #protocols: Protocols;
  #session: ChipSecureMessaging | undefined;
  #gone = false;
  #signalRemoved: () => void = () => undefined;

  constructor(config: VirtualChipConfig) {
    this.#config = config;
    this.#random = config.random ?? secureRandom;
    this.description = config.description ?? 'virtual eMRTD chip';
    this.atr = config.atr ?? CONTACTLESS_CHIP_ATR;
    this.removed = new Promise((resolve) => {
      this.#signalRemoved = resolve;
    });
    this.#protocols = this.#freshProtocols();
  }

  /** Power up: nothing selected, no session, no half-run protocol. */
  powerOn(): void {
    this.reset();
  }

  powerOff(): void {
    this.reset();
  }

  reset(): void {
    this.#session = undefined;
    this.#protocols = this.#freshProtocols();
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    if (this.#gone) throw this.#removedError();
    try {
      return this.#respond(apdu);
    } catch (error) {
      if (this.#gone) throw error;
      this.#session = undefined;
      return encodeResponseApdu(status(ChipStatus.noPreciseDiagnosis));
    }
  }

  #freshProtocols(): Protocols {
    const { files, bac, pace, chipAuthenticationKeys, activeAuthenticationKey } = this.#config;
    const random = this.#random;
    return {
      files: new ChipFileSystem(files),
      beforeAccess: [
        ...(pace ? [new PaceChip({ ...pace, random })] : []),
        ...(bac ? [new BacChip(bac, { random })] : []),
      ],
      afterAccess: [
        ...(chipAuthenticationKeys ? [new ChipAuthenticationChip(chipAuthenticationKeys)] : []),
        ...(activeAuthenticationKey ? [new ActiveAuthenticationChip(activeAuthenticationKey, random)] : []),
      ],
    };
  }

  #respond(bytes: Uint8Array): Uint8Array {
    if (bytes.length < 4) return encodeResponseApdu(status(ChipStatus.wrongLength));
    const session = this.#session;
    if ((bytes[0]! & ~KNOWN_CLA_BITS) !== 0) return encodeResponseApdu(status(ChipStatus.claNotSupported));
    if ((bytes[0]! & SM_CLA_BITS) === SM_CLA_BITS) {
      if (!session) return encodeResponseApdu(status(SW_SM_NOT_SUPPORTED));
      let command: CommandApdu;
      try {
        command = session.unprotectCommand(bytes);
      } catch (error) {
        this.#session = undefined;
        return encodeResponseApdu(status(chipStatusForSmError(error)));
      }
      const answer = this.#answer(command, true);
      const response = session.protectResponse(answer.response);
      if (answer.secureMessaging) this.#session = answer.secureMessaging;
      return response;
    }
    this.#session = undefined;
    let command: CommandApdu;
    try {
      command = parseCommandApdu(bytes);
    } catch {
      return encodeResponseApdu(status(ChipStatus.wrongLength));
    }
    const answer = this.#answer(command, false);
    this.#session = answer.secureMessaging;
    return encodeResponseApdu(answer.response);
  }

  /** The answer of the protocol that knows `command`, else of the file system. */
  #answer(command: CommandApdu, afterAccessControl: boolean): ChipAnswer {
    const { files, beforeAccess, afterAccess } = this.#protocols;
    for (const protocol of afterAccessControl ? afterAccess : beforeAccess) {
      const answer = protocol.answer(command);
      if (answer) return answer;
    }
    const removal = this.#config.removal;
    const target = removal && files.readTarget(command);
    if (removal && target?.fileId === removal.fileId && target.offset >= removal.offset) {
      this.#gone = true;
      this.#session = undefined;
      this.#signalRemoved();
      throw this.#removedError();
    }
    return { response: files.answer(command, { accessControl: afterAccessControl }) };
  }

  #removedError(): DeviceError {
    return new DeviceError('PCSC_CARD_REMOVED',
      `The card (${this.description}) was removed or lost contact during an APDU exchange. Keep the document still on the reader `
      + 'and read it again.', { reader: this.description, during: 'an APDU exchange' });
  }
}

/** The passports the simulator offers. */
export const CHIP_SCENARIOS = [
  'valid', 'altered-dg1', 'rogue-ds', 'expired-ds', 'unknown-csca', 'no-pace', 'can-only', 'removed-mid-read',
] as const;

export type ChipScenario = (typeof CHIP_SCENARIOS)[number];

/** The card access number printed on the simulated cards. */
export const VIRTUAL_CHIP_CAN = '123456';

/** The scenario named `text`; SIM_SCENARIO_UNKNOWN for any other. */
export function chipScenario(text: string): ChipScenario {
  const found = CHIP_SCENARIOS.find((name) => name === text);
  if (!found) {
    throw new DeviceError('SIM_SCENARIO_UNKNOWN', `Unknown chip simulator scenario "${text}"; use one of: ${CHIP_SCENARIOS.join(', ')}.`, { scenario: text });
  }
  return found;
}

export interface VirtualChipOptions {
  readonly pki: TestPki;
  /** The printed MRZ lines the chip's DG1 and keys follow. */
  readonly mrz: readonly string[];
  /** JPEG or JPEG 2000; the drawn portrait by default. */
  readonly portrait?: TestPortrait;
  /** The time the passport is issued around; the PKI's time by default. */
  readonly now?: Date;
  /** PACE's curve and cipher: brainpoolP256r1 and AES-128 by default (ignored by no-pace). */
  readonly pace?: { readonly curve?: CurveName; readonly cipher?: SmCipher };
  /** The anti-cloning protocol the chip offers: Chip Authentication (DG14, the default) or Active Authentication (DG15). */
  readonly cloneCheck?: 'chip-authentication' | 'active-authentication';
  /** The Document Signer of the valid and altered-dg1 passports (RSA, RSA-PSS, brainpool …); P-256 by default. */
  readonly signer?: TestDocumentSignerName;
  readonly random?: RandomSource;
}

/**
 * The chip of `scenario`: valid (PACE, BAC, Chip Authentication), altered-dg1, rogue-ds,
 * expired-ds and unknown-csca (the same chip with another EF.SOD), no-pace (BAC only, no
 * EF.CardAccess), can-only (PACE with the CAN only: the MRZ is refused), removed-mid-read (the
 * card leaves the reader while DG2 is read). Ready to be attached to vpcd or read in process.
 */
export function virtualChip(scenario: ChipScenario, options: VirtualChipOptions): VirtualChip {
  const signing = scenario === 'altered-dg1' || scenario === 'rogue-ds' || scenario === 'expired-ds' || scenario === 'unknown-csca' ? scenario : 'valid';
  const pace = scenario === 'no-pace' ? null : { curve: options.pace?.curve ?? 'brainpoolP256r1', cipher: options.pace?.cipher ?? 'aes-128' };
  const personalisation = personalisePassport({
    pki: options.pki, mrz: options.mrz, signing, pace, cloneCheck: options.cloneCheck ?? 'chip-authentication',
    ...(options.portrait ? { portrait: options.portrait } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.signer ? { signer: options.signer } : {}),
  });
  const { files, accessFields, cardAccess, chipAuthenticationKeys, activeAuthenticationKey } = personalisation;
  const canOnly = scenario === 'can-only';
  return new VirtualChip({
    files,
    description: `virtual eMRTD chip (${scenario})`,
    ...(canOnly ? {} : { bac: accessFields }),
    ...(pace ? { pace: { cardAccess, ...(canOnly ? { can: VIRTUAL_CHIP_CAN } : { mrz: accessFields, can: VIRTUAL_CHIP_CAN }) } } : {}),
    ...(chipAuthenticationKeys ? { chipAuthenticationKeys } : {}),
    ...(activeAuthenticationKey ? { activeAuthenticationKey } : {}),
    ...(scenario === 'removed-mid-read' ? { removal: { fileId: DATA_GROUP_FILES[1]!.fid, offset: 1024 } } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
}
