// BER-TLV as ICAO Doc 9303 and ISO/IEC 7816-4 use it: the data groups (61, 75, 7F61 …),
// the secure-messaging data objects (87, 97, 99, 8E) and the PACE dynamic authentication data
// (7C). Tags are kept as their encoded bytes read as one number (0x5F1F, 0x7F61), the way
// the standards write them. Definite lengths only (the LDS forbids the indefinite form).
// A length written in more bytes than it needs (81 05) is read, not refused: the writer
// always uses the shortest form, and what proves a chip's file unaltered is the security
// object's hash over its raw bytes, not the shape of its lengths.

import { DeviceError } from '../device-error.js';

export interface Tlv {
  /** The tag's bytes as one big-endian number: 0x61, 0x5F1F, 0x7F61. */
  readonly tag: number;
  readonly value: Uint8Array;
}

/** Bit 6 of the tag's first byte: the value is itself a sequence of TLVs. */
export function isConstructed(tag: number): boolean {
  const first = tag > 0xffff ? tag >>> 16 : tag > 0xff ? tag >>> 8 : tag;
  return (first & 0x20) !== 0;
}

function tlvError(reason: string, offset: number): DeviceError {
  return new DeviceError('CHIP_TLV_MALFORMED', `The chip sent a malformed data object (${reason} at byte ${offset}).`, { reason, offset });
}

/** Reads one TLV at `offset`; returns it with the offset just past it. */
export function readTlv(bytes: Uint8Array, offset = 0): { tlv: Tlv; next: number } {
  let at = offset;
  if (at >= bytes.length) throw tlvError('no tag', at);
  let tag = bytes[at++]!;
  if ((tag & 0x1f) === 0x1f) {
    // Subsequent tag bytes while bit 8 is set; three bytes are the most 9303 uses.
    let more = true;
    for (let count = 0; more; count++) {
      if (count === 2 || at >= bytes.length) throw tlvError('tag too long', offset);
      const byte = bytes[at++]!;
      tag = (tag << 8) | byte;
      more = (byte & 0x80) !== 0;
    }
  }
  if (at >= bytes.length) throw tlvError('no length', at);
  let length = bytes[at++]!;
  if (length === 0x80) throw tlvError('indefinite length', at - 1);
  if (length > 0x80) {
    const count = length & 0x7f;
    if (count > 4 || at + count > bytes.length) throw tlvError('length field too long', at - 1);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at++]!;
  }
  if (at + length > bytes.length) throw tlvError('value runs past the end', at);
  return { tlv: { tag: tag >>> 0, value: bytes.subarray(at, at + length) }, next: at + length };
}

/** Every TLV in `bytes`, which must hold nothing else. */
export function readTlvs(bytes: Uint8Array): Tlv[] {
  const tlvs: Tlv[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const { tlv, next } = readTlv(bytes, offset);
    tlvs.push(tlv);
    offset = next;
  }
  return tlvs;
}

/** The first TLV with `tag` among `bytes`' top-level objects, or undefined. */
export function findTlv(bytes: Uint8Array, tag: number): Tlv | undefined {
  return readTlvs(bytes).find((tlv) => tlv.tag === tag);
}

/** The value of `tag` among `bytes`' top-level objects; throws CHIP_TLV_MISSING when absent. */
export function requireTlv(bytes: Uint8Array, tag: number, what: string): Uint8Array {
  const found = findTlv(bytes, tag);
  if (!found) {
    throw new DeviceError('CHIP_TLV_MISSING', `The chip's ${what} lacks data object ${tag.toString(16).toUpperCase()}.`, { tag, what });
  }
  return found.value;
}

/** Length octets in the shortest definite form. */
export function encodeLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0 || length > 0xffff_ffff) throw new RangeError(`TLV length ${length}`);
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

function encodeTag(tag: number): Uint8Array {
  if (tag > 0xffffff) throw new RangeError(`TLV tag ${tag.toString(16)}`);
  if (tag > 0xffff) return Uint8Array.of(tag >>> 16, (tag >>> 8) & 0xff, tag & 0xff);
  if (tag > 0xff) return Uint8Array.of(tag >>> 8, tag & 0xff);
  return Uint8Array.of(tag);
}

/** One TLV; `value` may be bytes or the TLVs a constructed object holds. */
export function encodeTlv(tag: number, value: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const body = value instanceof Uint8Array ? value : Buffer.concat(value);
  // A plain Uint8Array, not a Buffer: Buffer#slice shares memory and Buffers compare unequal to Uint8Arrays.
  return Uint8Array.from(Buffer.concat([encodeTag(tag), encodeLength(body.length), body]));
}
