// CMS SignedData (RFC 5652 §5) as ICAO uses it for EF.SOD and CSCA master lists: one signer,
// signed attributes (content-type, message-digest, optionally signing-time), the signer's
// certificate inside. Reading keeps the exact bytes that are hashed and signed (eContent,
// signed attributes re-tagged as SET); verification follows §5.4 and §5.6 with algorithms.ts;
// building signs with a node:crypto private key, for the test PKI and the simulator.

import type { KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { DeviceError } from '../../device-error.js';
import { encodeTlv } from '../ber-tlv.js';
import { sameBytes } from '../chip-crypto.js';
import {
  algorithmIdentifier, asn1Error, contextItems, integerBytes, isContext, octetString, oid, parseDer, rawBytes, sequence, set,
  smallInteger, time, type AlgorithmIdentifier, type Asn1,
} from '../der.js';
import {
  algorithmNode, digest, hashAlgorithmIdentifier, hashOf, schemeAlgorithmIdentifier, signData, signatureScheme, verifySignature,
  type HashName, type SignatureScheme, type VerificationKey,
} from './algorithms.js';
import { parseCertificate, readName, sameName, type DistinguishedName, type ParsedCertificate } from './x509.js';

export const SIGNED_DATA_OID = '1.2.840.113549.1.7.2';
export const SignedAttributeOid = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

export type SignerIdentifier =
  | { kind: 'issuer-serial'; issuer: DistinguishedName; serialNumber: Uint8Array }
  | { kind: 'key-identifier'; keyIdentifier: Uint8Array };

export interface CmsSignerInfo {
  version: number;
  sid: SignerIdentifier;
  digestAlgorithm: AlgorithmIdentifier;
  /** The signed attributes' DER with the SET tag (31), as the signature covers them; null when absent. */
  signedAttributes: Uint8Array | null;
  contentType: string | null;
  messageDigest: Uint8Array | null;
  signingTime: Date | null;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
}

export interface CmsSignedData {
  version: number;
  digestAlgorithms: AlgorithmIdentifier[];
  eContentType: string;
  eContent: Uint8Array;
  /** Each certificate's DER exactly as embedded. */
  certificates: Uint8Array[];
  signerInfos: CmsSignerInfo[];
}

function readSignerInfo(node: Asn1): CmsSignerInfo {
  const what = 'SignerInfo';
  const fields = sequence(node, what, { min: 5, max: 7 });
  let i = 0;
  const version = smallInteger(fields[i++], `${what}.version`);
  const sidNode = fields[i++]!;
  let sid: SignerIdentifier;
  if (isContext(sidNode, 0)) {
    sid = { kind: 'key-identifier', keyIdentifier: (sidNode.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView };
  } else {
    const [issuer, serial] = sequence(sidNode, `${what}.sid`, { min: 2, max: 2 });
    sid = { kind: 'issuer-serial', issuer: readName(issuer!, `${what}.sid.issuer`), serialNumber: integerBytes(serial, `${what}.sid.serialNumber`) };
  }
  const digestAlgorithm = algorithmIdentifier(fields[i++], `${what}.digestAlgorithm`);
  let signedAttributes: Uint8Array | null = null;
  let contentType: string | null = null;
  let messageDigest: Uint8Array | null = null;
  let signingTime: Date | null = null;
  if (isContext(fields[i], 0)) {
    const attrsNode = fields[i++]!;
    signedAttributes = Uint8Array.from(rawBytes(attrsNode));
    signedAttributes[0] = 0x31; // §5.4: the signature covers the attributes' DER with the SET OF tag.
    const seen = new Set<string>();
    for (const attribute of contextItems(attrsNode, 0, `${what}.signedAttrs`)) {
      const [type, values] = sequence(attribute, `${what}.signedAttrs attribute`, { min: 2, max: 2 });
      const attrType = oid(type, `${what}.signedAttrs attribute type`);
      if (seen.has(attrType)) throw asn1Error(`${what}.signedAttrs`, `attribute ${attrType} appears twice`);
      seen.add(attrType);
      const items = set(values, `${what}.signedAttrs ${attrType}`);
      const single = () => {
        if (items.length !== 1) throw asn1Error(`${what}.signedAttrs`, `attribute ${attrType} has ${items.length} values`);
        return items[0];
      };
      if (attrType === SignedAttributeOid.contentType) contentType = oid(single(), `${what} content-type`);
      if (attrType === SignedAttributeOid.messageDigest) messageDigest = octetString(single(), `${what} message-digest`);
      if (attrType === SignedAttributeOid.signingTime) signingTime = time(single(), `${what} signing-time`);
    }
  }
  const signatureAlgorithm = algorithmIdentifier(fields[i++], `${what}.signatureAlgorithm`);
  const signature = octetString(fields[i++], `${what}.signature`);
  if (i < fields.length && !isContext(fields[i], 1)) throw asn1Error(what, 'an unexpected field after the signature');
  return { version, sid, digestAlgorithm, signedAttributes, contentType, messageDigest, signingTime, signatureAlgorithm, signature };
}

/** Reads a ContentInfo holding SignedData with encapsulated content (ASN1_MALFORMED on any shape error). */
export function parseSignedData(contentInfo: Uint8Array, what: string): CmsSignedData {
  const [contentType, content] = sequence(parseDer(contentInfo, what), `${what} ContentInfo`, { min: 2, max: 2 });
  if (oid(contentType, `${what} ContentInfo.contentType`) !== SIGNED_DATA_OID) throw asn1Error(what, 'the content is not SignedData');
  const [signedData] = contextItems(content, 0, `${what} ContentInfo.content`);
  const fields = sequence(signedData, `${what} SignedData`, { min: 4, max: 6 });
  let i = 0;
  const version = smallInteger(fields[i++], 'SignedData.version');
  const digestAlgorithms = set(fields[i++], 'SignedData.digestAlgorithms').map((a) => algorithmIdentifier(a, 'SignedData.digestAlgorithms'));
  const [eContentType, eContentWrapper] = sequence(fields[i++], 'SignedData.encapContentInfo', { min: 1, max: 2 });
  if (!eContentWrapper) throw asn1Error(what, 'the signed content is detached, not encapsulated');
  const [eContentNode] = contextItems(eContentWrapper, 0, 'SignedData.encapContentInfo.eContent');
  const certificates: Uint8Array[] = [];
  if (isContext(fields[i], 0)) {
    for (const choice of contextItems(fields[i++], 0, 'SignedData.certificates')) {
      // Only plain X.509 certificates (a SEQUENCE); attribute and other certificate formats are skipped.
      if (choice.idBlock.tagClass === 1 && choice.idBlock.tagNumber === 16) certificates.push(rawBytes(choice));
    }
  }
  if (isContext(fields[i], 1)) i++;
  const signerInfos = set(fields[i++], 'SignedData.signerInfos').map(readSignerInfo);
  if (i !== fields.length) throw asn1Error(what, 'SignedData has unexpected fields');
  return {
    version,
    digestAlgorithms,
    eContentType: oid(eContentType, 'SignedData.encapContentInfo.eContentType'),
    eContent: octetString(eContentNode, 'SignedData.encapContentInfo.eContent'),
    certificates,
    signerInfos,
  };
}

/** The embedded certificate the signer identifier names (parsed), or null when none does. */
export function findSignerCertificate(signedData: CmsSignedData, signer: CmsSignerInfo): ParsedCertificate | null {
  for (const der of signedData.certificates) {
    const certificate = parseCertificate(der);
    const sid = signer.sid;
    const matches = sid.kind === 'issuer-serial'
      ? sameName(sid.issuer, certificate.issuer) && sameBytes(sid.serialNumber, certificate.serialNumber)
      : certificate.subjectKeyIdentifier !== null && sameBytes(sid.keyIdentifier, certificate.subjectKeyIdentifier);
    if (matches) return certificate;
  }
  return null;
}

export type SignerCheck =
  | { ok: true; scheme: SignatureScheme; digestHash: HashName }
  | { ok: false; failed: 'signed-attributes' | 'content-type' | 'message-digest' | 'signature'; message: string; scheme?: SignatureScheme };

/**
 * RFC 5652 §5.4/§5.6 for a signer with signed attributes (9303 requires them): content-type
 * equals eContentType, message-digest equals the hash of eContent, and the signature over the
 * signed attributes verifies with `key`. PKI_UNSUPPORTED_ALGORITHM is thrown for algorithms
 * the kiosk cannot check (a different outcome from a signature that is wrong).
 */
export function checkSigner(signer: CmsSignerInfo, eContentType: string, eContent: Uint8Array, key: VerificationKey): SignerCheck {
  const digestHash = hashOf(signer.digestAlgorithm, 'The SignerInfo digest algorithm');
  const scheme = signatureScheme(signer.signatureAlgorithm, 'The SignerInfo signature algorithm', digestHash);
  if (!signer.signedAttributes) return { ok: false, failed: 'signed-attributes', message: 'The signer has no signed attributes.' };
  if (signer.contentType === null || signer.messageDigest === null) {
    return { ok: false, failed: 'signed-attributes', message: 'The signed attributes lack content-type or message-digest.' };
  }
  if (signer.contentType !== eContentType) {
    return { ok: false, failed: 'content-type', message: `The signed content-type ${signer.contentType} is not the content's ${eContentType}.` };
  }
  if (!sameBytes(signer.messageDigest, digest(digestHash, eContent))) {
    return { ok: false, failed: 'message-digest', message: 'The signed message digest does not match the signed content.', scheme };
  }
  if (!verifySignature(key, scheme, signer.signedAttributes, signer.signature)) {
    return { ok: false, failed: 'signature', message: 'The signature over the signed attributes does not verify with the signer\'s key.', scheme };
  }
  return { ok: true, scheme, digestHash };
}

// ---------------------------------------------------------------------------------------------
// Building (tests, simulator)

const der = (node: asn1js.AsnType): Uint8Array => new Uint8Array(node.toBER(false));
const oidDer = (value: string): Uint8Array => der(new asn1js.ObjectIdentifier({ value }));
const SEQUENCE = 0x30;
const SET = 0x31;

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
function derSetOf(elements: readonly Uint8Array[]): Uint8Array {
  const sorted = [...elements].sort((a, b) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  return encodeTlv(SET, sorted);
}

const attribute = (type: string, value: Uint8Array): Uint8Array => encodeTlv(SEQUENCE, [oidDer(type), encodeTlv(SET, value)]);

export interface SignedDataSigner {
  /** The signer's certificate (DER); embedded and named by the signer identifier. */
  certificate: Uint8Array;
  privateKey: KeyObject;
  scheme: SignatureScheme;
}

export interface BuildSignedDataOptions {
  eContentType: string;
  eContent: Uint8Array;
  signer: SignedDataSigner;
  /** Defaults to the scheme's hash. */
  digestHash?: HashName;
  signingTime?: Date;
  /** 'issuer-serial' (version 1, the usual) or 'key-identifier' (version 3). */
  signerIdentifier?: 'issuer-serial' | 'key-identifier';
  /** Overrides the SignerInfo signatureAlgorithm (e.g. plain rsaEncryption, as many SODs carry). */
  signatureAlgorithm?: AlgorithmIdentifier;
  /** More certificates to embed after the signer's. */
  extraCertificates?: readonly Uint8Array[];
  /** Embed only these certificates instead (an empty list leaves the signer's out). */
  certificates?: readonly Uint8Array[];
}

/** A ContentInfo with SignedData over `eContent`, signed by `signer`. */
export function buildSignedData(options: BuildSignedDataOptions): Uint8Array {
  const { signer } = options;
  const digestHash = options.digestHash ?? signer.scheme.hash;
  const certificate = parseCertificate(signer.certificate);
  const byKeyId = options.signerIdentifier === 'key-identifier';
  if (byKeyId && !certificate.subjectKeyIdentifier) throw new RangeError('the signer certificate has no subject key identifier');
  const sid = byKeyId
    ? encodeTlv(0x80, certificate.subjectKeyIdentifier!)
    : encodeTlv(SEQUENCE, [issuerNameDer(signer.certificate), encodeTlv(0x02, certificate.serialNumber)]);
  const attributes = [
    attribute(SignedAttributeOid.contentType, oidDer(options.eContentType)),
    attribute(SignedAttributeOid.messageDigest, encodeTlv(0x04, digest(digestHash, options.eContent))),
    ...(options.signingTime ? [attribute(SignedAttributeOid.signingTime, der(new asn1js.UTCTime({ valueDate: options.signingTime })))] : []),
  ];
  const signedAttributes = derSetOf(attributes);
  const signature = signData(signer.privateKey, signer.scheme, signedAttributes);
  const digestAlgorithm = der(algorithmNode(hashAlgorithmIdentifier(digestHash)));
  const signerInfo = encodeTlv(SEQUENCE, [
    encodeTlv(0x02, Uint8Array.of(byKeyId ? 3 : 1)),
    sid,
    digestAlgorithm,
    Uint8Array.from([0xa0, ...signedAttributes.subarray(1)]),
    der(algorithmNode(options.signatureAlgorithm ?? schemeAlgorithmIdentifier(signer.scheme))),
    encodeTlv(0x04, signature),
  ]);
  const signedData = encodeTlv(SEQUENCE, [
    encodeTlv(0x02, Uint8Array.of(3)),
    derSetOf([digestAlgorithm]),
    encodeTlv(SEQUENCE, [oidDer(options.eContentType), encodeTlv(0xa0, encodeTlv(0x04, options.eContent))]),
    ...(options.certificates?.length === 0 ? [] : [encodeTlv(0xa0, [...(options.certificates ?? [signer.certificate, ...(options.extraCertificates ?? [])])])]),
    derSetOf([signerInfo]),
  ]);
  return encodeTlv(SEQUENCE, [oidDer(SIGNED_DATA_OID), encodeTlv(0xa0, signedData)]);
}

/** The issuer Name's DER exactly as in the certificate (so the SignerInfo names it byte for byte). */
function issuerNameDer(certificateDer: Uint8Array): Uint8Array {
  const [tbs] = sequence(parseDer(certificateDer, 'Certificate'), 'Certificate');
  const fields = sequence(tbs, 'TBSCertificate');
  return rawBytes(fields[isContext(fields[0], 0) ? 3 : 2]!);
}

export function isMalformedAsn1(error: unknown): error is DeviceError {
  return error instanceof DeviceError && ['ASN1_MALFORMED', 'PKI_CERTIFICATE_MALFORMED', 'PKI_KEY_INVALID'].includes(error.code);
}
