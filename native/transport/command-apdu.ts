// Command and response APDU layout (ISO/IEC 7816-3 §12.1, 7816-4 §5.1): the four command
// cases, short and extended length fields, and a response's data and status word. Pure. The
// transport needs it to resend a command with a corrected Le (6Cxx); the eMRTD protocol builds
// its commands with encodeCommandApdu; the chip simulator reads them with parseCommandApdu.
//
//   case 1  CLA INS P1 P2
//   case 2  CLA INS P1 P2 Le            | extended: … 00 Le1 Le2
//   case 3  CLA INS P1 P2 Lc data       | extended: … 00 Lc1 Lc2 data
//   case 4  CLA INS P1 P2 Lc data Le    | extended: … 00 Lc1 Lc2 data Le1 Le2
// Ne (the number of response bytes expected) is Le, with Le = 00 meaning 256 (short) and
// Le = 00 00 meaning 65536 (extended). Ne = 0 means no Le field. A response is its data
// followed by SW1 SW2, written here as one number (0x9000).

import { DeviceError } from '../device-error.js';

export type ApduCase = 1 | 2 | 3 | 4;

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  /** Command data (Nc is its length); absent or empty for none. */
  readonly data?: Uint8Array;
  /** Ne, the most response data bytes expected: 1 to 65536; absent or 0 for no Le field. */
  readonly ne?: number;
}

export interface ParsedCommandApdu extends CommandApdu {
  readonly data: Uint8Array;
  readonly ne: number;
  readonly apduCase: ApduCase;
  readonly extended: boolean;
}

export interface ResponseApdu {
  readonly data: Uint8Array;
  /** SW1 SW2 as one number: 0x9000 for success. */
  readonly sw: number;
}

export const MAX_SHORT_NE = 256;
export const MAX_EXTENDED_NE = 65_536;
export const SW_SUCCESS = 0x9000;

function malformed(command: Uint8Array, why: string): DeviceError {
  return new DeviceError('APDU_MALFORMED',
    `Command APDU ${Buffer.from(command.subarray(0, 12)).toString('hex')}${command.length > 12 ? '…' : ''} `
    + `(${command.length} bytes) is malformed: ${why}.`, { length: command.length });
}

export function parseCommandApdu(command: Uint8Array): ParsedCommandApdu {
  const length = command.length;
  if (length < 4) throw malformed(command, 'a command has at least CLA INS P1 P2');
  const [cla, ins, p1, p2] = command as unknown as [number, number, number, number];
  const header = { cla, ins, p1, p2 };
  const empty = new Uint8Array(0);
  if (length === 4) return { ...header, data: empty, ne: 0, apduCase: 1, extended: false };
  const b1 = command[4] as number;
  if (length === 5) return { ...header, data: empty, ne: b1 || MAX_SHORT_NE, apduCase: 2, extended: false };
  if (b1 !== 0) {
    const nc = b1;
    const data = command.slice(5, 5 + nc);
    if (length === 5 + nc) return { ...header, data, ne: 0, apduCase: 3, extended: false };
    if (length === 6 + nc) {
      return { ...header, data, ne: (command[length - 1] as number) || MAX_SHORT_NE, apduCase: 4, extended: false };
    }
    throw malformed(command, `Lc says ${nc} data bytes, which leaves ${length - 5 - nc} bytes for Le`);
  }
  if (length < 7) throw malformed(command, 'an extended length field needs 3 bytes');
  const word = ((command[5] as number) << 8) | (command[6] as number);
  if (length === 7) return { ...header, data: empty, ne: word || MAX_EXTENDED_NE, apduCase: 2, extended: true };
  if (word === 0) throw malformed(command, 'an extended Lc of 0 is not allowed');
  const data = command.slice(7, 7 + word);
  if (length === 7 + word) return { ...header, data, ne: 0, apduCase: 3, extended: true };
  if (length === 9 + word) {
    const ne = ((command[length - 2] as number) << 8) | (command[length - 1] as number);
    return { ...header, data, ne: ne || MAX_EXTENDED_NE, apduCase: 4, extended: true };
  }
  throw malformed(command, `extended Lc says ${word} data bytes, which leaves ${length - 7 - word} bytes for Le`);
}

/**
 * Encodes a command in short form when it fits (up to 255 data bytes and Ne up to 256),
 * otherwise, or when `extended` is asked for, in extended form. A header byte out of range is
 * a programming error (RangeError); a body too long for any APDU is APDU_TOO_LONG.
 */
export function encodeCommandApdu(command: CommandApdu, { extended = false }: { extended?: boolean } = {}): Uint8Array {
  const { cla, ins, p1, p2 } = command;
  const data = command.data ?? new Uint8Array(0);
  const ne = command.ne ?? 0;
  for (const [name, byte] of [['CLA', cla], ['INS', ins], ['P1', p1], ['P2', p2]] as const) {
    if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) throw new RangeError(`APDU ${name} ${byte}`);
  }
  const nc = data.length;
  if (nc > 0xffff) {
    throw new DeviceError('APDU_TOO_LONG', `A command APDU carries at most 65535 data bytes; got ${nc}.`, { length: nc });
  }
  if (!Number.isInteger(ne) || ne < 0 || ne > MAX_EXTENDED_NE) {
    throw new DeviceError('APDU_TOO_LONG', `Ne must be 0 to 65536; got ${ne}.`, { ne });
  }
  const header = [cla, ins, p1, p2];
  const long = extended || nc > 255 || ne > MAX_SHORT_NE;
  if (nc === 0 && ne === 0) return Uint8Array.from(header);
  if (!long) {
    const lc = nc > 0 ? [nc, ...data] : [];
    const le = ne > 0 ? [ne & 0xff] : [];
    return Uint8Array.from([...header, ...lc, ...le]);
  }
  const lc = nc > 0 ? [0, nc >> 8, nc & 0xff, ...data] : [];
  const leWord = [(ne >> 8) & 0xff, ne & 0xff];
  const le = ne > 0 ? (nc > 0 ? leWord : [0, ...leWord]) : [];
  return Uint8Array.from([...header, ...lc, ...le]);
}

/**
 * The same command asking for `ne` response bytes, in the length form it had (a case 1
 * command gains a short Le). A case 3 command has no Le to change and is refused.
 */
export function withExpectedLength(command: Uint8Array, ne: number): Uint8Array {
  const parsed = parseCommandApdu(command);
  if (parsed.apduCase === 3) throw malformed(command, 'a case 3 command has no Le to correct');
  return encodeCommandApdu({ ...parsed, ne }, { extended: parsed.extended });
}

function requireStatusWord(response: Uint8Array): void {
  if (response.length < 2) {
    throw new DeviceError('APDU_NO_STATUS_WORD',
      `The card answered ${response.length} bytes, without a status word (SW1 SW2).`, { length: response.length });
  }
}

/** SW1 SW2 of a response as one number, e.g. 0x9000; APDU_NO_STATUS_WORD if the response is shorter than 2 bytes. */
export function statusWord(response: Uint8Array): number {
  requireStatusWord(response);
  return ((response[response.length - 2] as number) << 8) | (response[response.length - 1] as number);
}

/** The response's data field: everything before SW1 SW2. */
export function responseData(response: Uint8Array): Uint8Array {
  requireStatusWord(response);
  return response.subarray(0, response.length - 2);
}

export function parseResponseApdu(response: Uint8Array): ResponseApdu {
  return { data: responseData(response), sw: statusWord(response) };
}

export function encodeResponseApdu({ data, sw }: ResponseApdu): Uint8Array {
  const response = new Uint8Array(data.length + 2);
  response.set(data);
  response[data.length] = sw >>> 8;
  response[data.length + 1] = sw & 0xff;
  return response;
}

/** The status word as the four hex digits the standards print ("6982"). */
export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
