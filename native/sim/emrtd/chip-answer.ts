// What the parts of the virtual chip have in common: each protocol part (BAC, PACE, Chip and
// Active Authentication, the file system) answers the commands it knows with a response and,
// when the command opened or replaced a secure messaging session, that session; and the status
// words a real eMRTD chip answers with (ISO/IEC 7816-4 §5.6, 9303-11).

import type { ChipSecureMessaging } from '../../emrtd/secure-messaging.js';
import type { CommandApdu, ResponseApdu } from '../../transport/command-apdu.js';

export interface ChipAnswer {
  readonly response: ResponseApdu;
  /** The session that starts after `response` (sent under the previous one, if any). */
  readonly secureMessaging?: ChipSecureMessaging;
}

/** A protocol the chip runs: its answer to a command it knows, undefined for any other. */
export interface ChipProtocol {
  answer(command: CommandApdu): ChipAnswer | undefined;
}

export const ChipStatus = {
  success: 0x9000,
  authenticationFailed: 0x6300,
  wrongLength: 0x6700,
  securityStatusNotSatisfied: 0x6982,
  conditionsNotSatisfied: 0x6985,
  noCurrentFile: 0x6986,
  incorrectData: 0x6a80,
  fileNotFound: 0x6a82,
  incorrectP1P2: 0x6a86,
  referencedDataNotFound: 0x6a88,
  offsetOutsideFile: 0x6b00,
  insNotSupported: 0x6d00,
  claNotSupported: 0x6e00,
  noPreciseDiagnosis: 0x6f00,
} as const;

/** A response that is only a status word. */
export const status = (sw: number): ResponseApdu => ({ data: new Uint8Array(0), sw });
