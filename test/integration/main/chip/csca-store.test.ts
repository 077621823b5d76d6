// The kiosk's CSCA trust store on a real SQLite file: certificates and master lists imported
// (checked first, one transaction per file), what the authority's station configuration adds,
// and a trust store that verifies a generated passport after a restart.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCscaFile, listCscas, loadTrustStore } from '../../../../main/chip/csca-store.js';
import { openDatabase } from '../../../../main/store/database.js';
import { TEST_DATABASE_KEY } from '../../../fixtures/store-key.js';
import { DeviceError } from '../../../../native/device-error.js';
import { passiveAuthentication } from '../../../../native/emrtd/passive-authentication.js';
import { buildScenarioPassport } from '../../../../native/sim/emrtd/test-passport.js';
import { buildTestMasterList, createTestPki } from '../../../../native/sim/emrtd/test-pki.js';

const AT = new Date('2026-12-07T10:00:00Z');
const pki = createTestPki({ now: AT });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-csca-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
const storeFile = () => path.join(dir, `store-${++n}.sqlite`);
const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
const count = (db: ReturnType<typeof openDatabase>) => (db.prepare('SELECT count(*) AS n FROM csca_certificates').get() as { n: number }).n;

describe('CSCA trust store', () => {
  it('imports a PEM file once, lists it by country, and verifies a passport after the store is reopened', () => {
    const file = storeFile();
    const db = openDatabase(file, TEST_DATABASE_KEY);
    const bytes = new TextEncoder().encode(pem(pki.cscas.rsa.der) + pem(pki.cscas.brainpool.der));
    expect(importCscaFile(db, bytes, { source: 'csca-ut.pem', at: AT })).toMatchObject({ kind: 'certificates', added: 2, alreadyHeld: 0, refused: [] });
    expect(importCscaFile(db, bytes, { source: 'csca-ut.pem', at: AT })).toMatchObject({ added: 0, alreadyHeld: 2 });
    db.close();

    const reopened = openDatabase(file, TEST_DATABASE_KEY);
    expect(listCscas(reopened)).toEqual([
      expect.objectContaining({ country: 'UT', source: 'csca-ut.pem', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) }),
      expect.objectContaining({ country: 'UT', source: 'csca-ut.pem' }),
    ]);
    const passport = buildScenarioPassport(pki, 'valid');
    const result = passiveAuthentication({ sod: passport.sod, dataGroups: passport.dataGroups, trustStore: loadTrustStore(reopened), at: AT });
    expect(result.status).toBe('valid');
    reopened.close();
  });

  it('imports a master list only when its signature and signer chain hold', () => {
    const db = openDatabase(storeFile(), TEST_DATABASE_KEY);
    const report = importCscaFile(db, pki.masterList, { source: 'ICAO-ML.ml', at: AT });
    expect(report).toMatchObject({ kind: 'master-list', added: 3, masterList: { verified: true } });
    expect(count(db)).toBe(3);

    // A master list whose signer chains to no CSCA it carries nor any held is refused whole.
    const foreign = buildTestMasterList(pki.documentSigners.rogue, [pki.cscas.otherCountry.der], AT);
    expect(() => importCscaFile(db, foreign, { source: 'forged.ml', at: AT })).toThrow(DeviceError);
    expect(count(db)).toBe(3);
    db.close();
  });

  it('refuses a file that is no certificate and keeps nothing of it', () => {
    const db = openDatabase(storeFile(), TEST_DATABASE_KEY);
    expect(() => importCscaFile(db, new TextEncoder().encode('not a certificate'), { source: 'x.pem', at: AT })).toThrow(DeviceError);
    expect(count(db)).toBe(0);
    db.close();
  });

  it('adds the CSCAs of the station configuration and skips a broken entry there', () => {
    const db = openDatabase(storeFile(), TEST_DATABASE_KEY);
    const settings = { cscaCertificates: [Buffer.from(pki.cscas.otherCountry.der).toString('base64'), Buffer.from('broken').toString('base64')] };
    const config = { version: 3, issuedAt: AT.toISOString(), authorityKeyId: 'k', settings, signature: 's' };
    db.prepare("INSERT INTO authority_documents (kind, version, document, verified_at) VALUES ('station-config', 3, ?, ?)").run(JSON.stringify(config), AT.toISOString());
    expect(listCscas(db)).toEqual([expect.objectContaining({ country: 'ZZ', source: 'authority station configuration v3' })]);
    expect(count(db)).toBe(0); // they count while the configuration holds them; nothing is copied
    db.close();
  });
});
