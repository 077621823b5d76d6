// The R30x / ZFM / AS608 instruction set as data, shared by the driver and the simulator:
// instruction codes, confirmation codes with what an officer should do about each, and
// the system parameter block layout.

import { DeviceError } from '../device-error.js';

export const R30xInstruction = {
  GenImg: 0x01,
  Img2Tz: 0x02,
  Match: 0x03,
  Search: 0x04,
  RegModel: 0x05,
  Store: 0x06,
  LoadChar: 0x07,
  UpChar: 0x08,
  DownChar: 0x09,
  UpImage: 0x0a,
  DeleteChar: 0x0c,
  Empty: 0x0d,
  SetSysPara: 0x0e,
  ReadSysPara: 0x0f,
  VfyPwd: 0x13,
  TemplateNum: 0x1d,
  ReadConList: 0x1f,
} as const;
export type R30xInstructionName = keyof typeof R30xInstruction;

export const R30X_OK = 0x00;

/** Confirmation codes of the ZFM / R30x datasheets (the ones this family documents). */
export const R30xConfirmation = {
  ReceiveError: 0x01,
  NoFinger: 0x02,
  CaptureFailed: 0x03,
  ImageMessy: 0x06,
  TooFewFeatures: 0x07,
  NoMatch: 0x08,
  NotFound: 0x09,
  MergeFailed: 0x0a,
  PageOutOfRange: 0x0b,
  TemplateReadFailed: 0x0c,
  TemplateUploadFailed: 0x0d,
  DataReceiveFailed: 0x0e,
  ImageUploadFailed: 0x0f,
  DeleteFailed: 0x10,
  EmptyFailed: 0x11,
  WrongPassword: 0x13,
  NoValidImage: 0x15,
  FlashError: 0x18,
  UndefinedError: 0x19,
  BadRegister: 0x1a,
  BadRegisterValue: 0x1b,
  BadPageNumber: 0x1c,
  PortFailure: 0x1d,
  WrongAddress: 0x20,
  PasswordRequired: 0x21,
} as const;

const CONFIRMATION_ERRORS: Record<number, readonly [code: string, message: string]> = {
  [R30xConfirmation.ReceiveError]: ['R30X_RECEIVE_ERROR',
    'The fingerprint reader did not receive the command intact — check its cable and try again.'],
  [R30xConfirmation.NoFinger]: ['R30X_NO_FINGER', 'No finger on the sensor — place the finger flat on the glass.'],
  [R30xConfirmation.CaptureFailed]: ['R30X_CAPTURE_FAILED',
    'The sensor could not take an image — press the finger flat and hold it still.'],
  [R30xConfirmation.ImageMessy]: ['R30X_IMAGE_MESSY', 'Image too messy — clean the sensor and place the finger again.'],
  [R30xConfirmation.TooFewFeatures]: ['R30X_TOO_FEW_FEATURES',
    'Too few ridge features — press the finger flatter so it covers more of the sensor.'],
  [R30xConfirmation.NoMatch]: ['R30X_NO_MATCH', 'The two impressions do not match — use the same finger both times.'],
  [R30xConfirmation.NotFound]: ['R30X_NOT_FOUND', 'This finger is not in the reader\'s library.'],
  [R30xConfirmation.MergeFailed]: ['R30X_MERGE_FAILED',
    'The two impressions could not be combined — lift the finger and capture the same finger again.'],
  [R30xConfirmation.PageOutOfRange]: ['R30X_PAGE_OUT_OF_RANGE',
    'The template slot is outside the reader\'s library — check the slot number against its capacity.'],
  [R30xConfirmation.TemplateReadFailed]: ['R30X_TEMPLATE_READ_FAILED',
    'The stored template could not be read or the slot is empty — enroll the finger again.'],
  [R30xConfirmation.TemplateUploadFailed]: ['R30X_TEMPLATE_UPLOAD_FAILED',
    'The reader could not send the template — try again; if it repeats, power-cycle the reader.'],
  [R30xConfirmation.DataReceiveFailed]: ['R30X_DATA_RECEIVE_FAILED',
    'The reader could not take the template data — check the cable and try again.'],
  [R30xConfirmation.ImageUploadFailed]: ['R30X_IMAGE_UPLOAD_FAILED',
    'The reader could not send the image — capture the finger again.'],
  [R30xConfirmation.DeleteFailed]: ['R30X_DELETE_FAILED',
    'The reader could not delete the templates — power-cycle it and try again.'],
  [R30xConfirmation.EmptyFailed]: ['R30X_EMPTY_FAILED',
    'The reader could not clear its library — power-cycle it and try again.'],
  [R30xConfirmation.WrongPassword]: ['R30X_WRONG_PASSWORD',
    'The reader rejected the password — check the module password in the station configuration.'],
  [R30xConfirmation.NoValidImage]: ['R30X_NO_VALID_IMAGE', 'The reader holds no usable image — capture the finger again.'],
  [R30xConfirmation.FlashError]: ['R30X_FLASH_ERROR',
    'The reader failed to write its memory — power-cycle it; if it repeats, replace the reader.'],
  [R30xConfirmation.UndefinedError]: ['R30X_UNDEFINED_ERROR',
    'The reader reported an unspecified error — power-cycle it and try again.'],
  [R30xConfirmation.BadRegister]: ['R30X_BAD_REGISTER',
    'The reader does not have that setting — check the station configuration.'],
  [R30xConfirmation.BadRegisterValue]: ['R30X_BAD_REGISTER_VALUE',
    'The reader refused that setting value — check the station configuration.'],
  [R30xConfirmation.BadPageNumber]: ['R30X_BAD_PAGE_NUMBER', 'The reader refused the page number asked for.'],
  [R30xConfirmation.PortFailure]: ['R30X_PORT_FAILURE',
    'The reader reported a communication port failure — check the cable and power-cycle the reader.'],
  [R30xConfirmation.WrongAddress]: ['R30X_WRONG_ADDRESS',
    'The reader has a different address — check the module address in the station configuration.'],
  [R30xConfirmation.PasswordRequired]: ['R30X_PASSWORD_REQUIRED',
    'The reader wants its password verified first — reconnect the reader.'],
};

/** The typed error for a non-zero confirmation code. */
export function confirmationError(confirmation: number, details: Record<string, unknown>): DeviceError {
  const known = CONFIRMATION_ERRORS[confirmation];
  const hexCode = `0x${confirmation.toString(16).padStart(2, '0')}`;
  if (!known) {
    return new DeviceError('R30X_UNKNOWN_CONFIRMATION',
      `The fingerprint reader answered with unknown code ${hexCode} — power-cycle it; if it repeats, replace the reader.`,
      { ...details, confirmation: hexCode });
  }
  return new DeviceError(known[0], known[1], { ...details, confirmation: hexCode });
}

/** Registers SetSysPara can write. */
export const R30xRegister = { baud: 4, securityLevel: 5, packetSize: 6 } as const;
export type R30xRegisterName = keyof typeof R30xRegister;

/** Packet size codes 0–3 of the system parameters. */
export const R30X_PACKET_SIZES = [32, 64, 128, 256] as const;
export const R30X_BAUD_UNIT = 9600;

export interface R30xSystemParameters {
  statusRegister: number;
  /** Status register bits: busy, finger matched, password verified, image buffer valid. */
  status: { busy: boolean; matched: boolean; passwordVerified: boolean; imageBufferValid: boolean };
  systemId: number;
  /** Template library size (slots). */
  capacity: number;
  securityLevel: number;
  address: number;
  /** Data packet payload in bytes (32/64/128/256). */
  packetSize: number;
  /** Line rate in bit/s (9600 × N). */
  baud: number;
}

export const R30X_SYSTEM_PARAMETERS_BYTES = 16;

export function encodeSystemParameters(p: Omit<R30xSystemParameters, 'status'>): Uint8Array {
  const bytes = new Uint8Array(R30X_SYSTEM_PARAMETERS_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, p.statusRegister);
  view.setUint16(2, p.systemId);
  view.setUint16(4, p.capacity);
  view.setUint16(6, p.securityLevel);
  view.setUint32(8, p.address >>> 0);
  view.setUint16(12, R30X_PACKET_SIZES.indexOf(p.packetSize as (typeof R30X_PACKET_SIZES)[number]));
  view.setUint16(14, p.baud / R30X_BAUD_UNIT);
  return bytes;
}

export function decodeSystemParameters(bytes: Uint8Array): R30xSystemParameters {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const statusRegister = view.getUint16(0);
  const packetSizeCode = view.getUint16(12);
  const packetSize = R30X_PACKET_SIZES[packetSizeCode];
  if (packetSize === undefined) {
    throw new DeviceError('R30X_BAD_REPLY',
      `The fingerprint reader reports an unknown packet size code ${packetSizeCode} — power-cycle it.`,
      { packetSizeCode });
  }
  return {
    statusRegister,
    status: {
      busy: (statusRegister & 0x1) !== 0,
      matched: (statusRegister & 0x2) !== 0,
      passwordVerified: (statusRegister & 0x4) !== 0,
      imageBufferValid: (statusRegister & 0x8) !== 0,
    },
    systemId: view.getUint16(2),
    capacity: view.getUint16(4),
    securityLevel: view.getUint16(6),
    address: view.getUint32(8),
    packetSize,
    baud: view.getUint16(14) * R30X_BAUD_UNIT,
  };
}

/** Image and buffer sizes of the family. */
export const R30X_IMAGE_WIDTH = 256;
export const R30X_IMAGE_HEIGHT = 288;
/** 4 bits per pixel, two pixels per byte. */
export const R30X_IMAGE_BYTES = (R30X_IMAGE_WIDTH * R30X_IMAGE_HEIGHT) / 2;
/**
 * UpChar / DownChar move one whole character buffer: 512 bytes. After Img2Tz its first
 * 256 bytes are the character file; after RegModel the buffer holds the 512-byte template.
 */
export const R30X_CHAR_BUFFER_BYTES = 512;
