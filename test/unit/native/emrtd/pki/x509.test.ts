// Certificates as the trust decisions read them, checked against OpenSSL (node's
// X509Certificate) on the test PKI: names, serials, validity, fingerprints, extensions, and
// who signed whom — RSA, RSA-PSS, ECDSA, brainpool, explicit parameters, and a forgery.

import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../../native/device-error.js';
import {
  certificateKey, mayIssueCertificates, parseCertificate, readName, sameName, summarizeCertificate, verifyCertificateSignature,
} from '../../../../../native/emrtd/pki/x509.js';
import { createTestPki } from '../../../../../native/sim/emrtd/test-pki.js';
import { errorOf } from '../lds/lds-arbitraries.js';

const pki = createTestPki({ now: new Date('2026-03-01T00:00:00Z') });
const issuerOf = {
  rsa: pki.cscas.rsa, 'rsa-pss': pki.cscas.rsa, p256: pki.cscas.rsa, brainpoolP256r1: pki.cscas.brainpool, brainpoolP384r1: pki.cscas.brainpool,
  'explicit-brainpoolP256r1': pki.cscas.brainpool, expired: pki.cscas.rsa, 'not-yet-valid': pki.cscas.rsa, 'after-csca-expiry': pki.cscas.expired,
  'before-csca-expiry': pki.cscas.expired, rogue: pki.cscas.rsa, 'other-country': pki.cscas.otherCountry,
} as const;

describe('reading the test PKI\'s certificates', () => {
  it.each(Object.entries(pki.documentSigners))('%s: fields agree with OpenSSL', (_name, ds) => {
    const openssl = new X509Certificate(Buffer.from(ds.der));
    const ours = ds.certificate;
    expect(ours.subject.text).toBe(openssl.subject.split('\n').join(', '));
    expect(ours.issuer.text).toBe(openssl.issuer.split('\n').join(', '));
    expect(summarizeCertificate(ours).serialNumber.toUpperCase()).toBe(openssl.serialNumber);
    expect(ours.notBefore.getTime()).toBe(new Date(openssl.validFrom).getTime());
    expect(ours.notAfter.getTime()).toBe(new Date(openssl.validTo).getTime());
    expect(ours.fingerprint).toBe(openssl.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(ours.version).toBe(3);
    expect(ours.subject.country).toBe(ours.issuer.country);
  });

  it.each(Object.entries(issuerOf))('%s: signature check agrees with OpenSSL', (name, issuer) => {
    const ds = pki.documentSigners[name as keyof typeof issuerOf];
    const expected = new X509Certificate(Buffer.from(ds.der)).verify(new X509Certificate(Buffer.from(issuer.der)).publicKey);
    expect(verifyCertificateSignature(ds.certificate, certificateKey(issuer.certificate))).toBe(expected);
    expect(expected).toBe(name !== 'rogue');
  });

  it('reads the extensions 9303-12 profiles use', () => {
    const csca = pki.cscas.brainpool.certificate;
    expect(csca.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect([...csca.keyUsage!].sort()).toEqual(['cRLSign', 'keyCertSign']);
    expect(csca.subjectKeyIdentifier).toEqual(csca.authorityKeyIdentifier);
    expect(mayIssueCertificates(csca)).toBe(true);
    const ds = pki.documentSigners.brainpoolP256r1.certificate;
    expect([...ds.keyUsage!]).toEqual(['digitalSignature']);
    expect(ds.authorityKeyIdentifier).toEqual(csca.subjectKeyIdentifier);
    expect(ds.privateKeyUsagePeriod?.notBefore).toEqual(ds.notBefore);
    expect(mayIssueCertificates(ds)).toBe(false);
    expect(pki.masterListSigner.certificate.extendedKeyUsage).toEqual(['2.23.136.1.1.3']);
    expect(ds.unknownCriticalExtensions).toEqual([]);
  });

  it('refuses a truncated or damaged certificate with a typed error, never a crash', () => {
    const der = pki.documentSigners.p256.der;
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (cut, at, flip) => {
      expect(errorOf(() => parseCertificate(der.subarray(0, cut % der.length)))).toMatchObject({ code: 'PKI_CERTIFICATE_MALFORMED' });
      const damaged = Uint8Array.from(der);
      damaged[at % der.length]! ^= flip;
      const error = errorOf(() => parseCertificate(damaged));
      if (error !== undefined) expect(error).toBeInstanceOf(DeviceError);
    }), { numRuns: 300 });
  });
});

describe('name matching (RFC 5280 §7.1)', () => {
  const name = (cn: asn1js.Utf8String | asn1js.PrintableString, country = 'UT') => readName(new asn1js.Sequence({
    value: [
      new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '2.5.4.6' }), new asn1js.PrintableString({ value: country })] })] }),
      new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '2.5.4.3' }), cn] })] }),
    ],
  }), 'name');

  it('ignores case, surrounding and repeated spaces and the string type', () => {
    expect(sameName(name(new asn1js.Utf8String({ value: 'CSCA Utopia' })), name(new asn1js.PrintableString({ value: '  csca   UTOPIA ' })))).toBe(true);
  });

  it('tells different names apart', () => {
    expect(sameName(name(new asn1js.Utf8String({ value: 'CSCA Utopia' })), name(new asn1js.Utf8String({ value: 'CSCA Utopia 2' })))).toBe(false);
    expect(sameName(name(new asn1js.Utf8String({ value: 'CSCA Utopia' })), name(new asn1js.Utf8String({ value: 'CSCA Utopia' }), 'ZZ'))).toBe(false);
  });
});
