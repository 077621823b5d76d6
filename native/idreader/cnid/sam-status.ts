// The SAM module's status byte (SW3) and what each one means for the person at the
// reader: every failure becomes a DeviceError with a stable code and advice.

import { DeviceError } from '../../device-error.js';

export const SamStatus = {
  OK: 0x90,
  CARD_FOUND: 0x9f,
  FIND_FAILED: 0x80,
  SELECT_FAILED: 0x81,
  FIELD_EMPTY: 0x91,
  CHECKSUM_ERROR: 0x10,
  LENGTH_ERROR: 0x11,
  BAD_COMMAND: 0x21,
  NOT_PERMITTED: 0x23,
  UNKNOWN_ERROR: 0x24,
  CARD_AUTH_FAILED: 0x31,
  SAM_AUTH_FAILED: 0x32,
  DATA_AUTH_FAILED: 0x33,
  UNKNOWN_CARD_TYPE: 0x40,
  READ_FAILED: 0x41,
  RANDOM_FAILED: 0x47,
  SELF_TEST_FAILED: 0x60,
  NOT_AUTHORISED: 0x66,
} as const;

interface StatusFault {
  readonly code: string;
  readonly meaning: string;
  readonly advice: string;
}

const CHECK_CABLE = 'Check the cable and the baud rate (115200 by default); if it repeats, restart the reader.';
const AUTH = 'Make sure it is a genuine second-generation resident ID card; if every card fails, the reader needs service.';

const FAULTS: ReadonlyMap<number, StatusFault> = new Map([
  [SamStatus.FIND_FAILED, { code: 'CNID_NO_CARD', meaning: 'no card on the reader',
    advice: 'Place the ID card flat on the reader.' }],
  [SamStatus.SELECT_FAILED, { code: 'CNID_SELECT_FAILED', meaning: 'could not select the card',
    advice: 'Hold the card still on the reader and try again.' }],
  [SamStatus.FIELD_EMPTY, { code: 'CNID_FIELD_EMPTY', meaning: 'the requested item is empty on this card',
    advice: 'The card does not hold this item; continue without it.' }],
  [SamStatus.CHECKSUM_ERROR, { code: 'CNID_REQUEST_CHECKSUM', meaning: 'the reader received a corrupted command',
    advice: CHECK_CABLE }],
  [SamStatus.LENGTH_ERROR, { code: 'CNID_REQUEST_LENGTH', meaning: 'the reader received a command of the wrong length',
    advice: CHECK_CABLE }],
  [SamStatus.BAD_COMMAND, { code: 'CNID_BAD_COMMAND', meaning: 'the reader does not accept this command',
    advice: 'The reader firmware may not support it; note the reader model for the help desk.' }],
  [SamStatus.NOT_PERMITTED, { code: 'CNID_NOT_PERMITTED', meaning: 'the operation is not permitted',
    advice: 'Restart the reader; if it repeats, the reader needs service.' }],
  [SamStatus.UNKNOWN_ERROR, { code: 'CNID_READER_ERROR', meaning: 'the reader reported an unidentified error',
    advice: 'Take the card off, restart the reader and try again.' }],
  [SamStatus.CARD_AUTH_FAILED, { code: 'CNID_CARD_AUTH_FAILED', meaning: 'the card did not accept the reader',
    advice: AUTH }],
  [SamStatus.SAM_AUTH_FAILED, { code: 'CNID_SAM_AUTH_FAILED', meaning: 'the reader did not accept the card',
    advice: AUTH }],
  [SamStatus.DATA_AUTH_FAILED, { code: 'CNID_DATA_AUTH_FAILED', meaning: 'the card data failed verification',
    advice: AUTH }],
  [SamStatus.UNKNOWN_CARD_TYPE, { code: 'CNID_UNKNOWN_CARD', meaning: 'this is not a card the reader knows',
    advice: 'Use a second-generation resident ID card; bank and transit cards cannot be read here.' }],
  [SamStatus.READ_FAILED, { code: 'CNID_READ_FAILED', meaning: 'reading the card failed',
    advice: 'Hold the card still and try again.' }],
  [SamStatus.RANDOM_FAILED, { code: 'CNID_RANDOM_FAILED', meaning: 'the card did not return a random number',
    advice: 'Hold the card still and try again.' }],
  [SamStatus.SELF_TEST_FAILED, { code: 'CNID_SAM_SELF_TEST', meaning: 'the security module failed its self-test',
    advice: 'Restart the reader; if it repeats, the reader needs service.' }],
  [SamStatus.NOT_AUTHORISED, { code: 'CNID_SAM_NOT_AUTHORISED', meaning: 'the security module is not authorised',
    advice: 'The reader has not been activated for use; contact the supplier.' }],
]);

/** The error for status `sw3` in reply to `command` ("find card") from the reader on `link`. */
export function samStatusError(sw3: number, command: string, link: string): DeviceError {
  const hex = sw3.toString(16).padStart(2, '0');
  const fault = FAULTS.get(sw3) ?? { code: 'CNID_UNEXPECTED_STATUS', meaning: `unexpected status 0x${hex}`,
    advice: 'Take the card off, restart the reader and try again.' };
  return new DeviceError(fault.code,
    `CN ID reader on ${link}: ${fault.meaning} (${command}, status 0x${hex}). ${fault.advice}`,
    { link, command, sw3 });
}
