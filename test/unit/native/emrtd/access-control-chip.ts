// A virtual chip for the PACE, Chip Authentication and Active Authentication tests: plain
// commands until PACE succeeds, secure messaging after (and new keys after CA), composed from
// the chip-side pieces the simulator will use. A fault in secure messaging answers 6987/6988
// in plain and drops the session, as 9303-11 §9.8.4 asks.

import { decodeCommand, encodeResponse, type CommandApdu, type ResponseApdu } from '../../../../native/emrtd/apdu.js';
import type { ActiveAuthenticationChip } from '../../../../native/emrtd/active-authentication.js';
import type { ChipAuthenticationChip } from '../../../../native/emrtd/chip-authentication.js';
import type { ApduTransport } from '../../../../native/emrtd/chip-channel.js';
import { ChipFileSystem, type ChipFile } from '../../../../native/emrtd/chip-file-system.js';
import type { PaceChip } from '../../../../native/emrtd/pace-chip.js';
import { chipStatusForSmError, type ChipSecureMessaging } from '../../../../native/emrtd/secure-messaging.js';

export interface AccessControlChipParts {
  readonly pace?: PaceChip;
  readonly chipAuthentication?: ChipAuthenticationChip;
  readonly activeAuthentication?: ActiveAuthenticationChip;
  readonly files?: readonly ChipFile[];
}

export class AccessControlTestChip implements ApduTransport {
  readonly commands: Uint8Array[] = [];
  readonly #parts: AccessControlChipParts;
  readonly #files: ChipFileSystem;
  #sm: ChipSecureMessaging | undefined;

  constructor(parts: AccessControlChipParts) {
    this.#parts = parts;
    this.#files = new ChipFileSystem(parts.files ?? []);
  }

  get secureMessaging(): ChipSecureMessaging | undefined {
    return this.#sm;
  }

  async transmit(bytes: Uint8Array): Promise<Uint8Array> {
    this.commands.push(Uint8Array.from(bytes));
    const sm = this.#sm;
    if (sm && (bytes[0]! & 0x0c) === 0x0c) {
      let command: CommandApdu;
      try {
        command = sm.unprotectCommand(bytes);
      } catch (error) {
        this.#sm = undefined;
        return encodeResponse({ data: new Uint8Array(0), sw: chipStatusForSmError(error) });
      }
      const { response, secureMessaging } = this.#answer(command, true);
      const protectedResponse = sm.protectResponse(response);
      if (secureMessaging) this.#sm = secureMessaging;
      return protectedResponse;
    }
    this.#sm = undefined;
    const { response, secureMessaging } = this.#answer(decodeCommand(bytes), false);
    this.#sm = secureMessaging;
    return encodeResponse(response);
  }

  #answer(command: CommandApdu, accessControl: boolean): { response: ResponseApdu; secureMessaging?: ChipSecureMessaging } {
    const { pace, chipAuthentication, activeAuthentication } = this.#parts;
    if (!accessControl) {
      const answer = pace?.answer(command);
      if (answer) return answer;
    } else {
      const answer = chipAuthentication?.answer(command) ?? activeAuthentication?.answer(command);
      if (answer) return answer;
    }
    return { response: this.#files.answer(command, { accessControl }) };
  }
}
