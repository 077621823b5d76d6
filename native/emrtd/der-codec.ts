// The few DER (ITU-T X.690) building blocks the chip's security information is made of —
// OBJECT IDENTIFIER, INTEGER, OCTET and BIT STRING, SEQUENCE, AlgorithmIdentifier and
// SubjectPublicKeyInfo — read and written on top of ber-tlv, so EF.CardAccess, DG14 and DG15
// are held to the same strictness (definite lengths, nothing trailing) as the rest of the chip's
// data. Integers are bigint; OIDs are dotted strings ("0.4.0.127.0.7.2.2.4.2.2").

import { DeviceError } from '../device-error.js';
import { encodeTlv, readTlv, readTlvs, type Tlv } from './ber-tlv.js';

export const DerTag = {
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  Sequence: 0x30,
  Set: 0x31,
} as const;

export function derError(reason: string, details: Record<string, unknown> = {}): DeviceError {
  return new DeviceError('CHIP_DER_MALFORMED', `The chip's security data is not valid DER (${reason}).`, { reason, ...details });
}

/** The single TLV `bytes` consist of, which must carry `tag`. */
export function readSingle(bytes: Uint8Array, tag: number, what: string): Uint8Array {
  const { tlv, next } = readTlv(bytes, 0);
  if (next !== bytes.length) throw derError(`${bytes.length - next} bytes after the ${what}`);
  return expectTag(tlv, tag, what);
}

/** The value of `tlv`, which must carry `tag`. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Uint8Array {
  if (!tlv) throw derError(`${what} missing`);
  if (tlv.tag !== tag) throw derError(`${what} has tag ${tlv.tag.toString(16)}, expected ${tag.toString(16)}`);
  return tlv.value;
}

/** The elements of a SEQUENCE (or SET) given as its value bytes. */
export function readElements(value: Uint8Array): Tlv[] {
  return readTlvs(value);
}

/** A whole TLV re-encoded from its parts (definite, shortest length: what DER requires). */
export function encodeElement(tlv: Tlv): Uint8Array {
  return encodeTlv(tlv.tag, tlv.value);
}

export function encodeSequence(elements: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(DerTag.Sequence, elements);
}

/** A SET OF in DER order: elements sorted by their encodings (X.690 §11.6). */
export function encodeSetOf(elements: readonly Uint8Array[]): Uint8Array {
  const sorted = [...elements].sort((a, b) => Buffer.compare(a, b));
  return encodeTlv(DerTag.Set, sorted);
}

// --- OBJECT IDENTIFIER -------------------------------------------------------------------

const OID_PATTERN = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** The content octets of an OID (without tag and length). */
export function oidContent(oid: string): Uint8Array {
  if (!OID_PATTERN.test(oid)) throw new RangeError(`OID ${oid}`);
  const arcs = oid.split('.').map((arc) => BigInt(arc));
  const [first, second, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  if (first < 2n && second > 39n) throw new RangeError(`OID ${oid}: second arc above 39`);
  const bytes: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let rest7 = arc >> 7n; rest7 > 0n; rest7 >>= 7n) group.unshift(Number(rest7 & 0x7fn) | 0x80);
    bytes.push(...group);
  }
  return Uint8Array.from(bytes);
}

export function encodeOid(oid: string): Uint8Array {
  return encodeTlv(DerTag.ObjectIdentifier, oidContent(oid));
}

/** The dotted form of an OID's content octets; refuses non-minimal subidentifiers. */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw derError('empty OBJECT IDENTIFIER');
  if (content[content.length - 1]! & 0x80) throw derError('OBJECT IDENTIFIER ends inside a subidentifier');
  const arcs: bigint[] = [];
  let value = 0n;
  let fresh = true;
  for (const byte of content) {
    if (fresh && byte === 0x80) throw derError('OBJECT IDENTIFIER subidentifier with a leading 80');
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

// --- INTEGER -------------------------------------------------------------------------------

/** A non-negative INTEGER in minimal two's-complement form. */
export function encodeInteger(value: bigint | number): Uint8Array {
  const n = BigInt(value);
  if (n < 0n) throw new RangeError('negative INTEGER');
  const hex = n.toString(16);
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Uint8Array.of(0), bytes]);
  return encodeTlv(DerTag.Integer, bytes);
}

/** An INTEGER's content octets as a non-negative bigint; refuses negative and non-minimal forms. */
export function decodeUnsignedInteger(content: Uint8Array, what: string): bigint {
  if (content.length === 0) throw derError(`empty INTEGER (${what})`);
  if (content[0]! & 0x80) throw derError(`negative INTEGER (${what})`);
  if (content.length > 1 && content[0] === 0 && !(content[1]! & 0x80)) throw derError(`non-minimal INTEGER (${what})`);
  return bigintFromBytes(content);
}

/** A small non-negative INTEGER (versions, key ids, parameter ids) as a number. */
export function decodeSmallInteger(content: Uint8Array, what: string): number {
  const value = decodeUnsignedInteger(content, what);
  if (value > 0x7fff_ffffn) throw derError(`INTEGER ${what} out of range`);
  return Number(value);
}

// --- BIT STRING ----------------------------------------------------------------------------

/** A BIT STRING of whole bytes (no unused bits), as keys are. */
export function encodeBitString(bytes: Uint8Array): Uint8Array {
  return encodeTlv(DerTag.BitString, Buffer.concat([Uint8Array.of(0), bytes]));
}

export function decodeBitString(content: Uint8Array, what: string): Uint8Array {
  if (content.length === 0 || content[0] !== 0) throw derError(`BIT STRING ${what} with unused bits`);
  return content.subarray(1);
}

// --- AlgorithmIdentifier, SubjectPublicKeyInfo ---------------------------------------------

/** X.509 AlgorithmIdentifier; `parameters` is the whole DER element (an OID, a SEQUENCE, an INTEGER …). */
export interface AlgorithmIdentifier {
  readonly algorithm: string;
  readonly parameters?: Uint8Array;
}

export function decodeAlgorithmIdentifier(content: Uint8Array): AlgorithmIdentifier {
  const [algorithm, parameters, ...extra] = readElements(content);
  if (extra.length > 0) throw derError('AlgorithmIdentifier with more than two elements');
  const oid = decodeOid(expectTag(algorithm, DerTag.ObjectIdentifier, 'algorithm OID'));
  return parameters ? { algorithm: oid, parameters: Uint8Array.from(encodeElement(parameters)) } : { algorithm: oid };
}

export function encodeAlgorithmIdentifier({ algorithm, parameters }: AlgorithmIdentifier): Uint8Array {
  return encodeSequence(parameters ? [encodeOid(algorithm), parameters] : [encodeOid(algorithm)]);
}

/** X.509 SubjectPublicKeyInfo: the key's algorithm and the BIT STRING's bytes (an EC point, an RSAPublicKey …). */
export interface SubjectPublicKeyInfo {
  readonly algorithm: AlgorithmIdentifier;
  readonly subjectPublicKey: Uint8Array;
}

/** Reads a SubjectPublicKeyInfo given as the SEQUENCE's value bytes. */
export function decodeSubjectPublicKeyInfoContent(content: Uint8Array): SubjectPublicKeyInfo {
  const [algorithm, key, ...extra] = readElements(content);
  if (extra.length > 0) throw derError('SubjectPublicKeyInfo with more than two elements');
  return {
    algorithm: decodeAlgorithmIdentifier(expectTag(algorithm, DerTag.Sequence, 'SubjectPublicKeyInfo algorithm')),
    subjectPublicKey: Uint8Array.from(decodeBitString(expectTag(key, DerTag.BitString, 'subjectPublicKey'), 'subjectPublicKey')),
  };
}

/** Reads a whole DER SubjectPublicKeyInfo (DG15's content). */
export function decodeSubjectPublicKeyInfo(der: Uint8Array): SubjectPublicKeyInfo {
  return decodeSubjectPublicKeyInfoContent(readSingle(der, DerTag.Sequence, 'SubjectPublicKeyInfo'));
}

export function encodeSubjectPublicKeyInfo({ algorithm, subjectPublicKey }: SubjectPublicKeyInfo): Uint8Array {
  return encodeSequence([encodeAlgorithmIdentifier(algorithm), encodeBitString(subjectPublicKey)]);
}

// --- byte ↔ integer ------------------------------------------------------------------------

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
