// The chip's side of Basic Access Control (ICAO 9303-11 §4.3) for the virtual chip: GET
// CHALLENGE answered with RND.IC, EXTERNAL AUTHENTICATE with the chip's cryptogram, or 6300 when
// the reader's cryptogram fails (a wrong MRZ), as real chips do. A challenge serves one EXTERNAL
// AUTHENTICATE only. The computations both sides make are native/emrtd/bac.ts's.

import {
  bacCryptogram, bacKeys, bacSessionKeys, CRYPTOGRAM_LENGTH, INS_EXTERNAL_AUTHENTICATE, INS_GET_CHALLENGE, openBacCryptogram,
  type BacKeys, type MrzAccessFields,
} from '../../emrtd/bac.js';
import { sameBytes, secureRandom, type RandomSource } from '../../emrtd/chip-crypto.js';
import { ChipSecureMessaging } from '../../emrtd/secure-messaging.js';
import type { CommandApdu, ResponseApdu } from '../../transport/command-apdu.js';
import { ChipStatus, status, type ChipAnswer, type ChipProtocol } from './chip-answer.js';

export class BacChip implements ChipProtocol {
  readonly #keys: BacKeys;
  readonly #random: RandomSource;
  #rndIc: Uint8Array | undefined;

  constructor(fields: MrzAccessFields, { random = secureRandom }: { random?: RandomSource } = {}) {
    this.#keys = bacKeys(fields);
    this.#random = random;
  }

  /** Answers GET CHALLENGE and EXTERNAL AUTHENTICATE (plain commands); undefined for any other command. */
  answer(command: CommandApdu): ChipAnswer | undefined {
    if (command.ins === INS_GET_CHALLENGE) return { response: this.#challenge(command) };
    if (command.ins === INS_EXTERNAL_AUTHENTICATE) return this.#authenticate(command);
    return undefined;
  }

  #challenge(command: CommandApdu): ResponseApdu {
    if (command.p1 !== 0 || command.p2 !== 0) return status(ChipStatus.incorrectP1P2);
    if (command.ne !== 8 || (command.data?.length ?? 0) > 0) return status(ChipStatus.wrongLength);
    this.#rndIc = this.#random(8);
    return { data: Uint8Array.from(this.#rndIc), sw: ChipStatus.success };
  }

  #authenticate(command: CommandApdu): ChipAnswer {
    const rndIc = this.#rndIc;
    this.#rndIc = undefined;
    if (command.p1 !== 0 || command.p2 !== 0) return { response: status(ChipStatus.incorrectP1P2) };
    if (!rndIc) return { response: status(ChipStatus.conditionsNotSatisfied) };
    if (command.data?.length !== CRYPTOGRAM_LENGTH) return { response: status(ChipStatus.wrongLength) };
    const s = openBacCryptogram(this.#keys, command.data);
    if (!s || !sameBytes(s.subarray(8, 16), rndIc)) return { response: status(ChipStatus.authenticationFailed) };
    const rndIfd = s.subarray(0, 8);
    const kIc = this.#random(16);
    return {
      response: { data: bacCryptogram(this.#keys, Buffer.concat([rndIc, rndIfd, kIc])), sw: ChipStatus.success },
      secureMessaging: new ChipSecureMessaging(bacSessionKeys(s.subarray(16, 32), kIc, rndIc, rndIfd)),
    };
  }
}
