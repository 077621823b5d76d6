// Reading DER structures (certificates, CMS, the LDS security object) with asn1js, one
// accessor per ASN.1 type, each refusing anything else with ASN1_MALFORMED and a path that
// says where ("SignerInfo.signedAttrs"). asn1js parses; these helpers only check shapes and
// hand out values and the exact bytes a signature covers.

import * as asn1js from 'asn1js';
import { DeviceError } from '../../device-error.js';

export type Asn1 = asn1js.AsnType;

const UNIVERSAL = 1;
const CONTEXT = 3;

export const UniversalTag = {
  boolean: 1, integer: 2, bitString: 3, octetString: 4, null: 5, oid: 6, utf8String: 12, sequence: 16, set: 17,
  printableString: 19, teletexString: 20, ia5String: 22, utcTime: 23, generalizedTime: 24, universalString: 28, bmpString: 30,
} as const;

export function asn1Error(what: string, reason: string): DeviceError {
  return new DeviceError('ASN1_MALFORMED', `${what}: ${reason}.`, { what, reason });
}

/**
 * Walks the BER structure itself, because asn1js tolerates a constructed object whose length
 * disagrees with its contents: every length must fit its parent, a constructed object's
 * contents must be whole objects filling it exactly, indefinite lengths must end in 00 00.
 * Returns the offset just past the object at `at`.
 */
function checkStructure(bytes: Uint8Array, at: number, end: number, what: string, depth: number): number {
  if (depth > 64) throw asn1Error(what, 'nested too deeply');
  if (at >= end) throw asn1Error(what, 'an object is cut off');
  const first = bytes[at++]!;
  if ((first & 0x1f) === 0x1f) {
    for (let count = 0; ; count++) {
      if (at >= end || count > 4) throw asn1Error(what, 'a tag is cut off');
      if ((bytes[at++]! & 0x80) === 0) break;
    }
  }
  if (at >= end) throw asn1Error(what, 'a length is missing');
  const constructed = (first & 0x20) !== 0;
  let length = bytes[at++]!;
  if (length === 0x80) {
    if (!constructed) throw asn1Error(what, 'an indefinite length on a primitive object');
    for (;;) {
      if (at + 2 > end) throw asn1Error(what, 'an indefinite length without end-of-contents');
      if (bytes[at] === 0 && bytes[at + 1] === 0) return at + 2;
      at = checkStructure(bytes, at, end, what, depth + 1);
    }
  }
  if (length > 0x80) {
    const count = length & 0x7f;
    if (count > 4 || at + count > end) throw asn1Error(what, 'a length field is cut off or too long');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at++]!;
  }
  const contentEnd = at + length;
  if (contentEnd > end) throw asn1Error(what, 'an object runs past its container');
  if (constructed) {
    for (let child = at; child < contentEnd;) child = checkStructure(bytes, child, contentEnd, what, depth + 1);
  }
  return contentEnd;
}

/** Parses exactly one BER/DER object filling `bytes`. */
export function parseDer(bytes: Uint8Array, what: string): Asn1 {
  if (checkStructure(bytes, 0, bytes.length, what, 0) !== bytes.length) throw asn1Error(what, 'bytes follow the object');
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes);
  } catch (error) {
    // asn1js throws (RangeError and others) on some malformed strings, e.g. an odd-length BMPString.
    throw asn1Error(what, `not ASN.1 (${(error as Error).message})`);
  }
  if (parsed.offset === -1 || parsed.result.error) throw asn1Error(what, `not ASN.1 (${parsed.result.error || 'unreadable'})`);
  if (parsed.offset !== bytes.length) throw asn1Error(what, `${bytes.length - parsed.offset} bytes follow the object`);
  return parsed.result;
}

const isUniversal = (node: Asn1, tag: number): boolean => node.idBlock.tagClass === UNIVERSAL && node.idBlock.tagNumber === tag;

/** The exact encoding of `node` as it was read (what a signature or a hash covers). */
export function rawBytes(node: Asn1): Uint8Array {
  return node.valueBeforeDecodeView;
}

function constructedItems(node: Asn1, what: string): Asn1[] {
  if (!node.idBlock.isConstructed) throw asn1Error(what, 'not a constructed object');
  const value = (node.valueBlock as unknown as { value?: unknown }).value;
  if (!Array.isArray(value)) throw asn1Error(what, 'not a constructed object');
  return value as Asn1[];
}

export function sequence(node: Asn1 | undefined, what: string, { min = 0, max = Infinity } = {}): Asn1[] {
  if (!node || !isUniversal(node, UniversalTag.sequence)) throw asn1Error(what, 'not a SEQUENCE');
  const items = constructedItems(node, what);
  if (items.length < min || items.length > max) throw asn1Error(what, `${items.length} elements where ${min}–${max} belong`);
  return items;
}

export function set(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !isUniversal(node, UniversalTag.set)) throw asn1Error(what, 'not a SET');
  return constructedItems(node, what);
}

export function isContext(node: Asn1 | undefined, tagNumber: number): boolean {
  return node !== undefined && node.idBlock.tagClass === CONTEXT && node.idBlock.tagNumber === tagNumber;
}

/** The elements inside an [n] constructed (EXPLICIT or IMPLICIT SEQUENCE/SET) tag. */
export function contextItems(node: Asn1 | undefined, tagNumber: number, what: string): Asn1[] {
  if (!node || !isContext(node, tagNumber)) throw asn1Error(what, `not a [${tagNumber}] object`);
  return constructedItems(node, what);
}

export function oid(node: Asn1 | undefined, what: string): string {
  if (!node || !isUniversal(node, UniversalTag.oid)) throw asn1Error(what, 'not an OBJECT IDENTIFIER');
  return (node as asn1js.ObjectIdentifier).getValue();
}

export function integer(node: Asn1 | undefined, what: string): bigint {
  if (!node || !isUniversal(node, UniversalTag.integer) || node.idBlock.isConstructed) throw asn1Error(what, 'not an INTEGER');
  if ((node as asn1js.Integer).valueBlock.valueHexView.length === 0) throw asn1Error(what, 'an empty INTEGER');
  return (node as asn1js.Integer).toBigInt();
}

/** The INTEGER's content octets (two's complement, as encoded): serial numbers are compared as these. */
export function integerBytes(node: Asn1 | undefined, what: string): Uint8Array {
  integer(node, what);
  return (node as asn1js.Integer).valueBlock.valueHexView;
}

export function smallInteger(node: Asn1 | undefined, what: string): number {
  const value = integer(node, what);
  if (value < 0n || value > 0xffff_ffffn) throw asn1Error(what, 'an INTEGER out of range');
  return Number(value);
}

/** OCTET STRING content; a BER constructed OCTET STRING is joined. */
export function octetString(node: Asn1 | undefined, what: string): Uint8Array {
  if (!node || !isUniversal(node, UniversalTag.octetString)) throw asn1Error(what, 'not an OCTET STRING');
  if (!node.idBlock.isConstructed) return (node as asn1js.OctetString).valueBlock.valueHexView;
  return Buffer.concat(constructedItems(node, what).map((part) => octetString(part, what)));
}

/** BIT STRING content; a key or a signature has no unused bits. */
export function bitString(node: Asn1 | undefined, what: string): Uint8Array {
  if (!node || !isUniversal(node, UniversalTag.bitString) || node.idBlock.isConstructed) throw asn1Error(what, 'not a BIT STRING');
  const block = (node as asn1js.BitString).valueBlock;
  if (block.unusedBits !== 0) throw asn1Error(what, 'a BIT STRING with unused bits');
  return block.valueHexView;
}

/** Named bits of a BIT STRING (KeyUsage): bit 0 is the first byte's top bit. */
export function namedBits(node: Asn1 | undefined, what: string): Set<number> {
  if (!node || !isUniversal(node, UniversalTag.bitString) || node.idBlock.isConstructed) throw asn1Error(what, 'not a BIT STRING');
  const bytes = (node as asn1js.BitString).valueBlock.valueHexView;
  const bits = new Set<number>();
  bytes.forEach((byte, i) => {
    for (let b = 0; b < 8; b++) if (byte & (0x80 >>> b)) bits.add(i * 8 + b);
  });
  return bits;
}

export function boolean(node: Asn1 | undefined, what: string): boolean {
  if (!node || !isUniversal(node, UniversalTag.boolean)) throw asn1Error(what, 'not a BOOLEAN');
  return (node as asn1js.Boolean).getValue();
}

export function isNull(node: Asn1 | undefined): boolean {
  return node !== undefined && isUniversal(node, UniversalTag.null);
}

export function time(node: Asn1 | undefined, what: string): Date {
  let date: Date;
  if (node && isUniversal(node, UniversalTag.utcTime)) date = (node as asn1js.UTCTime).toDate();
  else if (node && isUniversal(node, UniversalTag.generalizedTime)) date = (node as asn1js.GeneralizedTime).toDate();
  else throw asn1Error(what, 'not a UTCTime or GeneralizedTime');
  if (Number.isNaN(date.getTime())) throw asn1Error(what, 'not a valid time');
  return date;
}

const STRING_TAGS = new Set<number>([
  UniversalTag.utf8String, UniversalTag.printableString, UniversalTag.teletexString, UniversalTag.ia5String,
  UniversalTag.universalString, UniversalTag.bmpString,
]);

/** A directory string's text. */
export function text(node: Asn1 | undefined, what: string): string {
  if (!node || node.idBlock.tagClass !== UNIVERSAL || !STRING_TAGS.has(node.idBlock.tagNumber)) throw asn1Error(what, 'not a character string');
  return (node as asn1js.Utf8String).valueBlock.value;
}

export function isText(node: Asn1 | undefined): boolean {
  return node !== undefined && node.idBlock.tagClass === UNIVERSAL && STRING_TAGS.has(node.idBlock.tagNumber);
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }, parameters kept as DER. */
export interface AlgorithmIdentifier {
  oid: string;
  /** The parameters' encoding; null when absent (an explicit NULL is kept as 05 00). */
  parameters: Uint8Array | null;
}

export function algorithmIdentifier(node: Asn1 | undefined, what: string): AlgorithmIdentifier {
  const [id, parameters] = sequence(node, what, { min: 1, max: 2 });
  return { oid: oid(id, `${what}.algorithm`), parameters: parameters ? rawBytes(parameters) : null };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
