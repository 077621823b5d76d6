// How eMRTD protocol code sends a command to the chip: in plain (before access control, or
// BAC and PACE themselves) or through secure messaging. Access control (BAC, PACE) produces
// the SecureMessaging; the file-reading session takes whichever channel it is given and never
// learns which protocol opened it.

import { DeviceError } from '../device-error.js';
import type { ApduTransport } from '../transport/apdu-transport.js';
import { encodeCommandApdu, parseResponseApdu, type CommandApdu, type ResponseApdu } from '../transport/command-apdu.js';
import type { SecureMessaging } from './secure-messaging.js';

export interface SendOptions {
  /** Send in extended-length form even where the short form would do. */
  readonly extended?: boolean;
}

/** Where a protocol sends commands: the response comes back plain whatever the protection. */
export interface ChipChannel {
  /** True when commands travel under secure messaging. */
  readonly secure: boolean;
  /** The most response data bytes a short command can bring back on this channel. */
  readonly maxShortResponseLength: number;
  /** False once secure messaging has ended (an SM error, a plain answer from the chip, a transport failure). */
  readonly isOpen: boolean;
  send(command: CommandApdu, options?: SendOptions): Promise<ResponseApdu>;
}

/** Commands as they are, before any access control. */
export class PlainChannel implements ChipChannel {
  readonly secure = false;
  readonly maxShortResponseLength = 256;
  readonly isOpen = true;

  constructor(readonly transport: ApduTransport) {}

  async send(command: CommandApdu, options: SendOptions = {}): Promise<ResponseApdu> {
    return parseResponseApdu(await this.transport.transmit(encodeCommandApdu(command, options)));
  }
}

/** Commands protected by a secure messaging session (after BAC or PACE). */
export class SecureChannel implements ChipChannel {
  readonly secure = true;

  constructor(readonly transport: ApduTransport, readonly secureMessaging: SecureMessaging) {}

  get maxShortResponseLength(): number {
    return this.secureMessaging.maxShortResponseLength;
  }

  get isOpen(): boolean {
    return this.secureMessaging.isOpen;
  }

  /**
   * Protects, sends, verifies. A transport failure between the two ends the session too: the
   * chip may or may not have counted the command, so the SSCs can no longer be trusted to agree.
   */
  async send(command: CommandApdu, options: SendOptions = {}): Promise<ResponseApdu> {
    const protectedCommand = this.secureMessaging.protectCommand(command, options);
    let response: Uint8Array;
    try {
      response = await this.transport.transmit(protectedCommand);
    } catch (error) {
      this.secureMessaging.close(error instanceof DeviceError ? error
        : new DeviceError('CHIP_TRANSPORT_FAILED', `The reader failed during a protected exchange: ${String(error)}`));
      throw error;
    }
    return this.secureMessaging.unprotectResponse(response);
  }
}
