// A country's passport PKI made at test time, for the chip simulator and the Passive
// Authentication tests: CSCAs (self-signed) and Document Signers on every algorithm real
// passports use — RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256, brainpoolP256r1, brainpoolP384r1,
// and keys with EXPLICIT curve parameters as many real CSCAs and DS certificates carry —
// plus the cases Passive Authentication must refuse: an expired DS, a DS issued after its
// CSCA expired, a rogue DS claiming the real CSCA as issuer, a DS of a country the kiosk
// does not trust. Certificates are assembled with pkijs/asn1js; every signature is made with
// node:crypto. Keys are cached per process (RSA 2048 generation is slow); certificates are
// cheap and made per call. The country is Utopia ("UT"; UTO in MRZs), the other one "ZZ".

import { createHash, generateKeyPairSync, type KeyObject, type RSAPSSKeyPairKeyObjectOptions } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { encodeTlv } from '../../emrtd/ber-tlv.js';
import { algorithmNode, schemeAlgorithmIdentifier, signData, type SignatureScheme } from '../../emrtd/pki/algorithms.js';
import { buildSignedData } from '../../emrtd/pki/cms.js';
import { bitString, parseDer, sequence } from '../../emrtd/der.js';
import { explicitCurveSpki, readEcPublicKey } from '../../emrtd/ec-curves.js';
import { parseCertificate, type ParsedCertificate } from '../../emrtd/pki/x509.js';
import { CSCA_MASTER_LIST_OID, CscaTrustStore, MASTER_LIST_SIGNING_KEY_OID } from '../../emrtd/csca-trust.js';

export type TestKeyAlgorithm = 'rsa' | 'rsa-pss' | 'p256' | 'p384' | 'brainpoolP256r1' | 'brainpoolP384r1' | 'brainpoolP512r1';

const EC_CURVES: Readonly<Record<Exclude<TestKeyAlgorithm, 'rsa' | 'rsa-pss'>, string>> = {
  p256: 'prime256v1',
  p384: 'secp384r1',
  brainpoolP256r1: 'brainpoolP256r1',
  brainpoolP384r1: 'brainpoolP384r1',
  brainpoolP512r1: 'brainpoolP512r1',
};

/** The scheme a key of each algorithm signs with (hash sized to the key, as issuers do). */
const DEFAULT_SCHEMES: Readonly<Record<TestKeyAlgorithm, SignatureScheme>> = {
  rsa: { kind: 'rsa-pkcs1', hash: 'sha256' },
  'rsa-pss': { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 },
  p256: { kind: 'ecdsa', hash: 'sha256', plain: false },
  p384: { kind: 'ecdsa', hash: 'sha384', plain: false },
  brainpoolP256r1: { kind: 'ecdsa', hash: 'sha256', plain: false },
  brainpoolP384r1: { kind: 'ecdsa', hash: 'sha384', plain: false },
  brainpoolP512r1: { kind: 'ecdsa', hash: 'sha512', plain: false },
};

export interface TestKeyPair {
  algorithm: TestKeyAlgorithm;
  privateKey: KeyObject;
  /** The SubjectPublicKeyInfo that goes into the certificate (explicit curve parameters when asked). */
  spki: Uint8Array;
  explicitParameters: boolean;
  scheme: SignatureScheme;
}

const keyCache = new Map<string, { privateKey: KeyObject; spki: Uint8Array }>();

function generate(algorithm: TestKeyAlgorithm): { privateKey: KeyObject; spki: Uint8Array } {
  if (algorithm === 'rsa') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { privateKey, spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
  }
  if (algorithm === 'rsa-pss') {
    // An id-RSASSA-PSS key with its parameters in the certificate, as some issuers use.
    // @types/node declares saltLength a string; node takes (and needs) a number.
    const options = { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 } as unknown as RSAPSSKeyPairKeyObjectOptions;
    const { privateKey, publicKey } = generateKeyPairSync('rsa-pss', options);
    return { privateKey, spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: EC_CURVES[algorithm] });
  return { privateKey, spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
}

/** The key pair named `label` (cached for the process), its SPKI optionally with explicit curve parameters. */
export function testKeyPair(label: string, algorithm: TestKeyAlgorithm, { explicitParameters = false } = {}): TestKeyPair {
  const cacheKey = `${label}/${algorithm}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = generate(algorithm);
    keyCache.set(cacheKey, key);
  }
  let spki = key.spki;
  if (explicitParameters) {
    const ec = readEcPublicKey(spki);
    if (!ec) throw new RangeError(`${algorithm} keys have no curve parameters to write out`);
    spki = explicitCurveSpki(ec.curve, ec.point);
  }
  return { algorithm, privateKey: key.privateKey, spki, explicitParameters, scheme: DEFAULT_SCHEMES[algorithm] };
}

export interface TestName {
  country: string;
  organization?: string;
  organizationalUnit?: string;
  commonName: string;
}

export type CertificateProfile = 'csca' | 'document-signer' | 'master-list-signer';

export interface TestCertificate {
  der: Uint8Array;
  certificate: ParsedCertificate;
  key: TestKeyPair;
  name: TestName;
}

export interface IssueOptions {
  profile: CertificateProfile;
  subject: TestName;
  key: TestKeyPair;
  /** The issuer; omitted for a self-signed CSCA. */
  issuer?: TestCertificate;
  /** Sign with this key instead of the issuer's, keeping the issuer's name and key identifier (a forgery). */
  forgedWith?: TestKeyPair;
  notBefore: Date;
  notAfter: Date;
  serialNumber?: bigint;
  /** How the issuer signs; its key's default scheme otherwise. */
  scheme?: SignatureScheme;
}

let serialCounter = 0x1000n;

/** One attribute per RDN, as real certificates have them (pkijs would put them all into one SET). */
function nameNode(name: TestName): pkijs.RelativeDistinguishedNames {
  const attribute = (type: string, value: asn1js.PrintableString | asn1js.Utf8String) =>
    new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: type }), value] })] });
  const rdns = new asn1js.Sequence({
    value: [
      attribute('2.5.4.6', new asn1js.PrintableString({ value: name.country })),
      ...(name.organization ? [attribute('2.5.4.10', new asn1js.Utf8String({ value: name.organization }))] : []),
      ...(name.organizationalUnit ? [attribute('2.5.4.11', new asn1js.Utf8String({ value: name.organizationalUnit }))] : []),
      attribute('2.5.4.3', new asn1js.Utf8String({ value: name.commonName })),
    ],
  });
  // Parsed from its encoding, pkijs keeps the bytes and writes them back unchanged.
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(rdns.toBER(false)).result });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  const [, key] = sequence(parseDer(spki, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo');
  return createHash('sha1').update(bitString(key, 'subjectPublicKey')).digest();
}

const ber = (node: asn1js.AsnType): ArrayBuffer => node.toBER(false);
const time = (date: Date) => new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });

function generalizedTime(date: Date): Uint8Array {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function extension(extnID: string, critical: boolean, value: ArrayBuffer | Uint8Array): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value instanceof Uint8Array ? new Uint8Array(value).buffer : value });
}

function extensionsFor(options: IssueOptions): pkijs.Extension[] {
  const subjectKeyId = keyIdentifier(options.key.spki);
  const authorityKeyId = options.issuer ? keyIdentifier(options.issuer.key.spki) : subjectKeyId;
  const list = [
    extension('2.5.29.14', false, ber(new asn1js.OctetString({ valueHex: subjectKeyId }))),
    extension('2.5.29.35', false, encodeTlv(0x30, encodeTlv(0x80, authorityKeyId))),
  ];
  if (options.profile === 'csca') {
    list.push(extension('2.5.29.19', true, ber(new asn1js.Sequence({ value: [new asn1js.Boolean({ value: true }), new asn1js.Integer({ value: 0 })] }))));
    // keyCertSign (bit 5) and cRLSign (bit 6).
    list.push(extension('2.5.29.15', true, ber(new asn1js.BitString({ valueHex: Uint8Array.of(0x06), unusedBits: 1 }))));
  } else {
    list.push(extension('2.5.29.15', true, ber(new asn1js.BitString({ valueHex: Uint8Array.of(0x80), unusedBits: 7 }))));
  }
  if (options.profile === 'document-signer') {
    // 9303-12: the DS private key signs for a few months; the certificate outlives it by the documents' validity.
    const usageEnd = new Date(Math.min(options.notAfter.getTime(), options.notBefore.getTime() + 100 * 86_400_000));
    list.push(extension('2.5.29.16', false, encodeTlv(0x30, [encodeTlv(0x80, generalizedTime(options.notBefore)), encodeTlv(0x81, generalizedTime(usageEnd))])));
  }
  if (options.profile === 'master-list-signer') {
    list.push(extension('2.5.29.37', false, ber(new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: MASTER_LIST_SIGNING_KEY_OID })] }))));
  }
  return list;
}

/** Assembles the TBSCertificate with pkijs and signs it with node:crypto. */
export function issueTestCertificate(options: IssueOptions): TestCertificate {
  const signingKey = options.forgedWith ?? options.issuer?.key ?? options.key;
  const scheme = options.scheme ?? signingKey.scheme;
  const algorithm = new pkijs.AlgorithmIdentifier({ schema: algorithmNode(schemeAlgorithmIdentifier(scheme)) });
  const serial = options.serialNumber ?? serialCounter++;
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = asn1js.Integer.fromBigInt(serial);
  certificate.signature = algorithm;
  certificate.issuer = nameNode(options.issuer?.name ?? options.subject);
  certificate.subject = nameNode(options.subject);
  certificate.notBefore = time(options.notBefore);
  certificate.notAfter = time(options.notAfter);
  certificate.subjectPublicKeyInfo = new pkijs.PublicKeyInfo({ schema: asn1js.fromBER(options.key.spki).result });
  certificate.extensions = extensionsFor(options);
  const tbs = new Uint8Array(certificate.encodeTBS().toBER(false));
  certificate.tbsView = tbs;
  certificate.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ schema: algorithmNode(schemeAlgorithmIdentifier(scheme)) });
  certificate.signatureValue = new asn1js.BitString({ valueHex: signData(signingKey.privateKey, scheme, tbs) });
  const der = new Uint8Array(certificate.toSchema(false).toBER(false));
  return { der, certificate: parseCertificate(der), key: options.key, name: options.subject };
}

/** A CSCA master list signed by `signer`, holding `certificates` (DER). */
export function buildTestMasterList(signer: TestCertificate, certificates: readonly Uint8Array[], signingTime?: Date): Uint8Array {
  const sorted = [...certificates].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const content = encodeTlv(0x30, [encodeTlv(0x02, Uint8Array.of(0)), encodeTlv(0x31, sorted)]);
  return buildSignedData({
    eContentType: CSCA_MASTER_LIST_OID,
    eContent: content,
    signer: { certificate: signer.der, privateKey: signer.key.privateKey, scheme: signer.key.scheme },
    signingTime,
  });
}

export type TestDocumentSignerName =
  | 'rsa' | 'rsa-pss' | 'p256' | 'brainpoolP256r1' | 'brainpoolP384r1' | 'explicit-brainpoolP256r1'
  | 'expired' | 'not-yet-valid' | 'after-csca-expiry' | 'before-csca-expiry' | 'rogue' | 'other-country';

export interface TestPki {
  /** The time the PKI was made for; validity windows are relative to it. */
  now: Date;
  country: string;
  cscas: {
    /** RSA 2048, signs with PKCS#1 v1.5 (and PSS for the RSA-PSS DS). */
    rsa: TestCertificate;
    /** brainpoolP384r1 with EXPLICIT parameters, same name as `rsa` (a key renewal), told apart by key identifier. */
    brainpool: TestCertificate;
    /** Valid from 15 to 5 years ago. */
    expired: TestCertificate;
    /** Of country ZZ, which the trust store does not hold. */
    otherCountry: TestCertificate;
    /** Claims the name of `rsa` but is nobody's: never in the trust store. */
    rogue: TestCertificate;
  };
  documentSigners: Record<TestDocumentSignerName, TestCertificate>;
  masterListSigner: TestCertificate;
  /** A master list with the three genuine Utopian CSCAs, signed by masterListSigner. */
  masterList: Uint8Array;
  /** A new store with the genuine Utopian CSCAs (rsa, brainpool, expired). */
  trustStore(): CscaTrustStore;
}

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const pkiCache = new Map<number, TestPki>();

/** The test PKI for `now` (default: now, to the day); cached per day per process. */
export function createTestPki({ now = new Date() }: { now?: Date } = {}): TestPki {
  const day = Math.floor(now.getTime() / DAY) * DAY;
  const cached = pkiCache.get(day);
  if (cached) return cached;
  const t = (offset: number) => new Date(day + offset);
  const utopia = { country: 'UT', organization: 'Utopia Passport Office' };
  const cscaName = { ...utopia, commonName: 'CSCA Utopia' };

  const rsa = issueTestCertificate({ profile: 'csca', subject: cscaName, key: testKeyPair('csca', 'rsa'), notBefore: t(-5 * YEAR), notAfter: t(10 * YEAR) });
  const brainpool = issueTestCertificate({
    profile: 'csca', subject: cscaName, key: testKeyPair('csca-bp', 'brainpoolP384r1', { explicitParameters: true }), notBefore: t(-5 * YEAR), notAfter: t(10 * YEAR),
  });
  const expired = issueTestCertificate({
    profile: 'csca', subject: { ...utopia, commonName: 'CSCA Utopia 2011' }, key: testKeyPair('csca-old', 'p256'), notBefore: t(-15 * YEAR), notAfter: t(-5 * YEAR),
  });
  const otherCountry = issueTestCertificate({
    profile: 'csca', subject: { country: 'ZZ', commonName: 'CSCA Zedland' }, key: testKeyPair('csca-zz', 'p256'), notBefore: t(-5 * YEAR), notAfter: t(10 * YEAR),
  });
  const rogue = issueTestCertificate({ profile: 'csca', subject: cscaName, key: testKeyPair('csca-rogue', 'p256'), notBefore: t(-5 * YEAR), notAfter: t(10 * YEAR) });

  const ds = (label: string, issuer: TestCertificate, key: TestKeyPair, from: number, to: number, extra: Partial<IssueOptions> = {}) => issueTestCertificate({
    profile: 'document-signer', subject: { ...utopia, ...(issuer === otherCountry ? { country: 'ZZ', organization: undefined } : {}), commonName: `Document Signer ${label}` },
    key, issuer, notBefore: t(from), notAfter: t(to), ...extra,
  });
  const current = [-30 * DAY, 10 * YEAR] as const;
  const documentSigners: Record<TestDocumentSignerName, TestCertificate> = {
    rsa: ds('RSA', rsa, testKeyPair('ds-rsa', 'rsa'), ...current),
    'rsa-pss': ds('RSA-PSS', rsa, testKeyPair('ds-pss', 'rsa-pss'), ...current, { scheme: { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 } }),
    p256: ds('P-256', rsa, testKeyPair('ds-p256', 'p256'), ...current),
    brainpoolP256r1: ds('brainpoolP256r1', brainpool, testKeyPair('ds-bp256', 'brainpoolP256r1'), ...current),
    brainpoolP384r1: ds('brainpoolP384r1', brainpool, testKeyPair('ds-bp384', 'brainpoolP384r1'), ...current),
    'explicit-brainpoolP256r1': ds('brainpoolP256r1 explicit', brainpool, testKeyPair('ds-bp256x', 'brainpoolP256r1', { explicitParameters: true }), ...current),
    expired: ds('expired', rsa, testKeyPair('ds-expired', 'p256'), -4 * YEAR, -30 * DAY),
    'not-yet-valid': ds('future', rsa, testKeyPair('ds-future', 'p256'), 30 * DAY, 10 * YEAR),
    'after-csca-expiry': ds('after CSCA expiry', expired, testKeyPair('ds-late', 'p256'), -1 * YEAR, 9 * YEAR),
    'before-csca-expiry': ds('before CSCA expiry', expired, testKeyPair('ds-early', 'p256'), -6 * YEAR, 4 * YEAR),
    rogue: ds('rogue', rsa, testKeyPair('ds-rogue', 'p256'), ...current, { forgedWith: rogue.key }),
    'other-country': ds('Zedland', otherCountry, testKeyPair('ds-zz', 'p256'), ...current),
  };
  const masterListSigner = issueTestCertificate({
    profile: 'master-list-signer', subject: { ...utopia, commonName: 'Master List Signer Utopia' }, key: testKeyPair('mls', 'p256'),
    issuer: rsa, notBefore: t(-YEAR), notAfter: t(2 * YEAR),
  });
  const genuine = [rsa, brainpool, expired];
  const pki: TestPki = {
    now: new Date(day),
    country: 'UT',
    cscas: { rsa, brainpool, expired, otherCountry, rogue },
    documentSigners,
    masterListSigner,
    masterList: buildTestMasterList(masterListSigner, genuine.map((c) => c.der), t(-DAY)),
    trustStore() {
      const store = new CscaTrustStore();
      for (const csca of genuine) store.add(csca.der, 'test PKI');
      return store;
    },
  };
  pkiCache.set(day, pki);
  return pki;
}
