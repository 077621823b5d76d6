// DER (ITU-T X.690) for everything the chip and its PKI write in ASN.1: the SecurityInfos of
// EF.CardAccess and DG14, the keys of DG14 and DG15, curve parameters, certificates, CMS and the
// LDS security object. Reading goes through asn1js behind one accessor per ASN.1 type, each
// refusing anything else with ASN1_MALFORMED and a path that says where ("SignerInfo.signedAttrs");
// the structure is walked first because asn1js tolerates lengths that disagree, and OBJECT
// IDENTIFIERs are decoded here because asn1js garbles arcs above 2^53. The small structures the
// reader and the simulator write (OIDs, INTEGERs, SEQUENCEs, keys) are encoded on top of
// ber-tlv, in DER. Integers are bigint; OIDs are dotted strings ("0.4.0.127.0.7.2.2.4.2.2").

import * as asn1js from 'asn1js';
import { DeviceError } from '../device-error.js';
import { encodeTlv, readTlv } from './ber-tlv.js';

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

// --- reading -------------------------------------------------------------------------------

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

/** The dotted form of an OID's content octets; refuses empty, cut-off and non-minimal subidentifiers. */
export function decodeOidContent(content: Uint8Array, what = 'OBJECT IDENTIFIER'): string {
  if (content.length === 0) throw asn1Error(what, 'an empty OBJECT IDENTIFIER');
  if (content[content.length - 1]! & 0x80) throw asn1Error(what, 'an OBJECT IDENTIFIER ending inside a subidentifier');
  const arcs: bigint[] = [];
  let value = 0n;
  let fresh = true;
  for (const byte of content) {
    if (fresh && byte === 0x80) throw asn1Error(what, 'an OBJECT IDENTIFIER subidentifier with a leading 80');
    value = (value << 7n) | BigInt(byte & 0x7f);
    fresh = (byte & 0x80) === 0;
    if (fresh) {
      arcs.push(value);
      value = 0n;
    }
  }
  const head = arcs[0]!;
  const first = head < 40n ? 0n : head < 80n ? 1n : 2n;
  return [first, head - first * 40n, ...arcs.slice(1)].join('.');
}

export function oid(node: Asn1 | undefined, what: string): string {
  if (!node || !isUniversal(node, UniversalTag.oid) || node.idBlock.isConstructed) throw asn1Error(what, 'not an OBJECT IDENTIFIER');
  // A node built in code rather than read has no bytes of its own yet.
  const encoded = rawBytes(node).length > 0 ? rawBytes(node) : new Uint8Array(node.toBER(false));
  return decodeOidContent(readTlv(encoded).tlv.value, what);
}

export function integer(node: Asn1 | undefined, what: string): bigint {
  if (!node || !isUniversal(node, UniversalTag.integer) || node.idBlock.isConstructed) throw asn1Error(what, 'not an INTEGER');
  if ((node as asn1js.Integer).valueBlock.valueHexView.length === 0) throw asn1Error(what, 'an empty INTEGER');
  return (node as asn1js.Integer).toBigInt();
}

/** A non-negative INTEGER (a modulus, a coordinate, a curve order). */
export function unsignedInteger(node: Asn1 | undefined, what: string): bigint {
  const value = integer(node, what);
  if (value < 0n) throw asn1Error(what, 'a negative INTEGER');
  return value;
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
  readonly oid: string;
  /** The parameters' encoding; null when absent (an explicit NULL is kept as 05 00). */
  readonly parameters: Uint8Array | null;
}

export function algorithmIdentifier(node: Asn1 | undefined, what: string): AlgorithmIdentifier {
  const [id, parameters] = sequence(node, what, { min: 1, max: 2 });
  return { oid: oid(id, `${what}.algorithm`), parameters: parameters ? rawBytes(parameters) : null };
}

/** X.509 SubjectPublicKeyInfo: the key's algorithm and the BIT STRING's bytes (an EC point, an RSAPublicKey …). */
export interface SubjectPublicKeyInfo {
  readonly algorithm: AlgorithmIdentifier;
  readonly subjectPublicKey: Uint8Array;
}

export function subjectPublicKeyInfo(node: Asn1 | undefined, what: string): SubjectPublicKeyInfo {
  const [algorithm, key] = sequence(node, what, { min: 2, max: 2 });
  return { algorithm: algorithmIdentifier(algorithm, `${what}.algorithm`), subjectPublicKey: bitString(key, `${what}.subjectPublicKey`) };
}

// --- writing -------------------------------------------------------------------------------

const OID_PATTERN = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** The content octets of an OID (without tag and length). */
export function oidContent(dotted: string): Uint8Array {
  if (!OID_PATTERN.test(dotted)) throw new RangeError(`OID ${dotted}`);
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const [first, second, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  if (first < 2n && second > 39n) throw new RangeError(`OID ${dotted}: second arc above 39`);
  const bytes: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let rest7 = arc >> 7n; rest7 > 0n; rest7 >>= 7n) group.unshift(Number(rest7 & 0x7fn) | 0x80);
    bytes.push(...group);
  }
  return Uint8Array.from(bytes);
}

export function encodeOid(dotted: string): Uint8Array {
  return encodeTlv(UniversalTag.oid, oidContent(dotted));
}

/** A non-negative INTEGER in minimal two's-complement form. */
export function encodeInteger(value: bigint | number): Uint8Array {
  const n = BigInt(value);
  if (n < 0n) throw new RangeError('negative INTEGER');
  const hex = n.toString(16);
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Uint8Array.of(0), bytes]);
  return encodeTlv(UniversalTag.integer, bytes);
}

export function encodeOctetString(bytes: Uint8Array): Uint8Array {
  return encodeTlv(UniversalTag.octetString, bytes);
}

/** A BIT STRING of whole bytes (no unused bits), as keys are. */
function encodeBitString(bytes: Uint8Array): Uint8Array {
  return encodeTlv(UniversalTag.bitString, Buffer.concat([Uint8Array.of(0), bytes]));
}

export function encodeSequence(elements: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(0x20 | UniversalTag.sequence, elements);
}

/** A SET OF in DER order: elements sorted by their encodings (X.690 §11.6). */
export function encodeSetOf(elements: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(0x20 | UniversalTag.set, [...elements].sort((a, b) => Buffer.compare(a, b)));
}

export function encodeAlgorithmIdentifier({ oid: algorithm, parameters }: AlgorithmIdentifier): Uint8Array {
  return encodeSequence(parameters ? [encodeOid(algorithm), parameters] : [encodeOid(algorithm)]);
}

export function encodeSubjectPublicKeyInfo({ algorithm, subjectPublicKey }: SubjectPublicKeyInfo): Uint8Array {
  return encodeSequence([encodeAlgorithmIdentifier(algorithm), encodeBitString(subjectPublicKey)]);
}

// --- bytes and integers --------------------------------------------------------------------

export function bigintFromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** `value` as exactly `length` big-endian bytes (FE2OS / I2OSP). */
export function bytesFromBigint(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new RangeError('negative integer');
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new RangeError(`integer does not fit ${length} bytes`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
