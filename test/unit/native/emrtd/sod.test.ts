// EF.SOD: the LDS security object inside CMS SignedData as the builder writes it and the
// decoder reads it — hashes, signed attributes, the Document Signer inside — cross-checked
// with OpenSSL's CMS verifier, and refused with SOD_MALFORMED when out of shape.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTlv } from '../../../../native/emrtd/ber-tlv.js';
import { digest } from '../../../../native/emrtd/pki/algorithms.js';
import { buildSignedData } from '../../../../native/emrtd/pki/cms.js';
import { LDS_SECURITY_OBJECT_OID, buildSod, decodeLdsSecurityObject, decodeSod, encodeLdsSecurityObject } from '../../../../native/emrtd/sod.js';
import { createTestPki, type TestCertificate } from '../../../../native/sim/emrtd/test-pki.js';
import { errorOf } from './lds/lds-arbitraries.js';

const pki = createTestPki({ now: new Date('2026-03-01T00:00:00Z') });
const dataGroups = new Map([[1, Uint8Array.of(0x61, 0x01, 0x00)], [2, Uint8Array.of(0x75, 0x02, 0x7f, 0x61)], [14, Uint8Array.of(0x6e, 0x00)]]);
const signer = (ds: TestCertificate) => ({ certificate: ds.der, privateKey: ds.key.privateKey, scheme: ds.key.scheme });
const signingTime = new Date('2026-02-01T10:00:00Z');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function hasOpenSsl(): boolean {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
}

describe('EF.SOD', () => {
  it('holds each data group\'s hash, the signed attributes and the Document Signer', () => {
    const ds = pki.documentSigners.brainpoolP256r1;
    const sod = decodeSod(buildSod({ dataGroups, hash: 'sha256', signer: signer(ds), signingTime }));
    expect(sod.securityObject).toMatchObject({ version: 0, hash: 'sha256', ldsVersionInfo: null });
    expect([...sod.securityObject.dataGroupHashes.keys()]).toEqual([1, 2, 14]);
    for (const [n, bytes] of dataGroups) expect(hex(sod.securityObject.dataGroupHashes.get(n as 1)!)).toBe(hex(digest('sha256', bytes)));
    expect(sod.signedData.eContentType).toBe(LDS_SECURITY_OBJECT_OID);
    expect(sod.signer.contentType).toBe(LDS_SECURITY_OBJECT_OID);
    expect(hex(sod.signer.messageDigest!)).toBe(hex(digest('sha256', sod.signedData.eContent)));
    expect(sod.signer.signingTime).toEqual(signingTime);
    expect(sod.signer.sid.kind).toBe('issuer-serial');
    expect(sod.signer.sid.kind === 'issuer-serial' && hex(sod.signer.sid.serialNumber)).toBe(hex(ds.certificate.serialNumber));
    expect(sod.documentSigner?.fingerprint).toBe(ds.certificate.fingerprint);
    expect(sod.signer.signedAttributes![0]).toBe(0x31);
  });

  it('writes LDSVersionInfo with version 1 and a key-identifier signer when asked', () => {
    const ds = pki.documentSigners.p256;
    const sod = decodeSod(buildSod({
      dataGroups, hash: 'sha384', signer: signer(ds), ldsVersionInfo: { ldsVersion: '0108', unicodeVersion: '040000' }, signerIdentifier: 'key-identifier',
    }));
    expect(sod.securityObject).toMatchObject({ version: 1, hash: 'sha384', ldsVersionInfo: { ldsVersion: '0108', unicodeVersion: '040000' } });
    expect(sod.signer.sid.kind).toBe('key-identifier');
    expect(sod.documentSigner?.fingerprint).toBe(ds.certificate.fingerprint);
    expect(sod.signer.signingTime).toBeNull();
  });

  it.runIf(hasOpenSsl())('is valid CMS to OpenSSL for every Document Signer algorithm', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sod-'));
    for (const name of ['rsa', 'rsa-pss', 'p256', 'brainpoolP256r1', 'brainpoolP384r1', 'explicit-brainpoolP256r1'] as const) {
      const ds = pki.documentSigners[name];
      const issuer = name.includes('brainpool') ? pki.cscas.brainpool : pki.cscas.rsa;
      const sod = buildSod({ dataGroups, hash: 'sha256', signer: signer(ds), signingTime });
      writeFileSync(join(dir, 'sod.der'), sod.subarray(4));
      writeFileSync(join(dir, 'csca.der'), issuer.der);
      execFileSync('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'csca.der'), '-out', join(dir, 'csca.pem')]);
      // OpenSSL 3 refuses to build a chain through a CSCA key with explicit EC parameters
      // ("Certificate public key has explicit ECC parameters") — real brainpool CSCAs have them,
      // which is one reason Passive Authentication does its own chain check. There, only the
      // CMS signature is checked here (the chain is compared with OpenSSL in x509.test.ts).
      const chain = issuer === pki.cscas.brainpool ? ['-noverify'] : ['-CAfile', join(dir, 'csca.pem'), '-purpose', 'any'];
      const content = execFileSync('openssl', [
        'cms', '-verify', '-inform', 'DER', '-in', join(dir, 'sod.der'), '-binary', ...chain, '-attime', String(Math.floor(pki.now.getTime() / 1000)),
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(hex(decodeLdsSecurityObject(new Uint8Array(content)).dataGroupHashes.get(1)!)).toBe(hex(digest('sha256', dataGroups.get(1)!)));
    }
  });
});

describe('refusing a malformed EF.SOD', () => {
  const ds = pki.documentSigners.p256;
  const wrap = (contentInfo: Uint8Array) => encodeTlv(0x77, contentInfo);

  it('refuses another file or content type', () => {
    expect(errorOf(() => decodeSod(Uint8Array.of(0x60, 0x00)))).toMatchObject({ code: 'SOD_MALFORMED' });
    const masterListLike = buildSignedData({ eContentType: '2.23.136.1.1.2', eContent: Uint8Array.of(0x30, 0x00), signer: signer(ds) });
    expect((errorOf(() => decodeSod(wrap(masterListLike))) as Error).message).toContain('not the LDS security object');
  });

  it.each([
    ['a data group twice', [[1, 32], [1, 32]], 'two hashes for DG1'],
    ['a data group 17', [[17, 32]], 'data group 17'],
    ['a hash of the wrong length', [[1, 20]], '20 bytes'],
  ] as const)('refuses an LDS security object with %s', (_case, entries, reason) => {
    const object = new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 0 }),
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '2.16.840.1.101.3.4.2.1' })] }),
        new asn1js.Sequence({
          value: entries.map(([n, size]) => new asn1js.Sequence({ value: [new asn1js.Integer({ value: n }), new asn1js.OctetString({ valueHex: new Uint8Array(size) })] })),
        }),
      ],
    });
    const sod = wrap(buildSignedData({ eContentType: LDS_SECURITY_OBJECT_OID, eContent: new Uint8Array(object.toBER(false)), signer: signer(ds) }));
    const error = errorOf(() => decodeSod(sod));
    expect(error).toMatchObject({ code: 'SOD_MALFORMED' });
    expect((error as Error).message).toContain(reason);
  });

  it('refuses LDSVersionInfo under version 0', () => {
    const v1 = encodeLdsSecurityObject({ hash: 'sha256', dataGroupHashes: new Map([[1, new Uint8Array(32)]]), ldsVersionInfo: { ldsVersion: '0108', unicodeVersion: '040000' } });
    const v0 = Uint8Array.from(v1);
    v0[v0.indexOf(0x02) + 2] = 0; // version INTEGER 1 → 0
    expect((errorOf(() => decodeLdsSecurityObject(v0)) as Error).message).toContain('not v1');
  });

  it('answers every truncation with SOD_MALFORMED', () => {
    const sod = buildSod({ dataGroups, hash: 'sha256', signer: signer(ds), signingTime });
    fc.assert(fc.property(fc.integer({ min: 0, max: sod.length - 1 }), (cut) => {
      expect(errorOf(() => decodeSod(sod.subarray(0, cut)))).toMatchObject({ code: 'SOD_MALFORMED' });
    }), { numRuns: 200 });
  });
});
