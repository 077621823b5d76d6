// The kiosk's CSCA trust store: the country signing certificates a document chip's Passive
// Authentication is anchored in. A technician imports them (`gatehouse trust import`: PEM or
// DER certificates, or an ICAO master list, checked before anything is kept); the authority
// may add more in its signed station configuration (`cscaCertificates`: base64 DER). The
// store is loaded fresh for every chip read, so an import counts at once.

import { DeviceError } from '../../native/device-error.js';
import {
  CscaTrustStore, parseCertificateFile, parseMasterList, verifyMasterList, type MasterListVerification,
} from '../../native/emrtd/csca-trust.js';
import { z } from 'zod';
import { heldStationConfig } from '../sync/authority-documents.js';
import type { Db } from '../store/database.js';

export interface CscaImportReport {
  kind: 'certificates' | 'master-list';
  added: number;
  /** Certificates the store held already. */
  alreadyHeld: number;
  /** Certificates that are no CSCA the store can use, and why. */
  refused: { index: number; reason: string }[];
  /** For a master list: how it was checked (see verifyMasterList). */
  masterList?: MasterListVerification;
}

export interface CscaListing {
  fingerprint: string;
  country: string;
  subject: string;
  notAfter: string;
  source: string;
}

/** What the authority's station configuration may carry: CSCA certificates as base64 DER. */
const AuthorityCscas = z.array(z.base64().max(16_384)).max(2_000);

function isMasterList(bytes: Uint8Array): boolean {
  try {
    parseMasterList(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Imports one file: a master list (kept only when its signature and its signer's chain hold,
 * against the certificates held or, failing those, the list's own CSCAs: a technician brought
 * it to the kiosk) or a certificate file. Every certificate must parse and name a country.
 * One transaction: a file is kept whole or not at all (refused certificates aside); a file
 * with no usable certificate at all is refused (CSCA_FILE_REFUSED).
 */
export function importCscaFile(db: Db, bytes: Uint8Array, { source, at }: { source: string; at: Date }): CscaImportReport {
  const held = loadTrustStore(db);
  let kind: CscaImportReport['kind'] = 'certificates';
  let certificates: Uint8Array[];
  let masterList: MasterListVerification | undefined;
  if (isMasterList(bytes)) {
    kind = 'master-list';
    const list = parseMasterList(bytes);
    const anchored = held.size > 0 ? verifyMasterList(list, { at, trustStore: held }) : null;
    masterList = anchored?.verified ? anchored : verifyMasterList(list, { at });
    if (!masterList.verified) {
      throw new DeviceError('CSCA_MASTER_LIST_REFUSED', `The master list was not imported: ${masterList.message}`, { reason: masterList.reason });
    }
    certificates = list.certificates;
  } else {
    certificates = parseCertificateFile(bytes);
  }
  const report: CscaImportReport = { kind, added: 0, alreadyHeld: 0, refused: [], ...(masterList ? { masterList } : {}) };
  const insert = db.prepare(`INSERT INTO csca_certificates (fingerprint, der, country, subject, not_after, source, imported_at)
                             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING`);
  db.transaction(() => {
    certificates.forEach((der, index) => {
      const single = new CscaTrustStore();
      let entry;
      try {
        entry = single.add(der, source);
      } catch (error) {
        if (!(error instanceof DeviceError)) throw error;
        report.refused.push({ index, reason: error.message });
        return;
      }
      const { certificate, country } = entry;
      const changes = insert.run(certificate.fingerprint, Buffer.from(der), country, certificate.subject.text,
        certificate.notAfter.toISOString(), source, at.toISOString()).changes;
      if (changes === 1) report.added += 1;
      else report.alreadyHeld += 1;
    });
    if (report.added + report.alreadyHeld === 0) {
      const reasons = report.refused.map((r) => r.reason).join('; ');
      throw new DeviceError('CSCA_FILE_REFUSED', `Nothing was imported from ${source}: it holds no usable CSCA certificate (${reasons || 'empty'}).`, { source });
    }
  })();
  return report;
}

/** The CSCAs held: those imported and those in the authority's station configuration. */
export function loadTrustStore(db: Db): CscaTrustStore {
  const store = new CscaTrustStore();
  const rows = db.prepare('SELECT der, source FROM csca_certificates ORDER BY imported_at, fingerprint').all() as { der: Buffer; source: string }[];
  for (const row of rows) store.add(new Uint8Array(row.der), row.source);
  const config = heldStationConfig(db);
  const fromAuthority = AuthorityCscas.safeParse(config?.settings.cscaCertificates ?? []);
  if (config && fromAuthority.success) {
    for (const base64 of fromAuthority.data) {
      try {
        store.add(new Uint8Array(Buffer.from(base64, 'base64')), `authority station configuration v${config.version}`);
      } catch (error) {
        if (!(error instanceof DeviceError)) throw error; // one bad entry does not take the others down
      }
    }
  }
  return store;
}

/** What `gatehouse trust list` shows: every CSCA held, by country. */
export function listCscas(db: Db): CscaListing[] {
  return loadTrustStore(db).entries()
    .map(({ certificate, country, source }) => ({
      fingerprint: certificate.fingerprint, country, subject: certificate.subject.text, notAfter: certificate.notAfter.toISOString(), source,
    }))
    .sort((a, b) => a.country.localeCompare(b.country) || a.subject.localeCompare(b.subject));
}
