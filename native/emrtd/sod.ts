// EF.SOD, the Document Security Object (9303-10 §4.6.2): tag 77 around a CMS SignedData whose
// content (eContentType 2.23.136.1.1.1) is the LDSSecurityObject — the hash of every data
// group the issuer wrote — signed by the Document Signer whose certificate travels inside.
// Decoding checks the shape only; whether it is genuine is passive-authentication.ts's job.
// The builder is for the test passport and the chip simulator.
//
//   LDSSecurityObject ::= SEQUENCE { version INTEGER (v0 | v1), hashAlgorithm AlgorithmIdentifier,
//     dataGroupHashValues SEQUENCE SIZE (2..16) OF SEQUENCE { dataGroupNumber INTEGER,
//     dataGroupHashValue OCTET STRING }, ldsVersionInfo SEQUENCE { ldsVersion PrintableString,
//     unicodeVersion PrintableString } OPTIONAL -- present only with v1 }

import * as asn1js from 'asn1js';
import { DeviceError } from '../device-error.js';
import { encodeTlv } from './ber-tlv.js';
import { EF_SOD, isDataGroupNumber, type DataGroupNumber } from './lds/lds-files.js';
import { unwrapLdsFile } from './lds/lds-codec.js';
import { algorithmIdentifier, asn1Error, octetString, parseDer, sequence, smallInteger, text, type AlgorithmIdentifier } from './der.js';
import { algorithmNode, digest, HASH_LENGTHS, hashAlgorithmIdentifier, hashByOid, type HashName } from './pki/algorithms.js';
import { buildSignedData, findSignerCertificate, parseSignedData, type BuildSignedDataOptions, type CmsSignedData, type CmsSignerInfo, type SignedDataSigner } from './pki/cms.js';
import type { ParsedCertificate } from './pki/x509.js';

export const LDS_SECURITY_OBJECT_OID = '2.23.136.1.1.1';

export interface LdsSecurityObject {
  version: number;
  hashAlgorithm: AlgorithmIdentifier;
  /** null when the hash algorithm is one the kiosk does not know (Passive Authentication then cannot check). */
  hash: HashName | null;
  dataGroupHashes: ReadonlyMap<DataGroupNumber, Uint8Array>;
  ldsVersionInfo: { ldsVersion: string; unicodeVersion: string } | null;
}

export interface DocumentSecurityObject {
  signedData: CmsSignedData;
  signer: CmsSignerInfo;
  securityObject: LdsSecurityObject;
  /** The Document Signer certificate the signer identifier names, or null when the SOD carries none. */
  documentSigner: ParsedCertificate | null;
}

function sodError(reason: string, details: Record<string, unknown> = {}): DeviceError {
  return new DeviceError('SOD_MALFORMED', `The chip's EF.SOD is malformed: ${reason}`, { reason, ...details });
}

export function decodeLdsSecurityObject(bytes: Uint8Array): LdsSecurityObject {
  const what = 'LDSSecurityObject';
  const [versionNode, hashNode, hashesNode, versionInfoNode] = sequence(parseDer(bytes, what), what, { min: 3, max: 4 });
  const version = smallInteger(versionNode, `${what}.version`);
  if (version > 1) throw asn1Error(what, `version ${version} (only v0 and v1 exist)`);
  const hashAlgorithm = algorithmIdentifier(hashNode, `${what}.hashAlgorithm`);
  const hash = hashByOid(hashAlgorithm.oid);
  const dataGroupHashes = new Map<DataGroupNumber, Uint8Array>();
  const entries = sequence(hashesNode, `${what}.dataGroupHashValues`, { min: 1, max: 16 });
  for (const entry of entries) {
    const [numberNode, valueNode] = sequence(entry, 'DataGroupHash', { min: 2, max: 2 });
    const number = smallInteger(numberNode, 'DataGroupHash.dataGroupNumber');
    if (!isDataGroupNumber(number)) throw asn1Error(what, `a hash for data group ${number}`);
    if (dataGroupHashes.has(number)) throw asn1Error(what, `two hashes for DG${number}`);
    const value = octetString(valueNode, 'DataGroupHash.dataGroupHashValue');
    if (hash && value.length !== HASH_LENGTHS[hash]) throw asn1Error(what, `the DG${number} hash has ${value.length} bytes, ${hash} gives ${HASH_LENGTHS[hash]}`);
    dataGroupHashes.set(number, value);
  }
  let ldsVersionInfo: LdsSecurityObject['ldsVersionInfo'] = null;
  if (versionInfoNode) {
    const [lds, unicode] = sequence(versionInfoNode, `${what}.ldsVersionInfo`, { min: 2, max: 2 });
    ldsVersionInfo = { ldsVersion: text(lds, 'ldsVersion'), unicodeVersion: text(unicode, 'unicodeVersion') };
    if (version !== 1) throw asn1Error(what, 'LDSVersionInfo is present but the version is not v1');
  }
  return { version, hashAlgorithm, hash, dataGroupHashes, ldsVersionInfo };
}

/** Reads EF.SOD (77 ‖ ContentInfo); SOD_MALFORMED with the reason for anything out of shape. */
export function decodeSod(bytes: Uint8Array): DocumentSecurityObject {
  try {
    const signedData = parseSignedData(unwrapLdsFile(bytes, EF_SOD), 'EF.SOD');
    if (signedData.eContentType !== LDS_SECURITY_OBJECT_OID) {
      throw sodError(`its content type is ${signedData.eContentType}, not the LDS security object (${LDS_SECURITY_OBJECT_OID}).`);
    }
    if (signedData.signerInfos.length !== 1) throw sodError(`it has ${signedData.signerInfos.length} signers; 9303 requires exactly one.`);
    const signer = signedData.signerInfos[0]!;
    return {
      signedData,
      signer,
      securityObject: decodeLdsSecurityObject(signedData.eContent),
      documentSigner: findSignerCertificate(signedData, signer),
    };
  } catch (error) {
    if (error instanceof DeviceError && error.code !== 'SOD_MALFORMED') {
      throw sodError(error.message, { cause: error.code, ...error.details });
    }
    throw error;
  }
}

export function encodeLdsSecurityObject({ hash, dataGroupHashes, ldsVersionInfo }: {
  hash: HashName;
  dataGroupHashes: ReadonlyMap<number, Uint8Array>;
  ldsVersionInfo?: { ldsVersion: string; unicodeVersion: string };
}): Uint8Array {
  const numbers = [...dataGroupHashes.keys()].sort((a, b) => a - b);
  if (numbers.length === 0 || !numbers.every(isDataGroupNumber)) throw new RangeError('the SOD hashes data groups 1–16');
  const node = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: ldsVersionInfo ? 1 : 0 }),
      algorithmNode(hashAlgorithmIdentifier(hash)),
      new asn1js.Sequence({
        value: numbers.map((n) => new asn1js.Sequence({
          value: [new asn1js.Integer({ value: n }), new asn1js.OctetString({ valueHex: dataGroupHashes.get(n)! })],
        })),
      }),
      ...(ldsVersionInfo
        ? [new asn1js.Sequence({
          value: [new asn1js.PrintableString({ value: ldsVersionInfo.ldsVersion }), new asn1js.PrintableString({ value: ldsVersionInfo.unicodeVersion })],
        })]
        : []),
    ],
  });
  return new Uint8Array(node.toBER(false));
}

export interface BuildSodOptions extends Pick<BuildSignedDataOptions, 'signingTime' | 'signerIdentifier' | 'signatureAlgorithm' | 'digestHash' | 'certificates' | 'extraCertificates'> {
  /** Data group number → the file's bytes, each hashed into the SOD. */
  dataGroups: ReadonlyMap<number, Uint8Array>;
  /** The hash of the data groups (LDSSecurityObject.hashAlgorithm). */
  hash: HashName;
  signer: SignedDataSigner;
  ldsVersionInfo?: { ldsVersion: string; unicodeVersion: string };
}

/** EF.SOD over `dataGroups`, signed by `signer` (a Document Signer certificate and its private key). */
export function buildSod(options: BuildSodOptions): Uint8Array {
  const dataGroupHashes = new Map([...options.dataGroups].map(([n, bytes]) => [n, digest(options.hash, bytes)]));
  const eContent = encodeLdsSecurityObject({ hash: options.hash, dataGroupHashes, ldsVersionInfo: options.ldsVersionInfo });
  return encodeTlv(EF_SOD.tag!, buildSignedData({ ...options, eContentType: LDS_SECURITY_OBJECT_OID, eContent }));
}
