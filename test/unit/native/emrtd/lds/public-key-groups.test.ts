// DG14 and DG15 unwrapped for the modules that use them: one DER SET of SecurityInfos, one
// SubjectPublicKeyInfo, nothing before or after.

import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeDg14, decodeDg15, encodeDg14, encodeDg15 } from '../../../../../native/emrtd/lds/index.js';
import { errorOf } from './lds-arbitraries.js';

describe('DG15', () => {
  it.each([
    ['an EC key', generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).publicKey, '1.2.840.10045.2.1'],
    ['an RSA key', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, '1.2.840.113549.1.1.1'],
  ])('hands out %s as its SubjectPublicKeyInfo', (_case, key, algorithm) => {
    const spki = new Uint8Array(key.export({ type: 'spki', format: 'der' }));
    const dg15 = decodeDg15(encodeDg15(spki));
    expect(dg15).toEqual({ subjectPublicKeyInfo: spki, algorithm });
  });

  it('refuses content that is not a SubjectPublicKeyInfo', () => {
    expect(errorOf(() => decodeDg15(Uint8Array.of(0x6f, 0x04, 0x30, 0x02, 0x05, 0x00)))).toMatchObject({ code: 'LDS_FILE_MALFORMED', details: { file: 'DG15' } });
    expect(errorOf(() => decodeDg15(Uint8Array.of(0x6f, 0x02, 0x04, 0x00)))).toMatchObject({ code: 'LDS_FILE_MALFORMED' });
  });
});

describe('DG14', () => {
  it('hands out the SecurityInfos SET as is', () => {
    const set = Uint8Array.of(0x31, 0x03, 0x02, 0x01, 0x01);
    expect(decodeDg14(encodeDg14(set)).securityInfos).toEqual(set);
  });

  it('refuses content that is not one SET', () => {
    expect(errorOf(() => decodeDg14(Uint8Array.of(0x6e, 0x02, 0x30, 0x00)))).toMatchObject({ code: 'LDS_FILE_MALFORMED', details: { file: 'DG14' } });
    expect(errorOf(() => decodeDg14(Uint8Array.of(0x6e, 0x04, 0x31, 0x00, 0x31, 0x00)))).toMatchObject({ code: 'LDS_FILE_MALFORMED' });
  });
});
