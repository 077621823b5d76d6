// Passive Authentication (9303-11 §5.1, 9303-12): is what the chip returned what the issuing
// state signed? Given EF.SOD, the data groups actually read, a CSCA trust store and a time:
//   1. EF.SOD parses (else failed/malformed);
//   2. every data group read hashes to the SOD's value (unread ones are not required; one read
//      but absent from the SOD is not covered by any signature and fails too);
//   3. the signed attributes' content-type and message-digest match the LDS security object;
//   4. their signature verifies with the Document Signer certificate's key;
//   5. the DS certificate is valid at the time of the check (see the validity rule);
//   6. a CSCA in the trust store issued it — issuer DN and authority key identifier select the
//      candidates, the signature decides; no CSCA at all for the DS's country is
//      not-verifiable, candidates that do not verify (or none among the country's) is
//      failed/chain-invalid or not-verifiable/no-csca-for-issuer as below;
//   7. that CSCA was valid when it issued the DS (at the DS's notBefore).
// Validity rule. A DS certificate is valid for its key-usage period plus the longest validity
// of the documents it signs (9303-12's certificate validity periods), so a document still
// valid has a DS valid today:
// the DS must be valid at the time of the check, and a signing-time attribute, when present,
// must fall inside the DS validity (and inside its private key usage period, when present).
// The CSCA need not be valid today — passports outlive CSCA key rotations — but it must have
// been valid when it issued the DS (chain model for the CSCA, shell model for the DS).
// What the signatures do not cover is not judged: the CMS envelope's version numbers, its
// list of digest algorithms, the letter case of the signer identifier's name.
// Bad chip data never throws: it is a `failed` (or `not-verifiable`) result. A programming
// error (a data group number outside 1–16) does throw.

import { DeviceError } from '../device-error.js';
import { isDataGroupNumber, type DataGroupNumber } from './lds/lds-files.js';
import { decodeSod, type DocumentSecurityObject } from './sod.js';
import type { CscaEntry, CscaTrustStore } from './csca-trust.js';
import { checkSigner, isMalformedAsn1 } from './pki/cms.js';
import { describeScheme, digest, type HashName } from './pki/algorithms.js';
import { sameBytes } from './chip-crypto.js';
import {
  certificateKey, isValidAt, mayIssueCertificates, summarizeCertificate, verifyCertificateSignature, type CertificateSummary,
  type ParsedCertificate,
} from './pki/x509.js';

export interface PassiveAuthenticationInput {
  /** EF.SOD as read (tag 77 and all). */
  sod: Uint8Array;
  /** Data group number → the file's bytes exactly as read. */
  dataGroups: ReadonlyMap<number, Uint8Array> | Readonly<Record<number, Uint8Array>>;
  trustStore: CscaTrustStore;
  /** The time the check is made for (normally now). */
  at: Date;
}

export type PassiveAuthenticationStep = 'passed' | 'failed' | 'not-checked';

/** Each step's outcome, for the screen and the audit log. */
export interface PassiveAuthenticationChecks {
  dataGroupHashes: PassiveAuthenticationStep;
  signedAttributes: PassiveAuthenticationStep;
  signature: PassiveAuthenticationStep;
  documentSignerValidity: PassiveAuthenticationStep;
  chain: PassiveAuthenticationStep;
  cscaValidity: PassiveAuthenticationStep;
}

/** What every result carries, whatever its status. */
export interface PassiveAuthenticationEvidence {
  /** For people and logs; never shown to the traveller as is. */
  message: string;
  checks: PassiveAuthenticationChecks;
  /** Data groups whose hash was compared and matched. */
  dataGroupsVerified: DataGroupNumber[];
  /** Data groups the SOD covers that were not read (not required). */
  dataGroupsNotRead: DataGroupNumber[];
  documentSigner: CertificateSummary | null;
  /** The LDS security object's hash, e.g. "sha256". */
  hashAlgorithm: HashName | null;
  /** The SOD signature, e.g. "ECDSA with SHA-256". */
  signatureAlgorithm: string | null;
  signingTime: string | null;
}

export interface CscaReference {
  country: string;
  subject: string;
  serialNumber: string;
  fingerprint: string;
  source: string;
}

export type PassiveAuthenticationFailure = 'dg-hash-mismatch' | 'signature-invalid' | 'chain-invalid' | 'expired' | 'malformed';

export type PassiveAuthenticationResult =
  | ({ status: 'valid'; csca: CscaReference } & PassiveAuthenticationEvidence)
  | ({
    status: 'not-verifiable';
    /**
     * no-csca-for-country: the store has no CSCA of the DS's country; no-csca-for-issuer: it has
     * some, but none with the DS's issuer name and key identifier (an outdated store, or a DS
     * naming an issuer that does not exist); unsupported-algorithm: a hash, signature or curve
     * the kiosk cannot check. Hashes and signature were fine as far as they could be checked.
     */
    reason: 'no-csca-for-country' | 'no-csca-for-issuer' | 'unsupported-algorithm';
    country: string | null;
  } & PassiveAuthenticationEvidence)
  | ({
    status: 'failed';
    reason: PassiveAuthenticationFailure;
    /** dg-hash-mismatch: the first data group that does not match. */
    dataGroup?: DataGroupNumber;
    /** dg-hash-mismatch: every data group that does not match or is missing from the SOD. */
    dataGroupsMismatched?: DataGroupNumber[];
    /** expired: which certificate. */
    certificate?: 'document-signer' | 'csca';
    /** The DeviceError code behind a malformed result. */
    code?: string;
  } & PassiveAuthenticationEvidence);

const NOT_CHECKED: PassiveAuthenticationChecks = {
  dataGroupHashes: 'not-checked', signedAttributes: 'not-checked', signature: 'not-checked',
  documentSignerValidity: 'not-checked', chain: 'not-checked', cscaValidity: 'not-checked',
};

function readEntries(dataGroups: PassiveAuthenticationInput['dataGroups']): [DataGroupNumber, Uint8Array][] {
  const entries: [number, Uint8Array][] = dataGroups instanceof Map
    ? [...(dataGroups as ReadonlyMap<number, Uint8Array>)]
    : Object.entries(dataGroups as Readonly<Record<number, Uint8Array>>).map(([k, v]): [number, Uint8Array] => [Number(k), v]);
  const checked = entries.map(([n, bytes]): [DataGroupNumber, Uint8Array] => {
    if (!isDataGroupNumber(n)) throw new RangeError(`Passive Authentication was given data group ${n}; data groups are 1–16.`);
    return [n, bytes];
  });
  return checked.sort(([a], [b]) => a - b);
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function passiveAuthentication(input: PassiveAuthenticationInput): PassiveAuthenticationResult {
  const read = readEntries(input.dataGroups);
  const checks: PassiveAuthenticationChecks = { ...NOT_CHECKED };
  const evidence: PassiveAuthenticationEvidence = {
    message: '',
    checks,
    dataGroupsVerified: [],
    dataGroupsNotRead: [],
    documentSigner: null,
    hashAlgorithm: null,
    signatureAlgorithm: null,
    signingTime: null,
  };
  const failed = (reason: PassiveAuthenticationFailure, message: string, extra: Partial<Extract<PassiveAuthenticationResult, { status: 'failed' }>> = {}): PassiveAuthenticationResult =>
    ({ status: 'failed', reason, ...evidence, ...extra, message, checks: { ...checks } });
  const notVerifiable = (reason: Extract<PassiveAuthenticationResult, { status: 'not-verifiable' }>['reason'], message: string, country: string | null): PassiveAuthenticationResult =>
    ({ status: 'not-verifiable', reason, country, ...evidence, message, checks: { ...checks } });

  let sod: DocumentSecurityObject;
  try {
    sod = decodeSod(input.sod);
  } catch (error) {
    if (error instanceof DeviceError) return failed('malformed', error.message, { code: error.code });
    throw error;
  }
  const { securityObject, signer, documentSigner } = sod;
  evidence.hashAlgorithm = securityObject.hash;
  evidence.signingTime = iso(signer.signingTime);
  evidence.documentSigner = documentSigner ? summarizeCertificate(documentSigner) : null;
  evidence.dataGroupsNotRead = [...securityObject.dataGroupHashes.keys()].filter((n) => !read.some(([r]) => r === n)).sort((a, b) => a - b);

  // 2. Data group hashes.
  if (!securityObject.hash) {
    return notVerifiable('unsupported-algorithm', `The SOD hashes data groups with ${securityObject.hashAlgorithm.oid}, which the kiosk does not know.`, null);
  }
  const mismatched: DataGroupNumber[] = [];
  for (const [n, bytes] of read) {
    const expected = securityObject.dataGroupHashes.get(n);
    if (expected && sameBytes(expected, digest(securityObject.hash, bytes))) evidence.dataGroupsVerified.push(n);
    else mismatched.push(n);
  }
  checks.dataGroupHashes = mismatched.length === 0 ? 'passed' : 'failed';
  if (mismatched.length > 0) {
    const first = mismatched[0]!;
    const why = securityObject.dataGroupHashes.has(first) ? 'does not match the hash the issuer signed' : 'is not covered by the SOD at all';
    return failed('dg-hash-mismatch', `DG${first} as read from the chip ${why}.`, { dataGroup: first, dataGroupsMismatched: mismatched });
  }

  try {
    // 3–4. Signed attributes and signature.
    if (!documentSigner) {
      return failed('malformed', 'The SOD does not carry the Document Signer certificate its signer names.', { code: 'SOD_NO_DOCUMENT_SIGNER' });
    }
    const check = checkSigner(signer, sod.signedData.eContentType, sod.signedData.eContent, certificateKey(documentSigner));
    if (check.scheme) evidence.signatureAlgorithm = describeScheme(check.scheme);
    if (!check.ok) {
      if (check.failed === 'signature') {
        checks.signedAttributes = 'passed';
        checks.signature = 'failed';
      } else {
        checks.signedAttributes = 'failed';
      }
      return failed(check.failed === 'signed-attributes' || check.failed === 'content-type' ? 'malformed' : 'signature-invalid', check.message);
    }
    evidence.signatureAlgorithm = describeScheme(check.scheme);
    checks.signedAttributes = 'passed';
    checks.signature = 'passed';

    // 5. The Document Signer's validity.
    const dsProblem = documentSignerValidityProblem(documentSigner, signer.signingTime, input.at);
    checks.documentSignerValidity = dsProblem ? 'failed' : 'passed';
    if (dsProblem) return failed('expired', dsProblem, { certificate: 'document-signer' });

    // 6–7. The chain to a CSCA.
    const country = documentSigner.issuer.country;
    if (!country || input.trustStore.forCountry(country).length === 0) {
      return notVerifiable('no-csca-for-country', `The trust store holds no CSCA for ${country ?? 'the Document Signer\'s country (its issuer names none)'}.`, country);
    }
    const candidates = input.trustStore.issuersOf(documentSigner);
    if (documentSigner.unknownCriticalExtensions.length > 0) {
      checks.chain = 'failed';
      return failed('chain-invalid', `The Document Signer certificate has unknown critical extensions (${documentSigner.unknownCriticalExtensions.join(', ')}).`);
    }
    if (documentSigner.keyUsage && !documentSigner.keyUsage.has('digitalSignature')) {
      checks.chain = 'failed';
      return failed('chain-invalid', 'The Document Signer certificate\'s key usage does not allow signatures.');
    }
    if (candidates.length === 0) {
      return notVerifiable('no-csca-for-issuer', `No CSCA of ${country} in the trust store has the Document Signer's issuer "${documentSigner.issuer.text}" and key identifier.`, country);
    }
    const issuer = findIssuer(documentSigner, candidates);
    if (!issuer) {
      checks.chain = 'failed';
      return failed('chain-invalid', `The Document Signer certificate was not signed by any CSCA named "${documentSigner.issuer.text}" in the trust store.`);
    }
    checks.chain = 'passed';
    const csca: CscaReference = {
      country: issuer.country,
      subject: issuer.certificate.subject.text,
      serialNumber: summarizeCertificate(issuer.certificate).serialNumber,
      fingerprint: issuer.certificate.fingerprint,
      source: issuer.source,
    };
    if (!isValidAt(issuer.certificate, documentSigner.notBefore)) {
      checks.cscaValidity = 'failed';
      return failed('expired', `The CSCA (valid ${issuer.certificate.notBefore.toISOString()} – ${issuer.certificate.notAfter.toISOString()}) was not valid when it issued the Document Signer (${documentSigner.notBefore.toISOString()}).`, { certificate: 'csca' });
    }
    checks.cscaValidity = 'passed';
    return { status: 'valid', csca, ...evidence, message: `The chip's data is as ${issuer.country} signed it.`, checks: { ...checks } };
  } catch (error) {
    if (error instanceof DeviceError && error.code === 'PKI_UNSUPPORTED_ALGORITHM') {
      return notVerifiable('unsupported-algorithm', error.message, documentSigner?.issuer.country ?? null);
    }
    if (isMalformedAsn1(error)) return failed('malformed', error.message, { code: error.code });
    throw error;
  }
}

function documentSignerValidityProblem(ds: ParsedCertificate, signingTime: Date | null, at: Date): string | null {
  const window = `${ds.notBefore.toISOString()} – ${ds.notAfter.toISOString()}`;
  if (!isValidAt(ds, at)) return `The Document Signer certificate is valid ${window}, not at ${at.toISOString()}.`;
  if (signingTime && !isValidAt(ds, signingTime)) return `The SOD says it was signed at ${signingTime.toISOString()}, outside the Document Signer's validity ${window}.`;
  const usage = ds.privateKeyUsagePeriod;
  if (signingTime && usage && ((usage.notBefore && signingTime < usage.notBefore) || (usage.notAfter && signingTime > usage.notAfter))) {
    return `The SOD says it was signed at ${signingTime.toISOString()}, outside the Document Signer's private key usage period.`;
  }
  return null;
}

/** The candidate CSCA whose key verifies the DS certificate (and that may issue certificates). */
function findIssuer(ds: ParsedCertificate, candidates: readonly CscaEntry[]): CscaEntry | null {
  let unsupported: unknown = null;
  for (const candidate of candidates) {
    if (!mayIssueCertificates(candidate.certificate)) continue;
    try {
      if (verifyCertificateSignature(ds, certificateKey(candidate.certificate))) return candidate;
    } catch (error) {
      // A CSCA with a key we cannot use must not hide another that works; remember why.
      if (error instanceof DeviceError && (error.code === 'PKI_UNSUPPORTED_ALGORITHM' || isMalformedAsn1(error))) unsupported = error;
      else throw error;
    }
  }
  if (unsupported) throw unsupported;
  return null;
}
