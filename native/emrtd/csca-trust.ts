// The kiosk's trust in issuing countries: an in-memory store of CSCA certificates (the roots
// of each country's passport PKI, link certificates included) looked up the way a Document
// Signer names its issuer — issuer DN, authority key identifier, country — plus ICAO CSCA
// master lists (9303-12 §8: CMS SignedData, content type 2.23.136.1.1.2, CscaMasterList
// { version, certList SET OF Certificate }) and a loader for a folder of PEM, DER and .ml
// files. Persisting the store is the kiosk's business; everything here is pure or read-only.
//
// Master-list rule: a list is accepted when its CMS signature verifies with the embedded
// Master List Signer certificate; that signer is valid at the given time, is meant for
// signing master lists (extended key usage id-icao-cscaMasterListSigningKey 2.23.136.1.1.3,
// as 9303-12's Master List Signer profile has it; key usage digitalSignature when present) and was
// issued — name, key identifier and signature — by a CSCA that was valid when it issued the
// signer. That CSCA must be in the
// caller's trust store when one is given (the strong form: trust flows from a CSCA the
// kiosk already trusts); without one it may be in the list itself, which proves the list is
// intact and self-consistent but not who made it — such a list must come over a channel the
// kiosk trusts (the technician's signed provisioning bundle), and the result says which.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DeviceError } from '../device-error.js';
import { sameBytes } from './chip-crypto.js';
import { contextItems, isContext, parseDer, rawBytes, sequence, set, smallInteger } from './der.js';
import { checkSigner, findSignerCertificate, isMalformedAsn1, parseSignedData, type CmsSignedData, type CmsSignerInfo } from './pki/cms.js';
import {
  certificateKey, isValidAt, mayIssueCertificates, parseCertificate, sameName, summarizeCertificate, verifyCertificateSignature,
  type CertificateSummary, type ParsedCertificate,
} from './pki/x509.js';

export const CSCA_MASTER_LIST_OID = '2.23.136.1.1.2';
export const MASTER_LIST_SIGNING_KEY_OID = '2.23.136.1.1.3';

export interface CscaEntry {
  certificate: ParsedCertificate;
  /** From the subject's countryName, upper-cased (ISO 3166-1 alpha-2). */
  country: string;
  /** Where it came from, for the technician ("master list DE 2026-01", a file path, …). */
  source: string;
}

/** In-memory CSCA trust store; duplicates (same DER) are kept once. */
export class CscaTrustStore {
  readonly #entries = new Map<string, CscaEntry>();

  /** Adds a CSCA (or link) certificate. PKI_CERTIFICATE_MALFORMED, or CSCA_NO_COUNTRY without a countryName. */
  add(der: Uint8Array, source = 'added'): CscaEntry {
    const certificate = parseCertificate(Uint8Array.from(der));
    const country = certificate.subject.country;
    if (!country) {
      throw new DeviceError('CSCA_NO_COUNTRY', `The CSCA certificate "${certificate.subject.text}" names no country (C=); it cannot anchor a passport.`, {
        subject: certificate.subject.text,
      });
    }
    const existing = this.#entries.get(certificate.fingerprint);
    if (existing) return existing;
    const entry = { certificate, country, source };
    this.#entries.set(certificate.fingerprint, entry);
    return entry;
  }

  get size(): number {
    return this.#entries.size;
  }

  entries(): CscaEntry[] {
    return [...this.#entries.values()];
  }

  countries(): string[] {
    return [...new Set(this.entries().map((e) => e.country))].sort();
  }

  forCountry(country: string): CscaEntry[] {
    const wanted = country.trim().toUpperCase();
    return this.entries().filter((e) => e.country === wanted);
  }

  /**
   * The CSCAs that may have issued `certificate`: subject equal to its issuer name and, where
   * both carry key identifiers, subject key identifier equal to its authority key identifier.
   * Several can match (a country renews its CSCA key under the same name); the signature decides.
   */
  issuersOf(certificate: ParsedCertificate): CscaEntry[] {
    return this.entries().filter((entry) => {
      if (!sameName(entry.certificate.subject, certificate.issuer)) return false;
      const ski = entry.certificate.subjectKeyIdentifier;
      const aki = certificate.authorityKeyIdentifier;
      return !ski || !aki || sameBytes(ski, aki);
    });
  }

  /** Adds every certificate of a verified master list; certificates that do not parse are reported, not added. */
  addMasterList(list: CscaMasterList, verification: MasterListVerification, source = 'master list'): { added: number; refused: { index: number; error: string }[] } {
    if (!verification.verified) throw new RangeError('only a verified master list can be added');
    const before = this.size;
    const refused: { index: number; error: string }[] = [];
    list.certificates.forEach((der, index) => {
      try {
        this.add(der, source);
      } catch (error) {
        if (!(error instanceof DeviceError)) throw error;
        refused.push({ index, error: error.message });
      }
    });
    return { added: this.size - before, refused };
  }
}

export interface CscaMasterList {
  version: number;
  /** Each certificate of certList as DER, in the list's order. */
  certificates: Uint8Array[];
  signedData: CmsSignedData;
  signer: CmsSignerInfo;
  /** The embedded Master List Signer certificate the signer identifier names, or null. */
  signerCertificate: ParsedCertificate | null;
}

function masterListError(reason: string, details: Record<string, unknown> = {}): DeviceError {
  return new DeviceError('MASTER_LIST_MALFORMED', `The CSCA master list is malformed: ${reason}`, { reason, ...details });
}

/** Reads a CSCA master list (.ml: a DER ContentInfo); MASTER_LIST_MALFORMED when out of shape. */
export function parseMasterList(bytes: Uint8Array): CscaMasterList {
  try {
    const signedData = parseSignedData(bytes, 'CSCA master list');
    if (signedData.eContentType !== CSCA_MASTER_LIST_OID) {
      throw masterListError(`its content type is ${signedData.eContentType}, not a CSCA master list (${CSCA_MASTER_LIST_OID}).`);
    }
    if (signedData.signerInfos.length !== 1) throw masterListError(`it has ${signedData.signerInfos.length} signers, not one.`);
    const [versionNode, certList] = sequence(parseDer(signedData.eContent, 'CscaMasterList'), 'CscaMasterList', { min: 2, max: 2 });
    const version = smallInteger(versionNode, 'CscaMasterList.version');
    if (version !== 0) throw masterListError(`version ${version} (only v0 exists).`);
    const certificates = set(certList, 'CscaMasterList.certList').map((node) => Uint8Array.from(rawBytes(node)));
    const signer = signedData.signerInfos[0]!;
    return { version, certificates, signedData, signer, signerCertificate: findSignerCertificate(signedData, signer) };
  } catch (error) {
    if (error instanceof DeviceError && error.code !== 'MASTER_LIST_MALFORMED') {
      throw masterListError(error.message, { cause: error.code });
    }
    throw error;
  }
}

export type MasterListVerification =
  | {
    verified: true;
    signer: CertificateSummary;
    /** The CSCA that issued the signer, and whether it came from the caller's trust store or the list itself. */
    anchor: { source: 'trust-store' | 'master-list'; certificate: CertificateSummary };
  }
  | {
    verified: false;
    reason: 'no-signer-certificate' | 'signature-invalid' | 'signer-not-authorised' | 'chain-invalid' | 'expired' | 'unsupported-algorithm' | 'malformed';
    message: string;
  };

/** Checks a parsed master list as the rule at the top of this file says; never throws for bad list content. */
export function verifyMasterList(list: CscaMasterList, { at, trustStore }: { at: Date; trustStore?: CscaTrustStore }): MasterListVerification {
  const fail = (reason: Extract<MasterListVerification, { verified: false }>['reason'], message: string): MasterListVerification =>
    ({ verified: false, reason, message });
  try {
    const signer = list.signerCertificate;
    if (!signer) return fail('no-signer-certificate', 'The master list does not carry its signer\'s certificate.');
    const check = checkSigner(list.signer, list.signedData.eContentType, list.signedData.eContent, certificateKey(signer));
    if (!check.ok) return fail('signature-invalid', check.message);
    if (signer.keyUsage && !signer.keyUsage.has('digitalSignature')) {
      return fail('signer-not-authorised', 'The Master List Signer certificate\'s key usage does not allow signatures.');
    }
    if (!signer.extendedKeyUsage?.includes(MASTER_LIST_SIGNING_KEY_OID)) {
      return fail('signer-not-authorised', 'The signer certificate is not a Master List Signer (its extended key usage lacks id-icao-cscaMasterListSigningKey).');
    }
    if (signer.unknownCriticalExtensions.length > 0) {
      return fail('signer-not-authorised', `The signer certificate has unknown critical extensions ${signer.unknownCriticalExtensions.join(', ')}.`);
    }
    if (!isValidAt(signer, at)) return fail('expired', `The Master List Signer certificate is valid ${signer.notBefore.toISOString()} – ${signer.notAfter.toISOString()}, not at ${at.toISOString()}.`);

    const candidates: { certificate: ParsedCertificate; source: 'trust-store' | 'master-list' }[] = trustStore
      ? trustStore.issuersOf(signer).map((e) => ({ certificate: e.certificate, source: 'trust-store' as const }))
      : list.certificates.flatMap((der) => {
        try {
          return [{ certificate: parseCertificate(der), source: 'master-list' as const }];
        } catch {
          return [];
        }
      }).filter(({ certificate }) => sameName(certificate.subject, signer.issuer)
        && (!certificate.subjectKeyIdentifier || !signer.authorityKeyIdentifier || sameBytes(certificate.subjectKeyIdentifier, signer.authorityKeyIdentifier)));
    for (const candidate of candidates) {
      if (!mayIssueCertificates(candidate.certificate)) continue;
      if (!verifyCertificateSignature(signer, certificateKey(candidate.certificate))) continue;
      if (!isValidAt(candidate.certificate, signer.notBefore)) {
        return fail('expired', `The CSCA that issued the Master List Signer was not valid when it issued it (${signer.notBefore.toISOString()}).`);
      }
      return { verified: true, signer: summarizeCertificate(signer), anchor: { source: candidate.source, certificate: summarizeCertificate(candidate.certificate) } };
    }
    const where = trustStore ? 'the trust store' : 'the list';
    return fail('chain-invalid', `No CSCA in ${where} issued the Master List Signer "${signer.subject.text}".`);
  } catch (error) {
    if (error instanceof DeviceError && error.code === 'PKI_UNSUPPORTED_ALGORITHM') return fail('unsupported-algorithm', error.message);
    if (isMalformedAsn1(error)) return fail('malformed', error.message);
    throw error;
  }
}

/** The certificates of a PEM file (every CERTIFICATE block) or a single DER certificate. */
export function parseCertificateFile(bytes: Uint8Array): Uint8Array[] {
  const textForm = Buffer.from(bytes).toString('latin1');
  if (textForm.includes('-----BEGIN')) {
    const blocks = [...textForm.matchAll(/-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g)];
    if (blocks.length === 0) throw new DeviceError('CSCA_FILE_UNREADABLE', 'The PEM file holds no CERTIFICATE block.', {});
    return blocks.map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  }
  return [bytes];
}

/** True when the DER is a ContentInfo (a master list) rather than a certificate. */
function looksLikeContentInfo(bytes: Uint8Array): boolean {
  try {
    const [first, second] = sequence(parseDer(bytes, 'file'), 'file');
    return first?.idBlock.tagNumber === 6 && isContext(second, 0) && contextItems(second, 0, 'file').length === 1;
  } catch {
    return false;
  }
}

export interface CscaLoadReport {
  added: number;
  files: { path: string; kind: 'certificates' | 'master-list' | 'unreadable'; added: number; problem?: string }[];
}

/**
 * Loads every regular file under `path` (or `path` itself): PEM or DER certificates are added
 * as CSCAs; master lists are verified (at `at`, against `trustStore` when given, as
 * verifyMasterList says) and their certificates added only when verified. Problems are
 * reported per file, not thrown.
 */
export async function loadCscaFiles(store: CscaTrustStore, path: string, { at, trustStore }: { at: Date; trustStore?: CscaTrustStore }): Promise<CscaLoadReport> {
  const paths = (await stat(path)).isDirectory() ? await filesUnder(path) : [path];
  const report: CscaLoadReport = { added: 0, files: [] };
  for (const file of paths) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (error) {
      report.files.push({ path: file, kind: 'unreadable', added: 0, problem: (error as Error).message });
      continue;
    }
    try {
      if (looksLikeContentInfo(bytes)) {
        const list = parseMasterList(bytes);
        const verification = verifyMasterList(list, { at, trustStore });
        if (!verification.verified) {
          report.files.push({ path: file, kind: 'master-list', added: 0, problem: verification.message });
          continue;
        }
        const { added, refused } = store.addMasterList(list, verification, file);
        report.added += added;
        report.files.push({ path: file, kind: 'master-list', added, ...(refused.length ? { problem: `${refused.length} certificates refused` } : {}) });
      } else {
        const before = store.size;
        for (const der of parseCertificateFile(bytes)) store.add(der, file);
        report.added += store.size - before;
        report.files.push({ path: file, kind: 'certificates', added: store.size - before });
      }
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error;
      report.files.push({ path: file, kind: 'unreadable', added: 0, problem: error.message });
    }
  }
  return report;
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(entries.sort((a, b) => a.name.localeCompare(b.name)).map(async (entry) => {
    const full = join(directory, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  }));
  return nested.flat();
}
