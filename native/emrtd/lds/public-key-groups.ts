// DG14 and DG15 as other modules need them: DG14 (6E) wraps the SecurityInfos of Chip
// Authentication and PACE, which security-infos.ts parses; DG15 (6F) wraps the Active
// Authentication public key as a SubjectPublicKeyInfo. Here they are only unwrapped and
// checked to be one DER SET and one SubjectPublicKeyInfo, so a caller never gets trailing
// garbage or a truncated structure.

import { DeviceError } from '../../device-error.js';
import { encodeTlv, readTlv } from '../ber-tlv.js';
import { algorithmIdentifier, bitString, parseDer, sequence } from '../der.js';
import { DATA_GROUP_FILES } from './lds-files.js';
import { ldsError, unwrapLdsFile, withinFile } from './lds-codec.js';

const DG14 = DATA_GROUP_FILES[13]!;
const DG15 = DATA_GROUP_FILES[14]!;
const DER_SET = 0x31;
const DER_SEQUENCE = 0x30;

export interface Dg14 {
  /** The DER SET OF SecurityInfo (starts with 31), for security-infos.ts. */
  securityInfos: Uint8Array;
}

export interface Dg15 {
  /** The Active Authentication key as a DER SubjectPublicKeyInfo. */
  subjectPublicKeyInfo: Uint8Array;
  /** Its algorithm OID: 1.2.840.113549.1.1.1 (RSA) or 1.2.840.10045.2.1 (EC). */
  algorithm: string;
}

function singleDerObject(file: 'DG14' | 'DG15', value: Uint8Array, tag: number, what: string): void {
  withinFile(file, () => {
    const { tlv, next } = readTlv(value, 0);
    if (tlv.tag !== tag) throw ldsError(file, `its content is not ${what}`);
    if (next !== value.length) throw ldsError(file, `${value.length - next} bytes follow ${what}`);
  });
}

export function decodeDg14(bytes: Uint8Array): Dg14 {
  const value = unwrapLdsFile(bytes, DG14);
  singleDerObject('DG14', value, DER_SET, 'a SET OF SecurityInfo');
  return { securityInfos: value };
}

export function decodeDg15(bytes: Uint8Array): Dg15 {
  const value = unwrapLdsFile(bytes, DG15);
  singleDerObject('DG15', value, DER_SEQUENCE, 'a SubjectPublicKeyInfo');
  try {
    const [algorithm, key] = sequence(parseDer(value, 'DG15 SubjectPublicKeyInfo'), 'DG15 SubjectPublicKeyInfo', { min: 2, max: 2 });
    bitString(key, 'DG15 subjectPublicKey');
    return { subjectPublicKeyInfo: value, algorithm: algorithmIdentifier(algorithm, 'DG15 algorithm').oid };
  } catch (error) {
    if (error instanceof DeviceError && error.code === 'ASN1_MALFORMED') throw ldsError('DG15', String(error.details.reason), { what: error.details.what });
    throw error;
  }
}

export function encodeDg14(securityInfos: Uint8Array): Uint8Array {
  if (securityInfos[0] !== DER_SET) throw new RangeError('DG14 takes a DER SET OF SecurityInfo');
  return encodeTlv(DG14.tag!, securityInfos);
}

export function encodeDg15(subjectPublicKeyInfo: Uint8Array): Uint8Array {
  if (subjectPublicKeyInfo[0] !== DER_SEQUENCE) throw new RangeError('DG15 takes a DER SubjectPublicKeyInfo');
  return encodeTlv(DG15.tag!, subjectPublicKeyInfo);
}
