// Active Authentication: INTERNAL AUTHENTICATE under the PACE session against the chip side, RSA
// with ISO/IEC 9796-2 scheme 1 (SHA-1 trailer BC, SHA-256 trailer 34CC) and ECDSA with the hash
// DG14 names; ECDSA cross-checked with node:crypto (OpenSSL) in both directions; any altered
// signature, wrong challenge or missing piece is reported as a value.

import { constants, createPrivateKey, generateKeyPairSync, publicDecrypt, sign, verify, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  activeAuthenticationKey, performActiveAuthentication, verifyActiveAuthentication, verifyEcdsa,
} from '../../../../native/emrtd/active-authentication.js';
import { SecureChannel } from '../../../../native/emrtd/chip-channel.js';
import { bytesFromBigint } from '../../../../native/emrtd/der.js';
import { ecDomain, encodePoint, multiply } from '../../../../native/emrtd/ec-curves.js';
import { performPace } from '../../../../native/emrtd/pace.js';
import { paceInfo, paceProtocolOid, parseSecurityInfos, encodeSecurityInfos, type SecurityInfo } from '../../../../native/emrtd/security-infos.js';
import {
  activeAuthenticationInfo, activeAuthenticationPublicKeyInfo, signChallenge, type ActiveAuthenticationKey,
} from '../../../../native/sim/emrtd/active-authentication-chip.js';
import { VirtualChip } from '../../../../native/sim/emrtd/virtual-chip.js';
import { fixedRandom, hex, seededRandom, toHex } from './emrtd-fixtures.js';

const MRZ = { documentNumber: 'L898902C3', birthDate: '740812', expiryDate: '120415' } as const;
const CARD_ACCESS = [paceInfo(paceProtocolOid('ECDH', 'GM', 'aes-128'), 13)];
const ECDSA_PLAIN_SHA256 = '0.4.0.127.0.7.1.1.4.1.3';
const ECDSA_WITH_SHA384 = '1.2.840.10045.4.3.3';

let rsa1024: KeyObject;
let rsa2048: KeyObject;
beforeAll(() => {
  rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
});

const ecdsaKey = (curve: 'P-256' | 'brainpoolP384r1', signatureAlgorithm: string, privateKey = 0x5eed1234abcdn): ActiveAuthenticationKey =>
  ({ kind: 'ecdsa', curve: ecDomain(curve), privateKey, signatureAlgorithm });

/** PACE with a chip that signs with `chipKey`, then AA with the reader holding `dg15` and `dg14`. */
async function activeAuthentication(chipKey: ActiveAuthenticationKey, dg15: Uint8Array | undefined, dg14: SecurityInfo[], challenge = '0102030405060708') {
  const chip = new VirtualChip({ files: [], pace: { cardAccess: CARD_ACCESS, mrz: MRZ }, activeAuthenticationKey: chipKey, random: seededRandom(21) });
  const { session } = await performPace(chip, CARD_ACCESS, { kind: 'mrz', fields: MRZ }, { random: seededRandom(22) });
  return performActiveAuthentication(new SecureChannel(chip, session), dg15, parseSecurityInfos(encodeSecurityInfos(dg14)), { random: fixedRandom(challenge) });
}

const dg14For = (key: ActiveAuthenticationKey): SecurityInfo[] => {
  const info = activeAuthenticationInfo(key);
  return info ? [info] : [];
};

describe('Active Authentication in memory', () => {
  it('RSA-1024, ISO/IEC 9796-2 scheme 1 with SHA-1 (trailer BC)', async () => {
    const key: ActiveAuthenticationKey = { kind: 'rsa', privateKey: rsa1024, hash: 'sha1' };
    const result = await activeAuthentication(key, activeAuthenticationPublicKeyInfo(key), []);
    expect(result).toMatchObject({ performed: true, verified: true, algorithm: 'rsa-iso9796-2', hash: 'sha1' });
    if (result.performed) expect(toHex(result.challenge)).toBe('0102030405060708');
  });

  it('RSA-2048 with SHA-256 (trailer 34 CC), DG15 given with its 6F tag', async () => {
    const key: ActiveAuthenticationKey = { kind: 'rsa', privateKey: rsa2048, hash: 'sha256' };
    const spki = activeAuthenticationPublicKeyInfo(key);
    const dg15 = Buffer.concat([Uint8Array.of(0x6f, 0x82, spki.length >> 8, spki.length & 0xff), spki]);
    const result = await activeAuthentication(key, dg15, []);
    expect(result).toMatchObject({ performed: true, verified: true, hash: 'sha256' });
    if (result.performed) expect(result.signature).toHaveLength(256);
  });

  it('ECDSA on P-256 with ecdsa-plain-SHA256 from DG14', async () => {
    const key = ecdsaKey('P-256', ECDSA_PLAIN_SHA256);
    expect(await activeAuthentication(key, activeAuthenticationPublicKeyInfo(key), dg14For(key)))
      .toMatchObject({ performed: true, verified: true, algorithm: 'ecdsa', hash: 'sha256' });
  });

  it('ECDSA on brainpoolP384r1 (explicit parameters in DG15) with ecdsa-with-SHA384', async () => {
    const key = ecdsaKey('brainpoolP384r1', ECDSA_WITH_SHA384);
    expect(await activeAuthentication(key, activeAuthenticationPublicKeyInfo(key, 'explicit'), dg14For(key)))
      .toMatchObject({ performed: true, verified: true, hash: 'sha384' });
  });

  it('catches a chip signing with another key than DG15 holds', async () => {
    const chipKey: ActiveAuthenticationKey = { kind: 'rsa', privateKey: rsa1024, hash: 'sha1' };
    const published: ActiveAuthenticationKey = { kind: 'rsa', privateKey: rsa2048, hash: 'sha1' };
    expect(await activeAuthentication(chipKey, activeAuthenticationPublicKeyInfo(published), []))
      .toMatchObject({ performed: true, verified: false, failure: expect.any(String) });
    const ecChip = ecdsaKey('P-256', ECDSA_PLAIN_SHA256, 7n);
    const ecPublished = ecdsaKey('P-256', ECDSA_PLAIN_SHA256, 8n);
    expect(await activeAuthentication(ecChip, activeAuthenticationPublicKeyInfo(ecPublished), dg14For(ecPublished)))
      .toMatchObject({ performed: true, verified: false });
  });

  it('is not offered without DG15, unsupported for ECDSA without an ActiveAuthenticationInfo', async () => {
    const key = ecdsaKey('P-256', ECDSA_PLAIN_SHA256);
    expect(await activeAuthentication(key, undefined, [])).toMatchObject({ performed: false, reason: 'not-offered' });
    expect(await activeAuthentication(key, activeAuthenticationPublicKeyInfo(key), []))
      .toMatchObject({ performed: false, reason: 'unsupported', detail: expect.stringContaining('no ActiveAuthenticationInfo') });
  });

  it('reports a chip that refuses INTERNAL AUTHENTICATE as not verified', async () => {
    const chip = new VirtualChip({ files: [], pace: { cardAccess: CARD_ACCESS, mrz: MRZ } });
    const { session } = await performPace(chip, CARD_ACCESS, { kind: 'mrz', fields: MRZ });
    const key: ActiveAuthenticationKey = { kind: 'rsa', privateKey: rsa1024, hash: 'sha1' };
    expect(await performActiveAuthentication(new SecureChannel(chip, session), activeAuthenticationPublicKeyInfo(key)))
      .toMatchObject({ performed: true, verified: false, failure: expect.stringContaining('6D00') });
  });
});

describe('Active Authentication signatures', () => {
  const challenge = hex('F173589974BF40C6');

  it('the RSA representative recovers as 6A ‖ M1 ‖ SHA-256(M1 ‖ challenge) ‖ 34CC (checked with OpenSSL\'s raw RSA)', () => {
    const key: ActiveAuthenticationKey = { kind: 'rsa', privateKey: rsa2048, hash: 'sha256' };
    const signature = signChallenge(key, challenge, seededRandom(1));
    const recovered = publicDecrypt({ key: rsa2048, padding: constants.RSA_NO_PADDING }, signature);
    expect(recovered[0]).toBe(0x6a);
    expect(toHex(recovered.subarray(-2))).toBe('34CC');
  });

  it('ECDSA signatures agree with node:crypto in both directions (P-256, plain r ‖ s and DER)', () => {
    const keyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const d = BigInt(`0x${Buffer.from(keyPair.privateKey.export({ format: 'jwk' }).d!, 'base64url').toString('hex')}`);
    const ours = ecdsaKey('P-256', ECDSA_PLAIN_SHA256, d);
    const spki = activeAuthenticationKey(activeAuthenticationPublicKeyInfo(ours));
    expect(toHex(Uint8Array.from(keyPair.publicKey.export({ format: 'der', type: 'spki' })))).toContain(toHex(encodePoint(multiply(ecDomain('P-256').Point.BASE, d, ecDomain('P-256')))));
    const opensslPlain = sign('sha256', challenge, { key: keyPair.privateKey, dsaEncoding: 'ieee-p1363' });
    const opensslDer = sign('sha256', challenge, keyPair.privateKey);
    expect(verifyEcdsa(spki, 'sha256', challenge, opensslPlain).verified).toBe(true);
    expect(verifyEcdsa(spki, 'sha256', challenge, opensslDer).verified).toBe(true);
    const chipSignature = signChallenge(ours, challenge, seededRandom(2));
    expect(verify('sha256', challenge, { key: keyPair.publicKey, dsaEncoding: 'ieee-p1363' }, chipSignature)).toBe(true);
    expect(verifyEcdsa(spki, 'sha256', hex('F173589974BF40C7'), opensslPlain).verified).toBe(false);
  });

  it('any single-bit flip of an RSA or ECDSA signature is refused', () => {
    const rsaKey: ActiveAuthenticationKey = { kind: 'rsa', privateKey: rsa1024, hash: 'sha1' };
    const ecKey = ecdsaKey('P-256', ECDSA_PLAIN_SHA256);
    const cases = [rsaKey, ecKey].map((key) => ({
      key,
      spki: activeAuthenticationKey(activeAuthenticationPublicKeyInfo(key)),
      signature: signChallenge(key, challenge, seededRandom(3)),
      info: activeAuthenticationInfo(key),
    }));
    for (const { spki, signature, info } of cases) expect(verifyActiveAuthentication(spki, challenge, signature, info).verified).toBe(true);
    fc.assert(fc.property(fc.constantFrom(...cases), fc.nat(), ({ spki, signature, info }, at) => {
      const bit = at % (signature.length * 8);
      const altered = Uint8Array.from(signature);
      altered[bit >> 3]! ^= 0x80 >> (bit & 7);
      expect(verifyActiveAuthentication(spki, challenge, altered, info).verified).toBe(false);
    }), { numRuns: 200 });
  });

  it('reads a 9796-2 signature whose representative is n − J', () => {
    const key: ActiveAuthenticationKey = { kind: 'rsa', privateKey: rsa1024, hash: 'sha1' };
    const spki = activeAuthenticationKey(activeAuthenticationPublicKeyInfo(key));
    const signature = signChallenge(key, challenge, seededRandom(4));
    const jwk = createPrivateKey(rsa1024.export({ format: 'pem', type: 'pkcs8' })).export({ format: 'jwk' });
    const n = BigInt(`0x${Buffer.from(jwk.n!, 'base64url').toString('hex')}`);
    const negated = bytesFromBigint(n - BigInt(`0x${toHex(signature)}`), 128);
    expect(verifyActiveAuthentication(spki, challenge, negated).verified).toBe(true);
  });
});
