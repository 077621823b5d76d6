// The test PKI the simulator and the Passive Authentication tests stand on: each certificate
// has the key type, the validity window and the issuer its name promises, keys are made once
// per process, and the master list holds the genuine CSCAs.

import { describe, expect, it } from 'vitest';
import { parseMasterList } from '../../../../../native/emrtd/csca-trust.js';
import { algorithmIdentifier, parseDer, sequence } from '../../../../../native/emrtd/der.js';
import { readEcPublicKey } from '../../../../../native/emrtd/ec-curves.js';
import { createTestPki, testKeyPair, type TestCertificate } from '../../../../../native/sim/emrtd/test-pki.js';

const now = new Date('2026-03-01T00:00:00Z');
const pki = createTestPki({ now });
const keyAlgorithm = (certificate: TestCertificate) => {
  const [algorithm] = sequence(parseDer(certificate.certificate.subjectPublicKeyInfo, 'spki'), 'spki');
  return algorithmIdentifier(algorithm, 'spki').oid;
};
const curve = (certificate: TestCertificate) => readEcPublicKey(certificate.certificate.subjectPublicKeyInfo);

describe('test PKI', () => {
  it('is made once per day and process, keys once per label', () => {
    expect(createTestPki({ now: new Date(now.getTime() + 3_600_000) })).toBe(pki);
    expect(testKeyPair('ds-rsa', 'rsa').privateKey).toBe(pki.documentSigners.rsa.key.privateKey);
  });

  it('has Document Signers on every algorithm passports use', () => {
    const ds = pki.documentSigners;
    expect(keyAlgorithm(ds.rsa)).toBe('1.2.840.113549.1.1.1');
    expect(keyAlgorithm(ds['rsa-pss'])).toBe('1.2.840.113549.1.1.10');
    expect(ds['rsa-pss'].certificate.signatureAlgorithm.oid).toBe('1.2.840.113549.1.1.10');
    expect(curve(ds.p256)).toMatchObject({ curve: { name: 'P-256' }, explicit: false });
    expect(curve(ds.brainpoolP256r1)).toMatchObject({ curve: { name: 'brainpoolP256r1' }, explicit: false });
    expect(curve(ds.brainpoolP384r1)).toMatchObject({ curve: { name: 'brainpoolP384r1' }, explicit: false });
    expect(curve(ds['explicit-brainpoolP256r1'])).toMatchObject({ curve: { name: 'brainpoolP256r1' }, explicit: true });
    expect(curve(pki.cscas.brainpool)).toMatchObject({ curve: { name: 'brainpoolP384r1' }, explicit: true });
  });

  it('puts each validity window where its scenario needs it', () => {
    const before = (a: Date, b: Date) => a.getTime() < b.getTime();
    const { documentSigners: ds, cscas } = pki;
    expect(before(ds.expired.certificate.notAfter, now)).toBe(true);
    expect(before(now, ds['not-yet-valid'].certificate.notBefore)).toBe(true);
    expect(before(cscas.expired.certificate.notAfter, ds['after-csca-expiry'].certificate.notBefore)).toBe(true);
    expect(before(ds['before-csca-expiry'].certificate.notBefore, cscas.expired.certificate.notAfter)).toBe(true);
    expect(before(cscas.expired.certificate.notAfter, now)).toBe(true);
    for (const name of ['rsa', 'p256', 'brainpoolP256r1'] as const) {
      const c = ds[name].certificate;
      expect(before(c.notBefore, now) && before(now, c.notAfter)).toBe(true);
    }
  });

  it('names issuers and countries as the scenarios say', () => {
    expect(pki.documentSigners.rogue.certificate.issuer.canonical).toBe(pki.cscas.rsa.certificate.subject.canonical);
    expect(pki.cscas.rogue.certificate.subject.canonical).toBe(pki.cscas.rsa.certificate.subject.canonical);
    expect(pki.documentSigners['other-country'].certificate.issuer.country).toBe('ZZ');
    expect(pki.trustStore().countries()).toEqual(['UT']);
  });

  it('lists the genuine Utopian CSCAs in its master list', () => {
    const list = parseMasterList(pki.masterList);
    const fingerprints = list.certificates.map((der) => pki.trustStore().entries().find((e) => Buffer.from(e.certificate.der).equals(Buffer.from(der)))?.certificate.fingerprint);
    expect(new Set(fingerprints)).toEqual(new Set([pki.cscas.rsa, pki.cscas.brainpool, pki.cscas.expired].map((c) => c.certificate.fingerprint)));
  });
});
