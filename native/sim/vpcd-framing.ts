// Framing of the socket between vsmartcard's vpcd (the virtual reader inside pcscd, a TCP
// server) and a card emulator (the client): every message is a 2-byte big-endian length,
// then that many bytes. From vpcd, a 1-byte message is a control code (00 power off, 01
// power on, 02 reset, 04 send the ATR) and a longer one is a command APDU; the emulator
// answers the ATR request and each APDU with one message (an empty one tells vpcd the
// card is gone). There is no sync marker, so a stream cannot resynchronise after a bad
// length: it simply has none. Pure: bytes in, messages out.

import { DeviceError } from '../device-error.js';

/** The length field is 16 bits: no message, hence no response APDU, is longer. */
export const VPCD_MAX_PAYLOAD = 0xffff;
const LENGTH_FIELD = 2;

export const VpcdControl = { PowerOff: 0x00, PowerOn: 0x01, Reset: 0x02, GetAtr: 0x04 } as const;

export type VpcdRequest =
  | { readonly kind: 'power-off' }
  | { readonly kind: 'power-on' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'get-atr' }
  | { readonly kind: 'apdu'; readonly apdu: Uint8Array }
  | { readonly kind: 'unknown-control'; readonly code: number }
  | { readonly kind: 'empty' };

export function encodeVpcdFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > VPCD_MAX_PAYLOAD) {
    throw new DeviceError('VPCD_FRAME_TOO_LONG',
      `A vpcd message carries at most ${VPCD_MAX_PAYLOAD} bytes; this one has ${payload.length}.`,
      { length: payload.length });
  }
  const frame = new Uint8Array(LENGTH_FIELD + payload.length);
  frame[0] = payload.length >> 8;
  frame[1] = payload.length & 0xff;
  frame.set(payload, LENGTH_FIELD);
  return frame;
}

export function parseVpcdRequest(payload: Uint8Array): VpcdRequest {
  if (payload.length === 0) return { kind: 'empty' };
  if (payload.length > 1) return { kind: 'apdu', apdu: payload };
  switch (payload[0]) {
    case VpcdControl.PowerOff: return { kind: 'power-off' };
    case VpcdControl.PowerOn: return { kind: 'power-on' };
    case VpcdControl.Reset: return { kind: 'reset' };
    case VpcdControl.GetAtr: return { kind: 'get-atr' };
    default: return { kind: 'unknown-control', code: payload[0] as number };
  }
}

/** Streaming decoder: feed it bytes as they arrive; it returns the payloads completed so far. */
export class VpcdFrameDecoder {
  #buffer: Uint8Array = new Uint8Array(0);

  /** Bytes held back waiting for the rest of a message. */
  get pendingBytes(): number {
    return this.#buffer.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const payloads: Uint8Array[] = [];
    let offset = 0;
    while (joined.length - offset >= LENGTH_FIELD) {
      const length = ((joined[offset] as number) << 8) | (joined[offset + 1] as number);
      if (joined.length - offset - LENGTH_FIELD < length) break;
      payloads.push(joined.slice(offset + LENGTH_FIELD, offset + LENGTH_FIELD + length));
      offset += LENGTH_FIELD + length;
    }
    this.#buffer = joined.slice(offset);
    return payloads;
  }
}
