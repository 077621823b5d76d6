// Passive Authentication on passports built by the test PKI: genuine ones on every algorithm
// (RSA, RSA-PSS, P-256, brainpool, explicit curve parameters), and each way one must be
// refused — a data group altered after signing, tampered signed attributes, a rogue Document
// Signer, an unknown country, expired certificates by the validity rule — plus damaged SODs,
// which must give a result, never an exception.

import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTlv } from '../../../../native/emrtd/ber-tlv.js';
import { buildSignedData } from '../../../../native/emrtd/pki/cms.js';
import { readEcPublicKey } from '../../../../native/emrtd/ec-curves.js';
import { LDS_SECURITY_OBJECT_OID, buildSod, decodeSod } from '../../../../native/emrtd/sod.js';
import { CscaTrustStore } from '../../../../native/emrtd/csca-trust.js';
import { passiveAuthentication, type PassiveAuthenticationResult } from '../../../../native/emrtd/passive-authentication.js';
import { createTestPki, type TestCertificate, type TestDocumentSignerName } from '../../../../native/sim/emrtd/test-pki.js';
import { buildScenarioPassport, buildTestPassport, type TestPassport } from '../../../../native/sim/emrtd/test-passport.js';

const pki = createTestPki({ now: new Date('2026-03-01T00:00:00Z') });
const at = pki.now;
const store = pki.trustStore();

const check = (passport: TestPassport, trustStore: CscaTrustStore = store, when: Date = at): PassiveAuthenticationResult =>
  passiveAuthentication({ sod: passport.sod, dataGroups: passport.dataGroups, trustStore, at: when });
const signer = (ds: TestCertificate) => ({ certificate: ds.der, privateKey: ds.key.privateKey, scheme: ds.key.scheme });

describe('a genuine passport', () => {
  it.each([
    ['rsa', 'RSA PKCS#1 v1.5 with SHA-256'],
    ['rsa-pss', 'RSASSA-PSS with SHA-256, salt 32'],
    ['p256', 'ECDSA with SHA-256'],
    ['brainpoolP256r1', 'ECDSA with SHA-256'],
    ['brainpoolP384r1', 'ECDSA with SHA-384'],
    ['explicit-brainpoolP256r1', 'ECDSA with SHA-256'],
  ] as const)('signed by the %s Document Signer is valid', (name, algorithm) => {
    const result = check(buildScenarioPassport(pki, 'valid', { signer: name }));
    expect(result).toMatchObject({
      status: 'valid',
      csca: { country: 'UT', subject: 'C=UT, O=Utopia Passport Office, CN=CSCA Utopia', source: 'test PKI' },
      dataGroupsVerified: [1, 2],
      dataGroupsNotRead: [],
      hashAlgorithm: 'sha256',
      signatureAlgorithm: algorithm,
      documentSigner: { subject: expect.stringContaining('Document Signer'), country: 'UT' },
      checks: { dataGroupHashes: 'passed', signedAttributes: 'passed', signature: 'passed', documentSignerValidity: 'passed', chain: 'passed', cscaValidity: 'passed' },
    });
  });

  it('is valid when both the Document Signer and its CSCA carry explicit curve parameters', () => {
    expect(readEcPublicKey(pki.documentSigners['explicit-brainpoolP256r1'].certificate.subjectPublicKeyInfo)?.explicit).toBe(true);
    expect(readEcPublicKey(pki.cscas.brainpool.certificate.subjectPublicKeyInfo)).toMatchObject({ explicit: true, curve: { name: 'brainpoolP384r1' } });
    const result = check(buildScenarioPassport(pki, 'valid', { signer: 'explicit-brainpoolP256r1' }));
    expect(result.status === 'valid' && result.csca.fingerprint).toBe(pki.cscas.brainpool.certificate.fingerprint);
  });

  it.each(['sha1', 'sha224', 'sha384', 'sha512'] as const)('is valid with data groups hashed with %s', (hash) => {
    expect(check(buildScenarioPassport(pki, 'valid', { hash }))).toMatchObject({ status: 'valid', hashAlgorithm: hash });
  });

  it('does not need the data groups that were not read', () => {
    const passport = buildScenarioPassport(pki, 'valid', { dg11: [{ name: 'fullName', value: 'ERIKSSON<<ANNA<MARIA' }] });
    const result = passiveAuthentication({ sod: passport.sod, dataGroups: { 1: passport.dataGroups.get(1)! }, trustStore: store, at });
    expect(result).toMatchObject({ status: 'valid', dataGroupsVerified: [1], dataGroupsNotRead: [2, 11] });
  });

  it('is valid with the signature forms real SODs use: bare rsaEncryption, plain ECDSA, a key-identifier signer', () => {
    const dataGroups = buildScenarioPassport(pki, 'valid').dataGroups;
    const variants = [
      buildSod({ dataGroups, hash: 'sha256', signer: signer(pki.documentSigners.rsa), signatureAlgorithm: { oid: '1.2.840.113549.1.1.1', parameters: Uint8Array.of(5, 0) } }),
      buildSod({ dataGroups, hash: 'sha256', signer: { ...signer(pki.documentSigners.brainpoolP256r1), scheme: { kind: 'ecdsa', hash: 'sha256', plain: true } } }),
      buildSod({ dataGroups, hash: 'sha256', signer: signer(pki.documentSigners.p256), signerIdentifier: 'key-identifier' }),
    ];
    for (const sod of variants) expect(passiveAuthentication({ sod, dataGroups, trustStore: store, at }).status).toBe('valid');
  });

  it('accepts the data groups as a Map or a plain object, and throws for a data group that cannot exist', () => {
    const passport = buildScenarioPassport(pki, 'valid');
    expect(passiveAuthentication({ sod: passport.sod, dataGroups: Object.fromEntries(passport.dataGroups), trustStore: store, at }).status).toBe('valid');
    expect(() => passiveAuthentication({ sod: passport.sod, dataGroups: new Map([[17, Uint8Array.of()]]), trustStore: store, at })).toThrow(RangeError);
  });
});

describe('a passport that must be refused', () => {
  it('fails naming DG1 when one byte of DG1 was changed after signing', () => {
    const passport = buildScenarioPassport(pki, 'altered-dg1');
    const genuine = buildScenarioPassport(pki, 'valid');
    const differing = [...passport.dataGroups.get(1)!].filter((b, i) => b !== genuine.dataGroups.get(1)![i]);
    expect(differing).toHaveLength(1);
    expect(check(passport)).toMatchObject({
      status: 'failed', reason: 'dg-hash-mismatch', dataGroup: 1, dataGroupsMismatched: [1],
      checks: { dataGroupHashes: 'failed', signature: 'not-checked' },
    });
  });

  it('fails naming the data group when the portrait was changed', () => {
    const passport = buildTestPassport({ documentSigner: pki.documentSigners.p256, now: at, alterAfterSigning: 2 });
    expect(check(passport)).toMatchObject({ status: 'failed', reason: 'dg-hash-mismatch', dataGroup: 2 });
  });

  it('fails for a data group read from the chip that the SOD does not cover', () => {
    const passport = buildScenarioPassport(pki, 'valid');
    const dataGroups = new Map([...passport.dataGroups, [3, Uint8Array.of(0x63, 0x00)]]);
    const result = passiveAuthentication({ sod: passport.sod, dataGroups, trustStore: store, at });
    expect(result).toMatchObject({ status: 'failed', reason: 'dg-hash-mismatch', dataGroup: 3 });
    expect(result.message).toContain('not covered');
  });

  it('fails the signature when a signed attribute was tampered with', () => {
    const passport = buildScenarioPassport(pki, 'valid', { signingTime: new Date('2026-02-01T10:00:00Z') });
    const sod = Uint8Array.from(passport.sod);
    const time = Buffer.from(sod).indexOf(Buffer.from('260201100000Z', 'latin1'));
    expect(time).toBeGreaterThan(0);
    sod[time + 7] = 0x31; // 10:00 → 11:00, still a valid time
    const result = passiveAuthentication({ sod, dataGroups: passport.dataGroups, trustStore: store, at });
    expect(result).toMatchObject({ status: 'failed', reason: 'signature-invalid', checks: { dataGroupHashes: 'passed', signedAttributes: 'passed', signature: 'failed' } });
  });

  it('fails when the signed message digest does not cover the LDS security object', () => {
    const passport = buildScenarioPassport(pki, 'valid', { dg14: Uint8Array.of(0x31, 0x00) });
    const sod = Uint8Array.from(passport.sod);
    const hashOfDg14 = Buffer.from(sod).indexOf(Buffer.from([0x02, 0x01, 0x0e, 0x04, 0x20]));
    sod[hashOfDg14 + 5]! ^= 0xff; // DG14's hash inside the eContent; DG14 itself is not read
    const dataGroups = new Map([...passport.dataGroups].filter(([n]) => n !== 14));
    expect(passiveAuthentication({ sod, dataGroups, trustStore: store, at })).toMatchObject({
      status: 'failed', reason: 'signature-invalid', checks: { dataGroupHashes: 'passed', signedAttributes: 'failed' },
    });
  });

  it('fails the chain for a rogue Document Signer that names the real CSCA', () => {
    const rogue = pki.documentSigners.rogue.certificate;
    expect(rogue.issuer.text).toBe(pki.cscas.rsa.certificate.subject.text);
    expect(rogue.authorityKeyIdentifier).toEqual(pki.cscas.rsa.certificate.subjectKeyIdentifier);
    expect(check(buildScenarioPassport(pki, 'rogue-ds'))).toMatchObject({ status: 'failed', reason: 'chain-invalid', checks: { signature: 'passed', chain: 'failed' } });
  });

  it('is not verifiable when the trust store has no CSCA of the country', () => {
    expect(check(buildScenarioPassport(pki, 'unknown-csca'))).toMatchObject({
      status: 'not-verifiable', reason: 'no-csca-for-country', country: 'ZZ', checks: { dataGroupHashes: 'passed', signature: 'passed', chain: 'not-checked' },
    });
    expect(check(buildScenarioPassport(pki, 'valid'), new CscaTrustStore())).toMatchObject({ status: 'not-verifiable', reason: 'no-csca-for-country', country: 'UT' });
  });

  it('is not verifiable when the store knows the country but not the issuing CSCA', () => {
    const partial = new CscaTrustStore();
    partial.add(pki.cscas.expired.der);
    expect(check(buildScenarioPassport(pki, 'valid', { signer: 'rsa' }), partial)).toMatchObject({ status: 'not-verifiable', reason: 'no-csca-for-issuer', country: 'UT' });
  });

  it('is not verifiable when the SOD uses a hash the kiosk does not know', () => {
    const md5 = '1.2.840.113549.2.5';
    const object = new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 0 }),
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: md5 })] }),
        new asn1js.Sequence({ value: [1, 2].map((n) => new asn1js.Sequence({ value: [new asn1js.Integer({ value: n }), new asn1js.OctetString({ valueHex: new Uint8Array(16) })] })) }),
      ],
    });
    const sod = encodeTlv(0x77, buildSignedData({ eContentType: LDS_SECURITY_OBJECT_OID, eContent: new Uint8Array(object.toBER(false)), signer: signer(pki.documentSigners.p256) }));
    expect(passiveAuthentication({ sod, dataGroups: new Map(), trustStore: store, at })).toMatchObject({ status: 'not-verifiable', reason: 'unsupported-algorithm' });
  });

  it('fails as malformed when the SOD does not carry its Document Signer', () => {
    const passport = buildScenarioPassport(pki, 'valid');
    const sod = buildSod({ dataGroups: passport.dataGroups, hash: 'sha256', signer: signer(pki.documentSigners.p256), certificates: [] });
    expect(passiveAuthentication({ sod, dataGroups: passport.dataGroups, trustStore: store, at })).toMatchObject({ status: 'failed', reason: 'malformed', code: 'SOD_NO_DOCUMENT_SIGNER' });
  });
});

describe('the validity rule', () => {
  it.each([
    ['expired', 'expired-ds' as const],
  ])('fails a Document Signer that is %s today', (_case, scenario) => {
    expect(check(buildScenarioPassport(pki, scenario))).toMatchObject({ status: 'failed', reason: 'expired', certificate: 'document-signer', checks: { documentSignerValidity: 'failed' } });
  });

  it('fails a Document Signer that is not valid yet', () => {
    const passport = buildTestPassport({ documentSigner: pki.documentSigners['not-yet-valid'], now: at });
    expect(check(passport)).toMatchObject({ status: 'failed', reason: 'expired', certificate: 'document-signer' });
  });

  it('fails a passport whose Document Signer becomes invalid by the time of the check', () => {
    const passport = buildScenarioPassport(pki, 'valid');
    const later = new Date(pki.documentSigners.p256.certificate.notAfter.getTime() + 1000);
    expect(check(passport, store, later)).toMatchObject({ status: 'failed', reason: 'expired', certificate: 'document-signer' });
  });

  it('fails a signing time outside the Document Signer\'s validity', () => {
    const passport = buildScenarioPassport(pki, 'valid', { signingTime: new Date(pki.documentSigners.p256.certificate.notBefore.getTime() - 86_400_000) });
    expect(check(passport)).toMatchObject({ status: 'failed', reason: 'expired', certificate: 'document-signer' });
    expect(check(passport).message).toContain('signed at');
  });

  it('fails a signing time outside the private key usage period', () => {
    const ds = pki.documentSigners.p256.certificate;
    const passport = buildScenarioPassport(pki, 'valid', { signingTime: new Date(ds.privateKeyUsagePeriod!.notAfter!.getTime() + 86_400_000) });
    expect(check(passport).message).toContain('private key usage period');
  });

  it('fails a Document Signer issued after its CSCA had expired', () => {
    expect(check(buildScenarioPassport(pki, 'expired-csca'))).toMatchObject({
      status: 'failed', reason: 'expired', certificate: 'csca', checks: { chain: 'passed', cscaValidity: 'failed' },
    });
  });

  it('accepts a CSCA that has expired since it issued the Document Signer (passports outlive CSCA keys)', () => {
    const csca = pki.cscas.expired.certificate;
    expect(csca.notAfter.getTime()).toBeLessThan(at.getTime());
    const passport = buildTestPassport({ documentSigner: pki.documentSigners['before-csca-expiry'], now: at });
    expect(check(passport)).toMatchObject({ status: 'valid', csca: { subject: 'C=UT, O=Utopia Passport Office, CN=CSCA Utopia 2011' } });
  });
});

describe('damaged EF.SOD', () => {
  const genuine = buildScenarioPassport(pki, 'valid', { signer: 'brainpoolP256r1' });
  const sod = genuine.sod;
  /** Where the signed parts lie: the security object, the signed attributes, the signature, the DS certificate. */
  const signedRegions = (() => {
    const find = (needle: Uint8Array) => {
      const start = Buffer.from(sod).indexOf(Buffer.from(needle));
      return [start, start + needle.length] as const;
    };
    const ds = pki.documentSigners.brainpoolP256r1.der;
    return [find(ds.subarray(4, ds.length - 80))];
  })();

  it('gives a result for every flipped bit, never an exception, and never "valid" for a flip inside the Document Signer certificate', () => {
    fc.assert(fc.property(fc.nat(sod.length - 1), fc.integer({ min: 0, max: 7 }), (offset, bit) => {
      const damaged = Uint8Array.from(sod);
      damaged[offset]! ^= 1 << bit;
      const result = passiveAuthentication({ sod: damaged, dataGroups: genuine.dataGroups, trustStore: store, at });
      expect(['valid', 'not-verifiable', 'failed']).toContain(result.status);
      if (signedRegions.some(([start, end]) => offset >= start && offset < end)) expect(result.status).not.toBe('valid');
    }), { numRuns: 500 });
  });

  it('fails every truncation as malformed', () => {
    fc.assert(fc.property(fc.nat(sod.length - 1), (cut) => {
      expect(passiveAuthentication({ sod: sod.subarray(0, cut), dataGroups: genuine.dataGroups, trustStore: store, at })).toMatchObject({ status: 'failed', reason: 'malformed' });
    }), { numRuns: 100 });
  });

  it('never calls a flip in the signed content, attributes or signature valid', () => {
    // Exhaustive over every bit of the LDS security object, the signed attributes and the signature.
    const { signedData, signer: info } = decodeSod(sod);
    const within = (part: Uint8Array) => {
      const start = Buffer.from(sod).indexOf(Buffer.from(part));
      expect(start).toBeGreaterThan(0);
      return Array.from({ length: part.length }, (_, i) => start + i);
    };
    const offsets = [...within(signedData.eContent), ...within(info.signedAttributes!.subarray(1)), ...within(info.signature)];
    for (const offset of offsets) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = Uint8Array.from(sod);
        damaged[offset]! ^= 1 << bit;
        expect(passiveAuthentication({ sod: damaged, dataGroups: genuine.dataGroups, trustStore: store, at }).status).not.toBe('valid');
      }
    }
  });
});

const NAMES: TestDocumentSignerName[] = ['rsa', 'p256'];
describe.each(NAMES)('results are plain data (%s)', (name) => {
  it('survives JSON, as the RPC layer sends it', () => {
    const result = check(buildScenarioPassport(pki, 'valid', { signer: name }));
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
