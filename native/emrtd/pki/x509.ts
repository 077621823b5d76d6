// X.509 certificates of the eMRTD PKI (CSCA, link, Document Signer, Master List Signer; 9303-12
// §7): read into what Passive Authentication and the trust store decide on — names compared
// the RFC 5280 way (case- and space-insensitive), key identifiers, validity, basic
// constraints, key usage — keeping the exact TBS bytes the issuer signed. Signatures are
// checked with algorithms.ts, never with pkijs's WebCrypto engine (no brainpool there).

import { createHash } from 'node:crypto';
import { DeviceError } from '../../device-error.js';
import { sameBytes } from '../chip-crypto.js';
import {
  algorithmIdentifier, bitString, boolean, contextItems, integer, integerBytes, isContext, isText, namedBits, octetString, oid, parseDer,
  rawBytes, sequence, set, text, time, toHex, type AlgorithmIdentifier, type Asn1,
} from '../der.js';
import { importPublicKey, signatureScheme, verifySignature, type VerificationKey } from './algorithms.js';

export interface NameAttribute {
  /** Attribute type OID (2.5.4.6 country, 2.5.4.3 common name, …). */
  type: string;
  value: string;
}

export interface DistinguishedName {
  /** Relative distinguished names in the certificate's order, each a set of attributes. */
  rdns: NameAttribute[][];
  /** "C=UT, O=Utopia, CN=CSCA Utopia" in the certificate's order, for people. */
  text: string;
  /** Normalised form for comparing (RFC 5280 §7.1: case-folded, spaces collapsed, RDN sets sorted). */
  canonical: string;
  /** The countryName (C) attribute, upper-cased; 9303 requires it in CSCA and DS names. */
  country: string | null;
}

export type KeyUsageName =
  | 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyAgreement' | 'keyCertSign' | 'cRLSign';
const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign',
];

export interface ParsedCertificate {
  der: Uint8Array;
  /** The TBSCertificate exactly as encoded: what the issuer's signature covers. */
  tbs: Uint8Array;
  version: number;
  /** The serial number's content octets as encoded. */
  serialNumber: Uint8Array;
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKeyInfo: Uint8Array;
  subjectKeyIdentifier: Uint8Array | null;
  authorityKeyIdentifier: Uint8Array | null;
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  keyUsage: ReadonlySet<KeyUsageName> | null;
  extendedKeyUsage: string[] | null;
  privateKeyUsagePeriod: { notBefore: Date | null; notAfter: Date | null } | null;
  /** Critical extensions this reader does not know; RFC 5280 says such a certificate must not be used. */
  unknownCriticalExtensions: string[];
  /** SHA-256 of the DER, hex. */
  fingerprint: string;
}

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN', '2.5.4.4': 'SN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST',
  '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.12': 'T', '2.5.4.42': 'GN', '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
};

const COUNTRY = '2.5.4.6';

const Ext = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  privateKeyUsagePeriod: '2.5.29.16',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
  /** 9303-12: document type list (DS) and name change (CSCA link). */
  documentTypeList: '2.23.136.1.1.6.2',
  nameChange: '2.23.136.1.1.6.1',
} as const;
const KNOWN_EXTENSIONS = new Set<string>(Object.values(Ext));

const normalise = (value: string): string => value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** Reads an X.501 Name (certificate issuer and subject, CMS issuerAndSerialNumber). */
export function readName(node: Asn1, what: string): DistinguishedName {
  const rdns = sequence(node, what).map((rdn) => set(rdn, `${what} RDN`).map((atv): NameAttribute => {
    const [type, value] = sequence(atv, `${what} attribute`, { min: 2, max: 2 });
    return { type: oid(type, `${what} attribute type`), value: isText(value) ? text(value, `${what} value`) : `#${toHex(rawBytes(value!))}` };
  }));
  const label = (a: NameAttribute) => `${ATTRIBUTE_NAMES[a.type] ?? a.type}=${a.value}`;
  const country = rdns.flat().find((a) => a.type === COUNTRY)?.value.trim().toUpperCase() ?? null;
  return {
    rdns,
    text: rdns.map((rdn) => rdn.map(label).join(' + ')).join(', '),
    canonical: rdns.map((rdn) => rdn.map((a) => `${a.type}=${normalise(a.value)}`).sort().join('+')).join(','),
    country,
  };
}

/** RFC 5280 name matching as this PKI needs it (both names normalised). */
export function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  return a.canonical === b.canonical;
}

/** GeneralizedTime under an IMPLICIT tag (privateKeyUsagePeriod): YYYYMMDDHHMMSSZ. */
function implicitGeneralizedTime(node: Asn1, what: string): Date {
  const raw = Buffer.from((node.valueBlock as unknown as { valueHexView?: Uint8Array }).valueHexView ?? []).toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(raw);
  if (!m) throw new DeviceError('ASN1_MALFORMED', `${what}: not a GeneralizedTime.`, { what });
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function readExtensions(nodes: Asn1[], into: ParsedCertificate): void {
  const seen = new Set<string>();
  for (const node of nodes) {
    const fields = sequence(node, 'Extension', { min: 2, max: 3 });
    const id = oid(fields[0], 'Extension.extnID');
    const critical = fields.length === 3 ? boolean(fields[1], 'Extension.critical') : false;
    const value = octetString(fields[fields.length - 1], 'Extension.extnValue');
    if (seen.has(id)) throw new DeviceError('ASN1_MALFORMED', `Extension ${id} appears twice.`, { what: 'extensions' });
    seen.add(id);
    if (!KNOWN_EXTENSIONS.has(id) && critical) into.unknownCriticalExtensions.push(id);
    const what = `extension ${id}`;
    switch (id) {
      case Ext.subjectKeyIdentifier:
        into.subjectKeyIdentifier = octetString(parseDer(value, what), what);
        break;
      case Ext.authorityKeyIdentifier: {
        const keyId = sequence(parseDer(value, what), what).find((f) => isContext(f, 0));
        into.authorityKeyIdentifier = keyId ? (keyId.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView : null;
        break;
      }
      case Ext.basicConstraints: {
        const items = sequence(parseDer(value, what), what, { max: 2 });
        const ca = items[0] && items[0].idBlock.tagNumber === 1 ? boolean(items[0], what) : false;
        const lengthNode = items.find((i) => i.idBlock.tagNumber === 2);
        into.basicConstraints = { ca, pathLength: lengthNode ? Number(integer(lengthNode, what)) : null };
        break;
      }
      case Ext.keyUsage: {
        const bits = namedBits(parseDer(value, what), what);
        into.keyUsage = new Set(KEY_USAGE_BITS.filter((_, i) => bits.has(i)));
        break;
      }
      case Ext.extendedKeyUsage:
        into.extendedKeyUsage = sequence(parseDer(value, what), what).map((p) => oid(p, what));
        break;
      case Ext.privateKeyUsagePeriod: {
        const items = sequence(parseDer(value, what), what, { max: 2 });
        const at = (tag: number) => items.find((i) => isContext(i, tag));
        const before = at(0);
        const after = at(1);
        into.privateKeyUsagePeriod = {
          notBefore: before ? implicitGeneralizedTime(before, what) : null,
          notAfter: after ? implicitGeneralizedTime(after, what) : null,
        };
        break;
      }
      default:
        break;
    }
  }
}

/** Parses a DER certificate; PKI_CERTIFICATE_MALFORMED says what is wrong. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  try {
    const [tbsNode, signatureAlgorithm, signatureValue] = sequence(parseDer(der, 'Certificate'), 'Certificate', { min: 3, max: 3 });
    const tbsFields = sequence(tbsNode, 'TBSCertificate', { min: 6 });
    let i = 0;
    let version = 1;
    if (isContext(tbsFields[0], 0)) {
      const [v] = contextItems(tbsFields[i++], 0, 'TBSCertificate.version');
      version = Number(integer(v, 'TBSCertificate.version')) + 1;
    }
    const serialNumber = integerBytes(tbsFields[i++], 'TBSCertificate.serialNumber');
    const tbsSignatureAlgorithm = algorithmIdentifier(tbsFields[i++], 'TBSCertificate.signature');
    const issuer = readName(tbsFields[i++]!, 'TBSCertificate.issuer');
    const [notBefore, notAfter] = sequence(tbsFields[i++], 'TBSCertificate.validity', { min: 2, max: 2 });
    const subject = readName(tbsFields[i++]!, 'TBSCertificate.subject');
    const spkiNode = tbsFields[i++];
    sequence(spkiNode, 'TBSCertificate.subjectPublicKeyInfo', { min: 2, max: 2 });
    const certificate: ParsedCertificate = {
      der,
      tbs: rawBytes(tbsNode),
      version,
      serialNumber,
      tbsSignatureAlgorithm,
      signatureAlgorithm: algorithmIdentifier(signatureAlgorithm, 'Certificate.signatureAlgorithm'),
      signature: bitString(signatureValue, 'Certificate.signatureValue'),
      issuer,
      subject,
      notBefore: time(notBefore, 'TBSCertificate.validity.notBefore'),
      notAfter: time(notAfter, 'TBSCertificate.validity.notAfter'),
      subjectPublicKeyInfo: rawBytes(spkiNode!),
      subjectKeyIdentifier: null,
      authorityKeyIdentifier: null,
      basicConstraints: null,
      keyUsage: null,
      extendedKeyUsage: null,
      privateKeyUsagePeriod: null,
      unknownCriticalExtensions: [],
      fingerprint: createHash('sha256').update(der).digest('hex'),
    };
    for (const optional of tbsFields.slice(i)) {
      if (isContext(optional, 3)) {
        const [extensions] = contextItems(optional, 3, 'TBSCertificate.extensions');
        readExtensions(sequence(extensions, 'TBSCertificate.extensions'), certificate);
      } else if (!isContext(optional, 1) && !isContext(optional, 2)) {
        throw new DeviceError('ASN1_MALFORMED', 'TBSCertificate: an unexpected field follows the key.', { what: 'TBSCertificate' });
      }
    }
    return certificate;
  } catch (error) {
    if (error instanceof DeviceError) {
      throw new DeviceError('PKI_CERTIFICATE_MALFORMED', `A certificate is malformed: ${error.message}`, { cause: error.code, ...error.details });
    }
    throw error;
  }
}

/** The certificate's public key, ready to verify with (PKI_UNSUPPORTED_ALGORITHM, PKI_KEY_INVALID, ASN1_MALFORMED). */
export function certificateKey(certificate: ParsedCertificate): VerificationKey {
  return importPublicKey(certificate.subjectPublicKeyInfo);
}

/**
 * True when `issuerKey` signed `certificate`. Throws PKI_UNSUPPORTED_ALGORITHM for an algorithm
 * it cannot verify; a signature algorithm that differs inside and outside the TBS is refused.
 */
export function verifyCertificateSignature(certificate: ParsedCertificate, issuerKey: VerificationKey): boolean {
  const inner = certificate.tbsSignatureAlgorithm;
  const outer = certificate.signatureAlgorithm;
  if (inner.oid !== outer.oid || !sameBytes(inner.parameters ?? new Uint8Array(), outer.parameters ?? new Uint8Array())) return false;
  const scheme = signatureScheme(outer, 'The certificate signature');
  return verifySignature(issuerKey, scheme, certificate.tbs, certificate.signature);
}

export function isValidAt(certificate: ParsedCertificate, at: Date): boolean {
  return certificate.notBefore.getTime() <= at.getTime() && at.getTime() <= certificate.notAfter.getTime();
}

/** True when the certificate may sign certificates (a CA by basic constraints, keyCertSign if key usage is given). */
export function mayIssueCertificates(certificate: ParsedCertificate): boolean {
  if (certificate.basicConstraints && !certificate.basicConstraints.ca) return false;
  if (certificate.keyUsage && !certificate.keyUsage.has('keyCertSign')) return false;
  return certificate.basicConstraints?.ca === true || certificate.version < 3;
}

/** What a person (or the audit log) needs to know about a certificate. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  country: string | null;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprint: string;
}

export function summarizeCertificate(certificate: ParsedCertificate): CertificateSummary {
  return {
    subject: certificate.subject.text,
    issuer: certificate.issuer.text,
    country: certificate.subject.country,
    serialNumber: toHex(certificate.serialNumber),
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    fingerprint: certificate.fingerprint,
  };
}
