// The CSCA trust store, ICAO master lists and the folder loader: lookups the way a Document
// Signer names its issuer, the master-list rule (signature, Master List Signer profile,
// chain to a CSCA in the list or in the trust store), and files of every kind a technician
// may drop into the trust folder.

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CscaTrustStore, loadCscaFiles, parseCertificateFile, parseMasterList, verifyMasterList,
} from '../../../../native/emrtd/csca-trust.js';
import { buildTestMasterList, createTestPki, issueTestCertificate, testKeyPair } from '../../../../native/sim/emrtd/test-pki.js';
import { buildScenarioPassport } from '../../../../native/sim/emrtd/test-passport.js';
import { errorOf } from './lds/lds-arbitraries.js';

const pki = createTestPki({ now: new Date('2026-03-01T00:00:00Z') });
const at = pki.now;
const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;

describe('CSCA trust store', () => {
  it('finds CSCAs by country and by the issuer a Document Signer names', () => {
    const store = pki.trustStore();
    expect(store.size).toBe(3);
    expect(store.countries()).toEqual(['UT']);
    expect(store.forCountry(' ut ')).toHaveLength(3);
    expect(store.forCountry('ZZ')).toEqual([]);
    // Two CSCAs share the name "CSCA Utopia"; the authority key identifier picks the right one.
    const rsaIssued = store.issuersOf(pki.documentSigners.p256.certificate);
    expect(rsaIssued.map((e) => e.certificate.fingerprint)).toEqual([pki.cscas.rsa.certificate.fingerprint]);
    const brainpoolIssued = store.issuersOf(pki.documentSigners.brainpoolP384r1.certificate);
    expect(brainpoolIssued.map((e) => e.certificate.fingerprint)).toEqual([pki.cscas.brainpool.certificate.fingerprint]);
  });

  it('keeps a certificate added twice once', () => {
    const store = new CscaTrustStore();
    const first = store.add(pki.cscas.rsa.der, 'file a');
    expect(store.add(pki.cscas.rsa.der, 'file b')).toBe(first);
    expect(store.size).toBe(1);
  });

  it('refuses a certificate without a country and bytes that are no certificate', () => {
    const nameless = issueTestCertificate({
      profile: 'csca', subject: { country: '', commonName: 'No Country CA' }, key: testKeyPair('nameless', 'p256'), notBefore: at, notAfter: at,
    });
    expect(errorOf(() => new CscaTrustStore().add(nameless.der))).toMatchObject({ code: 'CSCA_NO_COUNTRY' });
    expect(errorOf(() => new CscaTrustStore().add(Uint8Array.of(0x30, 0x00)))).toMatchObject({ code: 'PKI_CERTIFICATE_MALFORMED' });
  });
});

describe('CSCA master list', () => {
  it('parses the list, its certificates and its signer', () => {
    const list = parseMasterList(pki.masterList);
    expect(list.version).toBe(0);
    expect(list.certificates).toHaveLength(3);
    expect(list.signerCertificate?.fingerprint).toBe(pki.masterListSigner.certificate.fingerprint);
  });

  it('verifies against a CSCA in the list itself and says so', () => {
    const verification = verifyMasterList(parseMasterList(pki.masterList), { at });
    expect(verification).toMatchObject({
      verified: true,
      signer: { subject: 'C=UT, O=Utopia Passport Office, CN=Master List Signer Utopia' },
      anchor: { source: 'master-list', certificate: { subject: 'C=UT, O=Utopia Passport Office, CN=CSCA Utopia' } },
    });
  });

  it('verifies against the caller\'s trust store when one is given, and only against it', () => {
    const list = parseMasterList(pki.masterList);
    expect(verifyMasterList(list, { at, trustStore: pki.trustStore() })).toMatchObject({ verified: true, anchor: { source: 'trust-store' } });
    const foreign = new CscaTrustStore();
    foreign.add(pki.cscas.otherCountry.der);
    expect(verifyMasterList(list, { at, trustStore: foreign })).toMatchObject({ verified: false, reason: 'chain-invalid' });
  });

  it('adds the certificates of a verified list to the store', () => {
    const store = new CscaTrustStore();
    const list = parseMasterList(pki.masterList);
    expect(store.addMasterList(list, verifyMasterList(list, { at }), 'UT master list')).toEqual({ added: 3, refused: [] });
    expect(store.entries().every((e) => e.source === 'UT master list')).toBe(true);
    const passport = buildScenarioPassport(pki, 'valid', { signer: 'brainpoolP384r1' });
    expect(passport.dataGroups.size).toBe(2);
    expect(() => store.addMasterList(list, { verified: false, reason: 'expired', message: '' })).toThrow(RangeError);
  });

  it('refuses a list whose content was changed', () => {
    const damaged = Uint8Array.from(pki.masterList);
    const inside = Buffer.from(damaged).indexOf(Buffer.from('CSCA Utopia 2011'));
    expect(inside).toBeGreaterThan(0);
    damaged[inside + 5]! ^= 0x20; // "CSCA Utopia" → "CSCA utopia" in one listed certificate
    expect(verifyMasterList(parseMasterList(damaged), { at })).toMatchObject({ verified: false, reason: 'signature-invalid' });
  });

  it('refuses a list when its signer has expired', () => {
    const later = new Date(pki.masterListSigner.certificate.notAfter.getTime() + 1000);
    expect(verifyMasterList(parseMasterList(pki.masterList), { at: later })).toMatchObject({ verified: false, reason: 'expired' });
  });

  it('refuses a list signed by a certificate that is no Master List Signer', () => {
    const list = buildTestMasterList(pki.documentSigners.p256, [pki.cscas.rsa.der]);
    expect(verifyMasterList(parseMasterList(list), { at })).toMatchObject({ verified: false, reason: 'signer-not-authorised' });
  });

  it('refuses a list whose signer no CSCA in it issued', () => {
    const list = buildTestMasterList(pki.masterListSigner, [pki.cscas.otherCountry.der, pki.cscas.brainpool.der]);
    expect(verifyMasterList(parseMasterList(list), { at })).toMatchObject({ verified: false, reason: 'chain-invalid' });
  });

  it('refuses what is no master list with MASTER_LIST_MALFORMED, never a crash', () => {
    const sod = buildScenarioPassport(pki, 'valid').sod;
    expect((errorOf(() => parseMasterList(sod.subarray(4))) as Error).message).toContain('not a CSCA master list');
    fc.assert(fc.property(fc.nat(pki.masterList.length - 1), (cut) => {
      expect(errorOf(() => parseMasterList(pki.masterList.subarray(0, cut)))).toMatchObject({ code: 'MASTER_LIST_MALFORMED' });
    }), { numRuns: 100 });
    fc.assert(fc.property(fc.nat(pki.masterList.length - 1), fc.integer({ min: 0, max: 7 }), (offset, bit) => {
      const damaged = Uint8Array.from(pki.masterList);
      damaged[offset]! ^= 1 << bit;
      let list;
      try {
        list = parseMasterList(damaged);
      } catch (error) {
        expect(error).toMatchObject({ code: 'MASTER_LIST_MALFORMED' });
        return;
      }
      expect(typeof verifyMasterList(list, { at }).verified).toBe('boolean');
    }), { numRuns: 300 });
  });
});

describe('loading a trust folder', () => {
  it('reads PEM bundles, DER certificates and master lists, and reports what it could not use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-csca-'));
    mkdirSync(join(dir, 'zz'));
    writeFileSync(join(dir, 'utopia.pem'), pem(pki.cscas.rsa.der) + pem(pki.cscas.brainpool.der));
    writeFileSync(join(dir, 'zz', 'zedland.cer'), pki.cscas.otherCountry.der);
    writeFileSync(join(dir, 'utopia.ml'), pki.masterList);
    writeFileSync(join(dir, 'notes.txt'), 'not a certificate');
    const store = new CscaTrustStore();
    const report = await loadCscaFiles(store, dir, { at });
    expect(report.added).toBe(4);
    expect(store.countries()).toEqual(['UT', 'ZZ']);
    expect(report.files.map((f) => [f.path.slice(dir.length + 1), f.kind, f.added])).toEqual([
      ['notes.txt', 'unreadable', 0],
      ['utopia.ml', 'master-list', 3],
      ['utopia.pem', 'certificates', 0], // both already came with the master list
      ['zz/zedland.cer', 'certificates', 1],
    ]);
    expect(report.files[0]!.problem).toContain('certificate');
  });

  it('adds nothing from a master list that does not verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-csca-'));
    writeFileSync(join(dir, 'old.ml'), pki.masterList);
    const store = new CscaTrustStore();
    const report = await loadCscaFiles(store, join(dir, 'old.ml'), { at: new Date('2040-01-01T00:00:00Z') });
    expect(store.size).toBe(0);
    expect(report.files[0]).toMatchObject({ kind: 'master-list', added: 0, problem: expect.stringContaining('valid') });
  });

  it('splits a PEM bundle and passes DER through', () => {
    expect(parseCertificateFile(Buffer.from(pem(pki.cscas.rsa.der) + pem(pki.cscas.expired.der)))).toEqual([pki.cscas.rsa.der, pki.cscas.expired.der]);
    expect(parseCertificateFile(pki.cscas.rsa.der)).toEqual([pki.cscas.rsa.der]);
    expect(errorOf(() => parseCertificateFile(Buffer.from('-----BEGIN PRIVATE KEY-----\n')))).toMatchObject({ code: 'CSCA_FILE_UNREADABLE' });
  });
});
