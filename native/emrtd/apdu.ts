// Command and response APDUs (ISO/IEC 7816-4) as bytes: the four cases in short and extended
// form, and the status word. The eMRTD protocol builds commands with these; the transport
// below only moves bytes.

import { DeviceError } from '../device-error.js';

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  /** Command data (Lc is its length); absent or empty for none. */
  readonly data?: Uint8Array;
  /** Expected response length: absent for none, 256 (short) or 65536 (extended) for "as much as there is". */
  readonly le?: number;
}

export interface ResponseApdu {
  readonly data: Uint8Array;
  /** SW1 SW2 as one number: 0x9000 for success. */
  readonly sw: number;
}

export const SW_SUCCESS = 0x9000;

/** Encodes a command; extended form when the data or Le does not fit the short one (or when asked). */
export function encodeCommand(command: CommandApdu, { extended = false }: { extended?: boolean } = {}): Uint8Array {
  const { cla, ins, p1, p2, le } = command;
  const data = command.data ?? new Uint8Array(0);
  for (const [name, byte] of [['CLA', cla], ['INS', ins], ['P1', p1], ['P2', p2]] as const) {
    if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) throw new RangeError(`APDU ${name} ${byte}`);
  }
  if (data.length > 65535) throw new RangeError(`APDU data of ${data.length} bytes`);
  if (le !== undefined && (!Number.isInteger(le) || le < 1 || le > 65536)) throw new RangeError(`APDU Le ${le}`);
  const long = extended || data.length > 255 || (le !== undefined && le > 256);
  const header = [cla, ins, p1, p2];
  if (!long) {
    const lc = data.length > 0 ? [data.length] : [];
    const leField = le === undefined ? [] : [le === 256 ? 0 : le];
    return Uint8Array.from([...header, ...lc, ...data, ...leField]);
  }
  const lc = data.length > 0 ? [0, data.length >>> 8, data.length & 0xff] : [];
  // Extended Le is two bytes after an extended Lc, three (with a leading 00) without one.
  const leBytes = le === undefined ? [] : [(le === 65536 ? 0 : le) >>> 8, (le === 65536 ? 0 : le) & 0xff];
  const leField = le === undefined ? [] : data.length > 0 ? leBytes : [0, ...leBytes];
  return Uint8Array.from([...header, ...lc, ...data, ...leField]);
}

/** Decodes a command (the chip's side: the simulator); throws CHIP_APDU_MALFORMED on a bad length. */
export function decodeCommand(bytes: Uint8Array): CommandApdu & { extended: boolean } {
  const malformed = (reason: string) => new DeviceError('CHIP_APDU_MALFORMED', `Malformed command APDU: ${reason}.`, { reason, length: bytes.length });
  if (bytes.length < 4) throw malformed('shorter than a header');
  const [cla, ins, p1, p2] = bytes as unknown as [number, number, number, number];
  const body = bytes.subarray(4);
  if (body.length === 0) return { cla, ins, p1, p2, extended: false };
  if (body.length === 1) return { cla, ins, p1, p2, le: body[0] === 0 ? 256 : body[0]!, extended: false };
  if (body[0] !== 0) {
    const lc = body[0]!;
    if (body.length === 1 + lc) return { cla, ins, p1, p2, data: body.subarray(1), extended: false };
    if (body.length === 2 + lc) return { cla, ins, p1, p2, data: body.subarray(1, 1 + lc), le: body[1 + lc] === 0 ? 256 : body[1 + lc]!, extended: false };
    throw malformed('Lc does not match the data');
  }
  if (body.length === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { cla, ins, p1, p2, le: le === 0 ? 65536 : le, extended: true };
  }
  if (body.length < 3) throw malformed('truncated extended length');
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw malformed('extended Lc of zero');
  if (body.length === 3 + lc) return { cla, ins, p1, p2, data: body.subarray(3), extended: true };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { cla, ins, p1, p2, data: body.subarray(3, 3 + lc), le: le === 0 ? 65536 : le, extended: true };
  }
  throw malformed('extended Lc does not match the data');
}

export function decodeResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) {
    throw new DeviceError('CHIP_APDU_MALFORMED', `Malformed response APDU: ${bytes.length} bytes, no status word.`, { length: bytes.length });
  }
  const end = bytes.length - 2;
  return { data: bytes.subarray(0, end), sw: (bytes[end]! << 8) | bytes[end + 1]! };
}

export function encodeResponse({ data, sw }: ResponseApdu): Uint8Array {
  return Uint8Array.from([...data, sw >>> 8, sw & 0xff]);
}

/** The status word as the four hex digits the standards print ("6982"). */
export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
