// The R30x / ZFM / AS608 serial packet framing as a pure codec: one function turns a
// packet into bytes, and a streaming decoder turns whatever pieces the line delivers
// into packets, skipping noise between them and reporting damaged frames as errors.

import { DeviceError } from '../device-error.js';

export const R30X_HEADER = [0xef, 0x01] as const;
export const R30X_DEFAULT_ADDRESS = 0xffffffff;
/** Largest payload the module sends or accepts (packet size code 3). */
export const R30X_MAX_PAYLOAD = 256;

/** Packet identifiers (PID). */
export const R30xPid = {
  Command: 0x01,
  Data: 0x02,
  Ack: 0x07,
  EndData: 0x08,
} as const;
export type R30xPid = (typeof R30xPid)[keyof typeof R30xPid];

export interface R30xPacket {
  address: number;
  pid: R30xPid;
  payload: Uint8Array;
}

/** header 2 + address 4 + PID 1 + length 2, before the payload. */
const PREFIX_BYTES = 9;
const CHECKSUM_BYTES = 2;
export const R30X_PACKET_OVERHEAD = PREFIX_BYTES + CHECKSUM_BYTES;

const KNOWN_PIDS = new Set<number>(Object.values(R30xPid));

/** Low 16 bits of PID + both length bytes + every payload byte. */
export function r30xChecksum(pid: number, lengthField: number, payload: Uint8Array): number {
  let sum = pid + (lengthField >> 8) + (lengthField & 0xff);
  for (const byte of payload) sum += byte;
  return sum & 0xffff;
}

export function encodeR30xPacket({ address, pid, payload }: R30xPacket): Uint8Array {
  if (payload.length > R30X_MAX_PAYLOAD) {
    throw new DeviceError('R30X_PAYLOAD_TOO_LONG',
      `A fingerprint reader packet carries at most ${R30X_MAX_PAYLOAD} bytes, not ${payload.length}.`,
      { length: payload.length });
  }
  const lengthField = payload.length + CHECKSUM_BYTES;
  const bytes = new Uint8Array(PREFIX_BYTES + lengthField);
  const view = new DataView(bytes.buffer);
  bytes.set(R30X_HEADER, 0);
  view.setUint32(2, address >>> 0);
  bytes[6] = pid;
  view.setUint16(7, lengthField);
  bytes.set(payload, PREFIX_BYTES);
  view.setUint16(PREFIX_BYTES + payload.length, r30xChecksum(pid, lengthField, payload));
  return bytes;
}

export type R30xDecoded =
  | { kind: 'packet'; packet: R30xPacket }
  | { kind: 'error'; error: DeviceError };

/**
 * Feed it every chunk the transport delivers, in order. Bytes before a header are
 * skipped. A header followed by an unknown PID is taken for noise and skipped. A
 * length field outside 2…258 is reported and the scan resumes after that header.
 * A frame whose checksum does not add up is reported and skipped whole: its header,
 * PID and length were plausible, so it most likely is a real packet damaged in transit.
 */
export class R30xPacketDecoder {
  private buffer: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): R30xDecoded[] {
    this.buffer = concat(this.buffer, chunk);
    const out: R30xDecoded[] = [];
    let offset = 0;
    for (;;) {
      offset = findHeader(this.buffer, offset);
      if (this.buffer.length - offset < PREFIX_BYTES) break;
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + offset);
      const pid = this.buffer[offset + 6]!;
      const lengthField = view.getUint16(7);
      if (!KNOWN_PIDS.has(pid)) {
        offset += 1;
        continue;
      }
      if (lengthField < CHECKSUM_BYTES || lengthField > R30X_MAX_PAYLOAD + CHECKSUM_BYTES) {
        out.push({ kind: 'error', error: new DeviceError('R30X_BAD_LENGTH',
          'The fingerprint reader sent a malformed packet — check the cable and the baud rate.',
          { lengthField }) });
        offset += 1;
        continue;
      }
      const end = offset + PREFIX_BYTES + lengthField;
      if (this.buffer.length < end) break;
      const payload = this.buffer.slice(offset + PREFIX_BYTES, end - CHECKSUM_BYTES);
      const received = view.getUint16(PREFIX_BYTES + payload.length);
      const expected = r30xChecksum(pid, lengthField, payload);
      if (received === expected) {
        out.push({ kind: 'packet', packet: { address: view.getUint32(2), pid: pid as R30xPid, payload } });
      } else {
        out.push({ kind: 'error', error: new DeviceError('R30X_BAD_CHECKSUM',
          'The fingerprint reader\'s reply was garbled on the line — check the cable and try again.',
          { expected, received }) });
      }
      offset = end;
    }
    this.buffer = this.buffer.slice(offset);
    return out;
  }

  /** Forgets a partial frame, e.g. before a new command. */
  reset(): void {
    this.buffer = new Uint8Array(0);
  }
}

/** Index of the next header at or after `from`; keeps a trailing 0xEF that may start one. */
function findHeader(bytes: Uint8Array, from: number): number {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== R30X_HEADER[0]) continue;
    if (i + 1 === bytes.length || bytes[i + 1] === R30X_HEADER[1]) return i;
  }
  return bytes.length;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
