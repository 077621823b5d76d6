// Turns what a driver, a transport or the operating system said about a device into the one
// DeviceProblem an officer can act on ("not connected: check the cable"); the technical
// detail (code, message) is kept beside it for the technician's diagnostics and the log.
// Codes are sorted by family: serial/HID open failures by the OS error inside them, the R30x
// module's confirmation codes, PC/SC's, the document readers' protocol codes.

import type { z } from 'zod';
import { DeviceError } from '../../native/device-error.js';
import type { LinkStatus } from '../../native/transport/device-link.js';
import type { DeviceProblem } from '../rpc/schemas.js';

export type DeviceProblemView = z.infer<typeof DeviceProblem>;

/** The last error of a device as it was reported: for the diagnostics screen and the log only. */
export interface DeviceFault {
  readonly code: string | null;
  readonly detail: string;
}

/** The OS errors inside a failed open, as node and serialport word them. */
const OS_ERRORS: readonly [RegExp, DeviceProblemView][] = [
  [/\bENOENT\b|no such file or directory|\bENODEV\b|\bENXIO\b/i, 'not-connected'],
  [/\bEACCES\b|\bEPERM\b|permission denied/i, 'no-permission'],
  [/\bEBUSY\b|cannot lock port|resource temporarily unavailable|device or resource busy/i, 'in-use'],
  [/\bEIO\b|input\/output error/i, 'not-responding'],
];

/** Codes whose problem does not depend on the OS error inside them. */
const CODE_PROBLEMS: Readonly<Record<string, DeviceProblemView>> = {
  // Transports
  TRANSPORT_CLOSED: 'not-connected',
  HID_SUPPORT_MISSING: 'failed',
  // R30x fingerprint modules: silence or garbage on the line, or an answer refusing the configured settings
  R30X_TIMEOUT: 'not-responding',
  R30X_LINK_CLOSED: 'not-connected',
  R30X_LINK_ERROR: 'not-connected',
  R30X_BAD_REPLY: 'not-responding',
  R30X_BAD_CHECKSUM: 'not-responding',
  R30X_BAD_LENGTH: 'not-responding',
  R30X_BAD_DATA_LENGTH: 'not-responding',
  R30X_RECEIVE_ERROR: 'not-responding',
  R30X_UNKNOWN_CONFIRMATION: 'not-responding',
  R30X_PORT_FAILURE: 'not-responding',
  R30X_WRONG_PASSWORD: 'wrong-settings',
  R30X_WRONG_ADDRESS: 'wrong-settings',
  R30X_PASSWORD_REQUIRED: 'wrong-settings',
  R30X_BAD_REGISTER: 'wrong-settings',
  R30X_BAD_REGISTER_VALUE: 'wrong-settings',
  R30X_BAD_SETTING: 'wrong-settings',
  // PC/SC chip readers
  PCSC_NOT_RUNNING: 'failed',
  PCSC_NO_READER: 'not-connected',
  PCSC_SHARING_VIOLATION: 'in-use',
  PCSC_TIMEOUT: 'not-responding',
  PCSC_CLOSED: 'not-connected',
  CHIP_READER_STOPPED: 'not-connected',
  // Document readers' protocols
  CNID_TIMEOUT: 'not-responding',
  CNID_CORRUPT_REPLY: 'not-responding',
  CNID_BAD_REPLY: 'not-responding',
  CNID_LINK_LOST: 'not-connected',
  SAM_FRAME_CHECKSUM: 'not-responding',
  SAM_FRAME_LENGTH: 'not-responding',
  SAM_FRAME_SHORT: 'not-responding',
  MRZ_FRAMING_INVALID: 'wrong-settings',
  DEVICES_WRONG_SIMULATOR: 'wrong-settings',
};

/** Codes that carry an OS error (a failed open or a line error): their problem is the OS error's. */
const OS_ERROR_CODES = new Set(['SERIAL_OPEN_FAILED', 'SERIAL_LINE_ERROR', 'SERIAL_WRITE_FAILED', 'HID_OPEN_FAILED', 'HID_LINE_ERROR', 'HID_WRITE_FAILED']);

/** The problem an error means for whoever stands at the kiosk. */
export function classifyDeviceError(error: unknown): DeviceProblemView {
  const code = error instanceof DeviceError ? error.code : null;
  const message = error instanceof Error ? error.message : String(error);
  if (code !== null && !OS_ERROR_CODES.has(code)) {
    const known = CODE_PROBLEMS[code];
    if (known) return known;
  }
  const cause = error instanceof DeviceError && typeof error.details.cause === 'string' ? error.details.cause : message;
  return osProblem(cause) ?? osProblem(message) ?? (code !== null && OS_ERROR_CODES.has(code) ? 'not-connected' : 'failed');
}

/** The problem a link's wording of a lost connection or a failed open means, when no error object came with it. */
export function classifyLinkReason(reason: string): DeviceProblemView {
  return osProblem(reason) ?? (/went away|no longer present|closed/i.test(reason) ? 'not-connected' : 'failed');
}

/** The technical record of `error`, for the log and the diagnostics screen. */
export function deviceFault(error: unknown): DeviceFault {
  return {
    code: error instanceof DeviceError ? error.code : null,
    detail: error instanceof Error ? error.message : String(error),
  };
}

/** A serial or HID link's state as a device state, with its problem and the fault behind it. */
export interface LinkView {
  readonly state: 'connected' | 'disconnected' | 'error';
  readonly problem?: DeviceProblemView;
  readonly fault: DeviceFault | null;
}

/** Opening (`connecting`) and a stop are no problem; a failed open or a lost connection is. */
export function linkView({ state, reason, error }: LinkStatus): LinkView {
  if (state === 'connected') return { state, fault: null };
  if (state === 'connecting' || reason === undefined || reason === 'stopped') return { state: 'disconnected', fault: null };
  return {
    state: state === 'error' ? 'error' : 'disconnected',
    problem: error ? classifyDeviceError(error) : classifyLinkReason(reason),
    fault: error ? deviceFault(error) : { code: null, detail: reason },
  };
}

function osProblem(text: string): DeviceProblemView | null {
  return OS_ERRORS.find(([pattern]) => pattern.test(text))?.[1] ?? null;
}
