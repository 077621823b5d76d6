// What an officer is told about a device, from what its driver, transport or the operating
// system said: every family of codes, the OS errors inside a failed open, and a link's own
// wording of a lost connection; the technical detail stays beside it.

import { describe, expect, it } from 'vitest';
import { classifyDeviceError, classifyLinkReason, deviceFault, linkView } from '../../../../main/devices/device-problem.js';
import { DeviceError } from '../../../../native/device-error.js';
import { confirmationError, R30xConfirmation } from '../../../../native/fingerprint/r30x-protocol.js';

/** A serial open failure as SerialTransport words it, around the OS error serialport gave. */
const openFailure = (cause: string) => new DeviceError('SERIAL_OPEN_FAILED',
  `Could not open serial /dev/ttyUSB0 @ 9600: ${cause}. Check that the device is plugged in.`, { path: '/dev/ttyUSB0', cause });

describe('classifyDeviceError', () => {
  it.each([
    ['a missing port', 'Error: No such file or directory, cannot open /dev/ttyUSB0', 'not-connected'],
    ['ENOENT by its code', 'Error: ENOENT: no such file', 'not-connected'],
    ['a port the service may not open', 'Error: Permission denied, cannot open /dev/ttyUSB0', 'no-permission'],
    ['EACCES by its code', 'EACCES', 'no-permission'],
    ['a port another program locked', 'Error Resource temporarily unavailable Cannot lock port', 'in-use'],
    ['EBUSY', 'Error: EBUSY: device or resource busy', 'in-use'],
    ['an I/O error', 'Error: EIO: i/o error, input/output error', 'not-responding'],
    ['something else', 'Error: something odd', 'not-connected'],
  ] as const)('serial open failures: %s', (_what, cause, problem) => {
    expect(classifyDeviceError(openFailure(cause))).toBe(problem);
  });

  it('HID open failures by the OS error inside them', () => {
    const error = new DeviceError('HID_OPEN_FAILED', 'Could not open HID 0c2e:0b61: cannot open device', { cause: 'EACCES: permission denied' });
    expect(classifyDeviceError(error)).toBe('no-permission');
    expect(classifyDeviceError(new DeviceError('HID_SUPPORT_MISSING', 'node-hid is not installed'))).toBe('failed');
  });

  it.each([
    [R30xConfirmation.WrongPassword, 'wrong-settings'],
    [R30xConfirmation.WrongAddress, 'wrong-settings'],
    [R30xConfirmation.PasswordRequired, 'wrong-settings'],
    [R30xConfirmation.BadRegisterValue, 'wrong-settings'],
    [R30xConfirmation.ReceiveError, 'not-responding'],
    [R30xConfirmation.PortFailure, 'not-responding'],
    [0xee, 'not-responding'],
  ] as const)('the R30x confirmation code 0x%s', (confirmation, problem) => {
    expect(classifyDeviceError(confirmationError(confirmation, { instruction: 'VfyPwd' }))).toBe(problem);
  });

  it.each([
    ['R30X_TIMEOUT', 'not-responding'],
    ['R30X_BAD_CHECKSUM', 'not-responding'],
    ['R30X_LINK_CLOSED', 'not-connected'],
    ['CNID_TIMEOUT', 'not-responding'],
    ['SAM_FRAME_CHECKSUM', 'not-responding'],
    ['CNID_LINK_LOST', 'not-connected'],
    ['MRZ_FRAMING_INVALID', 'wrong-settings'],
    ['PCSC_NO_READER', 'not-connected'],
    ['PCSC_SHARING_VIOLATION', 'in-use'],
    ['PCSC_TIMEOUT', 'not-responding'],
    ['PCSC_NOT_RUNNING', 'failed'],
    ['TRANSPORT_CLOSED', 'not-connected'],
    ['SOMETHING_NEW', 'failed'],
  ] as const)('%s is %s', (code, problem) => {
    expect(classifyDeviceError(new DeviceError(code, 'what the driver said'))).toBe(problem);
  });

  it('reads the OS error out of a plain Error too', () => {
    expect(classifyDeviceError(new Error('open /dev/ttyACM0: EACCES'))).toBe('no-permission');
    expect(classifyDeviceError('no idea')).toBe('failed');
  });
});

describe('linkView', () => {
  it('is no problem while opening, connected, or stopped', () => {
    expect(linkView({ state: 'connecting' })).toEqual({ state: 'disconnected', fault: null });
    expect(linkView({ state: 'connected' })).toEqual({ state: 'connected', fault: null });
    expect(linkView({ state: 'disconnected', reason: 'stopped' })).toEqual({ state: 'disconnected', fault: null });
  });

  it('classifies a failed open by its error, keeping the code and message as the fault', () => {
    const error = openFailure('Error: Permission denied, cannot open /dev/ttyUSB0');
    expect(linkView({ state: 'error', reason: `MRZ document reader: ${error.message}`, error })).toEqual({
      state: 'error', problem: 'no-permission', fault: { code: 'SERIAL_OPEN_FAILED', detail: error.message },
    });
  });

  it('takes a lost connection (no error object) as not connected, the link\'s words as the fault', () => {
    const reason = 'fingerprint scanner on serial /dev/ttyUSB0 @ 57600 went away (the link closed). Check the cable and power; reconnecting.';
    expect(linkView({ state: 'disconnected', reason })).toEqual({ state: 'disconnected', problem: 'not-connected', fault: { code: null, detail: reason } });
    expect(classifyLinkReason('something we never heard of')).toBe('failed');
  });
});

describe('deviceFault', () => {
  it('keeps the code of a DeviceError and the message of anything', () => {
    expect(deviceFault(new DeviceError('R30X_TIMEOUT', 'no answer'))).toEqual({ code: 'R30X_TIMEOUT', detail: 'no answer' });
    expect(deviceFault(new Error('plain'))).toEqual({ code: null, detail: 'plain' });
  });
});
