// SecurityInfos (ICAO 9303-11 §9.2, BSI TR-03110-3 A.1.1): the SET in EF.CardAccess that
// tells a reader which PACE variants the chip speaks, and the same structure inside DG14 that
// carries the Chip Authentication key and the Active Authentication signature algorithm.
// Parsing never fails on what it does not know: an unknown or malformed SecurityInfo is kept
// as `unknown` with the reason, because a chip that adds a newer protocol must still be read.
// The encoders write DER (SET OF sorted) so the chip simulator can produce both files.

import { DeviceError } from '../device-error.js';
import { readTlv } from './ber-tlv.js';
import type { SmCipher } from './chip-crypto.js';
import {
  algorithmIdentifier, encodeAlgorithmIdentifier, encodeInteger, encodeOctetString, encodeOid, encodeSequence, encodeSetOf,
  encodeSubjectPublicKeyInfo, octetString, oid, parseDer, rawBytes, sequence, set, smallInteger, subjectPublicKeyInfo, UniversalTag,
  type AlgorithmIdentifier, type Asn1, type SubjectPublicKeyInfo,
} from './der.js';
import { KeyAlgorithmOid } from './ec-curves.js';

const BSI = '0.4.0.127.0.7';

export const SecurityProtocolOid = {
  /** id-PACE; PACEInfo protocols are id-PACE.<mapping>.<cipher>. */
  pace: `${BSI}.2.2.4`,
  /** id-CA; ChipAuthenticationInfo protocols are id-CA.<DH 1 | ECDH 2>.<cipher>. */
  chipAuthentication: `${BSI}.2.2.3`,
  pkDh: KeyAlgorithmOid.pkDh,
  pkEcdh: KeyAlgorithmOid.pkEcdh,
  terminalAuthentication: `${BSI}.2.2.2`,
  /** id-icao-mrtd-security-aaProtocolObject (9303-11 §9.2.8). */
  activeAuthentication: '2.23.136.1.1.5',
} as const;

export type KeyAgreement = 'DH' | 'ECDH';
/** Generic, Integrated and Chip Authentication mapping (9303-11 §4.4.3.3). */
export type PaceMapping = 'GM' | 'IM' | 'CAM';

const CIPHER_SUFFIX: Readonly<Record<number, { cipher: SmCipher; name: string }>> = {
  1: { cipher: '3des', name: '3DES-CBC-CBC' },
  2: { cipher: 'aes-128', name: 'AES-CBC-CMAC-128' },
  3: { cipher: 'aes-192', name: 'AES-CBC-CMAC-192' },
  4: { cipher: 'aes-256', name: 'AES-CBC-CMAC-256' },
};

const PACE_FAMILIES: Readonly<Record<number, { mapping: PaceMapping; keyAgreement: KeyAgreement }>> = {
  1: { mapping: 'GM', keyAgreement: 'DH' },
  2: { mapping: 'GM', keyAgreement: 'ECDH' },
  3: { mapping: 'IM', keyAgreement: 'DH' },
  4: { mapping: 'IM', keyAgreement: 'ECDH' },
  6: { mapping: 'CAM', keyAgreement: 'ECDH' },
};

export interface PaceSuite {
  /** The OID's name in 9303-11 §9.2.3, e.g. id-PACE-ECDH-GM-AES-CBC-CMAC-128. */
  readonly name: string;
  readonly mapping: PaceMapping;
  readonly keyAgreement: KeyAgreement;
  readonly cipher: SmCipher;
}

function arcsAfter(oid: string, prefix: string): number[] | undefined {
  if (!oid.startsWith(`${prefix}.`)) return undefined;
  return oid.slice(prefix.length + 1).split('.').map(Number);
}

/** What a PACEInfo protocol OID stands for, or undefined when it is not one. */
export function describePaceProtocol(protocol: string): PaceSuite | undefined {
  const arcs = arcsAfter(protocol, SecurityProtocolOid.pace);
  if (arcs?.length !== 2) return undefined;
  const family = PACE_FAMILIES[arcs[0]!];
  const suffix = CIPHER_SUFFIX[arcs[1]!];
  if (!family || !suffix || (family.mapping === 'CAM' && suffix.cipher === '3des')) return undefined;
  return { name: `id-PACE-${family.keyAgreement}-${family.mapping}-${suffix.name}`, ...family, cipher: suffix.cipher };
}

/** The mapping family of a PACEDomainParameterInfo protocol (id-PACE-ECDH-GM …), or undefined. */
export function describePaceFamily(protocol: string): { mapping: PaceMapping; keyAgreement: KeyAgreement } | undefined {
  const arcs = arcsAfter(protocol, SecurityProtocolOid.pace);
  return arcs?.length === 1 ? PACE_FAMILIES[arcs[0]!] : undefined;
}

/** The OID of a PACE suite. */
export function paceProtocolOid(keyAgreement: KeyAgreement, mapping: PaceMapping, cipher: SmCipher): string {
  const family = Object.entries(PACE_FAMILIES).find(([, value]) => value.mapping === mapping && value.keyAgreement === keyAgreement)?.[0];
  const suffix = Object.entries(CIPHER_SUFFIX).find(([, value]) => value.cipher === cipher)![0];
  const oid = `${SecurityProtocolOid.pace}.${family}.${suffix}`;
  if (!family || !describePaceProtocol(oid)) throw new RangeError(`no PACE suite ${keyAgreement}-${mapping} with ${cipher}`);
  return oid;
}

export interface ChipAuthenticationSuite {
  /** e.g. id-CA-ECDH-AES-CBC-CMAC-128. */
  readonly name: string;
  readonly keyAgreement: KeyAgreement;
  readonly cipher: SmCipher;
}

export function describeChipAuthenticationProtocol(protocol: string): ChipAuthenticationSuite | undefined {
  const arcs = arcsAfter(protocol, SecurityProtocolOid.chipAuthentication);
  if (arcs?.length !== 2 || (arcs[0] !== 1 && arcs[0] !== 2)) return undefined;
  const suffix = CIPHER_SUFFIX[arcs[1]!];
  if (!suffix) return undefined;
  const keyAgreement: KeyAgreement = arcs[0] === 1 ? 'DH' : 'ECDH';
  return { name: `id-CA-${keyAgreement}-${suffix.name}`, keyAgreement, cipher: suffix.cipher };
}

export function chipAuthenticationProtocolOid(keyAgreement: KeyAgreement, cipher: SmCipher): string {
  const suffix = Object.entries(CIPHER_SUFFIX).find(([, value]) => value.cipher === cipher)![0];
  return `${SecurityProtocolOid.chipAuthentication}.${keyAgreement === 'DH' ? 1 : 2}.${suffix}`;
}

// --- the SecurityInfo kinds ----------------------------------------------------------------

export interface PaceInfo {
  readonly type: 'PACEInfo';
  readonly protocol: string;
  /** 2 for every chip following 9303-11. */
  readonly version: number;
  /** A standardized domain parameter id (0–31), or the id of a PACEDomainParameterInfo. */
  readonly parameterId?: number;
  readonly suite: PaceSuite;
}

export interface PaceDomainParameterInfo {
  readonly type: 'PACEDomainParameterInfo';
  /** The mapping family (id-PACE-ECDH-GM …). */
  readonly protocol: string;
  readonly domainParameter: AlgorithmIdentifier;
  readonly parameterId?: number;
}

export interface ChipAuthenticationInfo {
  readonly type: 'ChipAuthenticationInfo';
  readonly protocol: string;
  /** 1 for CA as 9303-11 §6.2 describes it. */
  readonly version: number;
  readonly keyId?: number;
  readonly suite: ChipAuthenticationSuite;
}

export interface ChipAuthenticationPublicKeyInfo {
  readonly type: 'ChipAuthenticationPublicKeyInfo';
  /** id-PK-DH or id-PK-ECDH. */
  readonly protocol: string;
  readonly keyAgreement: KeyAgreement;
  readonly publicKey: SubjectPublicKeyInfo;
  readonly keyId?: number;
}

export interface ActiveAuthenticationInfo {
  readonly type: 'ActiveAuthenticationInfo';
  readonly protocol: string;
  readonly version: number;
  /** The ECDSA signature algorithm OID (ecdsa-plain-SHA256, ecdsa-with-SHA256 …). */
  readonly signatureAlgorithm: string;
}

/** Recognised so it is not reported as unknown; Terminal Authentication is not performed. */
export interface TerminalAuthenticationInfo {
  readonly type: 'TerminalAuthenticationInfo';
  readonly protocol: string;
  readonly version: number;
  readonly efCvca?: { readonly fid: Uint8Array; readonly sfid?: Uint8Array };
}

export interface UnknownSecurityInfo {
  readonly type: 'unknown';
  /** The protocol OID when the element had one. */
  readonly protocol?: string;
  /** The whole element, re-encoded as it came. */
  readonly der: Uint8Array;
  /** Why a recognised protocol could not be read (absent for protocols we do not know). */
  readonly problem?: string;
}

export type SecurityInfo =
  | PaceInfo
  | PaceDomainParameterInfo
  | ChipAuthenticationInfo
  | ChipAuthenticationPublicKeyInfo
  | ActiveAuthenticationInfo
  | TerminalAuthenticationInfo
  | UnknownSecurityInfo;

export type SecurityInfoType = SecurityInfo['type'];

/** The infos of one kind, typed. */
export function infosOfType<T extends SecurityInfoType>(infos: readonly SecurityInfo[], type: T): Extract<SecurityInfo, { type: T }>[] {
  return infos.filter((info): info is Extract<SecurityInfo, { type: T }> => info.type === type);
}

/** A PACEInfo for `protocol` (version 2), as a chip lists it. */
export function paceInfo(protocol: string, parameterId?: number): PaceInfo {
  const suite = describePaceProtocol(protocol);
  if (!suite) throw new RangeError(`${protocol} is not a PACE protocol`);
  return { type: 'PACEInfo', protocol, version: 2, ...(parameterId === undefined ? {} : { parameterId }), suite };
}

/** A ChipAuthenticationInfo for `protocol` (version 1). */
export function chipAuthenticationInfo(protocol: string, keyId?: number): ChipAuthenticationInfo {
  const suite = describeChipAuthenticationProtocol(protocol);
  if (!suite) throw new RangeError(`${protocol} is not a Chip Authentication protocol`);
  return { type: 'ChipAuthenticationInfo', protocol, version: 1, ...(keyId === undefined ? {} : { keyId }), suite };
}

// --- parsing -------------------------------------------------------------------------------

function optionalInteger(node: Asn1 | undefined, what: string): number | undefined {
  return node === undefined ? undefined : smallInteger(node, what);
}

function noMore(rest: readonly Asn1[], what: string): void {
  if (rest.length > 0) throw new Error(`${rest.length} unexpected element(s) after the ${what}`);
}

function withOptional<T extends object, K extends string, V>(base: T, key: K, value: V | undefined): T & Partial<Record<K, V>> {
  return value === undefined ? base : { ...base, [key]: value };
}

function parseKnown(protocol: string, rest: readonly Asn1[]): SecurityInfo | undefined {
  const paceSuite = describePaceProtocol(protocol);
  if (paceSuite) {
    const [version, parameterId, ...extra] = rest;
    noMore(extra, 'PACEInfo');
    return withOptional({ type: 'PACEInfo' as const, protocol, version: smallInteger(version, 'version'), suite: paceSuite },
      'parameterId', optionalInteger(parameterId, 'parameterId'));
  }
  if (describePaceFamily(protocol)) {
    const [domainParameter, parameterId, ...extra] = rest;
    noMore(extra, 'PACEDomainParameterInfo');
    return withOptional({ type: 'PACEDomainParameterInfo' as const, protocol, domainParameter: algorithmIdentifier(domainParameter, 'domainParameter') },
      'parameterId', optionalInteger(parameterId, 'parameterId'));
  }
  const caSuite = describeChipAuthenticationProtocol(protocol);
  if (caSuite) {
    const [version, keyId, ...extra] = rest;
    noMore(extra, 'ChipAuthenticationInfo');
    return withOptional({ type: 'ChipAuthenticationInfo' as const, protocol, version: smallInteger(version, 'version'), suite: caSuite },
      'keyId', optionalInteger(keyId, 'keyId'));
  }
  if (protocol === SecurityProtocolOid.pkDh || protocol === SecurityProtocolOid.pkEcdh) {
    const [publicKey, keyId, ...extra] = rest;
    noMore(extra, 'ChipAuthenticationPublicKeyInfo');
    return withOptional({
      type: 'ChipAuthenticationPublicKeyInfo' as const,
      protocol,
      keyAgreement: (protocol === SecurityProtocolOid.pkDh ? 'DH' : 'ECDH') as KeyAgreement,
      publicKey: subjectPublicKeyInfo(publicKey, 'chipAuthenticationPublicKey'),
    }, 'keyId', optionalInteger(keyId, 'keyId'));
  }
  if (protocol === SecurityProtocolOid.activeAuthentication) {
    const [version, signatureAlgorithm, ...extra] = rest;
    noMore(extra, 'ActiveAuthenticationInfo');
    return {
      type: 'ActiveAuthenticationInfo',
      protocol,
      version: smallInteger(version, 'version'),
      signatureAlgorithm: oid(signatureAlgorithm, 'signatureAlgorithm'),
    };
  }
  if (protocol === SecurityProtocolOid.terminalAuthentication) {
    const [version, fileId, ...extra] = rest;
    noMore(extra, 'TerminalAuthenticationInfo');
    const base = { type: 'TerminalAuthenticationInfo' as const, protocol, version: smallInteger(version, 'version') };
    if (!fileId) return base;
    const [fid, sfid, ...more] = sequence(fileId, 'efCVCA');
    noMore(more, 'efCVCA');
    const fidBytes = octetString(fid, 'efCVCA fid');
    if (fidBytes.length !== 2) throw new Error(`efCVCA fid of ${fidBytes.length} bytes`);
    const sfidBytes = sfid ? octetString(sfid, 'efCVCA sfid') : undefined;
    if (sfidBytes && sfidBytes.length !== 1) throw new Error(`efCVCA sfid of ${sfidBytes.length} bytes`);
    return { ...base, efCvca: sfidBytes ? { fid: Uint8Array.from(fidBytes), sfid: Uint8Array.from(sfidBytes) } : { fid: Uint8Array.from(fidBytes) } };
  }
  return undefined;
}

function parseSecurityInfo(element: Asn1): SecurityInfo {
  const der = Uint8Array.from(rawBytes(element));
  let protocol: string;
  let rest: Asn1[];
  try {
    const [first, ...others] = sequence(element, 'SecurityInfo');
    protocol = oid(first, 'protocol');
    rest = others;
  } catch (error) {
    const isSequence = element.idBlock.tagClass === 1 && element.idBlock.tagNumber === UniversalTag.sequence;
    return { type: 'unknown', der, problem: isSequence ? `no protocol OID: ${(error as Error).message}` : 'not a SEQUENCE' };
  }
  try {
    return parseKnown(protocol, rest) ?? { type: 'unknown', protocol, der };
  } catch (error) {
    return { type: 'unknown', protocol, der, problem: (error as Error).message };
  }
}

/**
 * The SecurityInfos in EF.CardAccess (a DER SET) or in DG14 (the same SET inside tag 6E).
 * Throws CHIP_SECURITY_INFOS_MALFORMED only when the SET itself cannot be read.
 */
export function parseSecurityInfos(bytes: Uint8Array): SecurityInfo[] {
  try {
    const { tlv, next } = readTlv(bytes, 0);
    const setBytes = tlv.tag === 0x6e && next === bytes.length ? tlv.value : bytes;
    return set(parseDer(setBytes, 'SecurityInfos'), 'SecurityInfos').map(parseSecurityInfo);
  } catch (error) {
    throw new DeviceError('CHIP_SECURITY_INFOS_MALFORMED',
      `The chip's list of security protocols (EF.CardAccess or DG14) could not be read: ${(error as Error).message}`,
      { reason: (error as Error).message });
  }
}

// --- encoding ------------------------------------------------------------------------------

function optionalIntegerElement(value: number | undefined): Uint8Array[] {
  return value === undefined ? [] : [encodeInteger(value)];
}

export function encodeSecurityInfo(info: SecurityInfo): Uint8Array {
  switch (info.type) {
    case 'PACEInfo':
      return encodeSequence([encodeOid(info.protocol), encodeInteger(info.version), ...optionalIntegerElement(info.parameterId)]);
    case 'PACEDomainParameterInfo':
      return encodeSequence([encodeOid(info.protocol), encodeAlgorithmIdentifier(info.domainParameter), ...optionalIntegerElement(info.parameterId)]);
    case 'ChipAuthenticationInfo':
      return encodeSequence([encodeOid(info.protocol), encodeInteger(info.version), ...optionalIntegerElement(info.keyId)]);
    case 'ChipAuthenticationPublicKeyInfo':
      return encodeSequence([encodeOid(info.protocol), encodeSubjectPublicKeyInfo(info.publicKey), ...optionalIntegerElement(info.keyId)]);
    case 'ActiveAuthenticationInfo':
      return encodeSequence([encodeOid(info.protocol), encodeInteger(info.version), encodeOid(info.signatureAlgorithm)]);
    case 'TerminalAuthenticationInfo': {
      const fileId = info.efCvca
        ? [encodeSequence([encodeOctetString(info.efCvca.fid), ...(info.efCvca.sfid ? [encodeOctetString(info.efCvca.sfid)] : [])])]
        : [];
      return encodeSequence([encodeOid(info.protocol), encodeInteger(info.version), ...fileId]);
    }
    case 'unknown':
      return Uint8Array.from(info.der);
  }
}

/** The DER SET OF EF.CardAccess (and of DG14's content, which the LDS wraps in tag 6E). */
export function encodeSecurityInfos(infos: readonly SecurityInfo[]): Uint8Array {
  return encodeSetOf(infos.map(encodeSecurityInfo));
}
