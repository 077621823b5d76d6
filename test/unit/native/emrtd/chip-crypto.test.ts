// The block-cipher primitives under BAC, PACE and secure messaging, against published vectors:
// RFC 4493 §4 (AES-CMAC examples 1–4); ICAO Doc 9303-11 Appendix D.1 (KDF for 3DES from
// Kseed = 239AB9CB282DAF66231DC5A4DF6BFBAE, D.3's M.IFD as a retail MAC) and Appendix G.1
// (PACE ECDH generic mapping, AES-128: "K = 28768D20701247DAE81804C9E780EDE582A9996DB4A31502
// 0B2733197DB84925", "KSenc = F5F0E35C0D7161EE6724EE513A0D9A7F", "KSMAC = FE251C7858B356B24514
// B3BD5F4297D1", "K_π = 89DED1B26624EC1E634C1989302849DD" from "K = 7E2D2A41C74EA0B38CD36F863939
// BFA8E9032AAD", tokens "T_IFD = C2B0BD78D94BA866" and "T_IC = 3ABB9674BCE93C08" over the chip's
// and the terminal's public key data objects), as quoted by public test suites citing the
// standard. Then properties: padding round trips, parity, encrypt/decrypt.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  adjustDesParity, aesCbc, aesCmac, aesEncryptBlock, blockSize, deriveKey, pad, retailMac, tdesCbc, unpad,
} from '../../../../native/emrtd/chip-crypto.js';
import { hex, toHex } from './emrtd-fixtures.js';

describe('AES-CMAC (RFC 4493 §4)', () => {
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const message = hex(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
    30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);
  it.each([
    [0, 'BB1D6929E95937287FA37D129B756746'],
    [16, '070A16B46B4D4144F79BDD9DD04A287C'],
    [40, 'DFA66747DE9AE63030CA32611497C827'],
    [64, '51F0BEBF7E3B9D92FC49741779363CFE'],
  ])('over %i bytes', (length, mac) => {
    expect(toHex(aesCmac(key, message.subarray(0, length)))).toBe(mac);
  });
});

describe('9303-11 Appendix D (3DES)', () => {
  const kSeed = hex('239AB9CB282DAF66231DC5A4DF6BFBAE');

  it('derives Kenc and Kmac with SHA-1 and DES parity (D.1)', () => {
    expect(toHex(deriveKey(kSeed, 1, '3des'))).toBe('AB94FDECF2674FDFB9B391F85D7F76F2');
    expect(toHex(deriveKey(kSeed, 2, '3des'))).toBe('7962D9ECE03D1ACD4C76089DCE131543');
  });

  it('computes E.IFD with 3DES-CBC under a zero IV and M.IFD with the retail MAC (D.3)', () => {
    const s = hex('781723860C06C226 4608F91988702212 0B795240CB7049B01C19B33E32804F0B');
    const eIfd = tdesCbc(hex('AB94FDECF2674FDFB9B391F85D7F76F2'), s, true);
    expect(toHex(eIfd)).toBe('72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2');
    expect(toHex(retailMac(hex('7962D9ECE03D1ACD4C76089DCE131543'), pad(eIfd, 8)))).toBe('5F1448EEA8AD90A7');
    expect(toHex(tdesCbc(hex('AB94FDECF2674FDFB9B391F85D7F76F2'), eIfd, false))).toBe(toHex(s));
  });

  it('refuses a retail MAC over input that is not whole blocks', () => {
    expect(() => retailMac(new Uint8Array(16), new Uint8Array(7))).toThrow(RangeError);
    expect(() => retailMac(new Uint8Array(16), new Uint8Array(0))).toThrow(RangeError);
  });
});

describe('9303-11 Appendix G.1 (AES-128)', () => {
  it('derives the session keys and the password key', () => {
    const shared = hex('28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925');
    expect(toHex(deriveKey(shared, 1, 'aes-128'))).toBe('F5F0E35C0D7161EE6724EE513A0D9A7F');
    expect(toHex(deriveKey(shared, 2, 'aes-128'))).toBe('FE251C7858B356B24514B3BD5F4297D1');
    expect(toHex(deriveKey(hex('7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD'), 3, 'aes-128'))).toBe('89DED1B26624EC1E634C1989302849DD');
  });

  it('computes the authentication tokens as AES-CMAC truncated to 8 bytes', () => {
    const ksMac = hex('FE251C7858B356B24514B3BD5F4297D1');
    const oid = '060A04007F00070202040202';
    const chipKey = '049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094';
    const terminalKey = '042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462';
    expect(toHex(aesCmac(ksMac, hex(`7F494F${oid}8641${chipKey}`)).subarray(0, 8))).toBe('C2B0BD78D94BA866');
    expect(toHex(aesCmac(ksMac, hex(`7F494F${oid}8641${terminalKey}`)).subarray(0, 8))).toBe('3ABB9674BCE93C08');
  });

  it('uses SHA-256 for AES-192 and AES-256 keys, of 24 and 32 bytes', () => {
    expect(deriveKey(new Uint8Array(32), 1, 'aes-192')).toHaveLength(24);
    expect(deriveKey(new Uint8Array(32), 1, 'aes-256')).toHaveLength(32);
    expect(toHex(deriveKey(new Uint8Array(32), 1, 'aes-256').subarray(0, 24))).toBe(toHex(deriveKey(new Uint8Array(32), 1, 'aes-192')));
  });
});

describe('padding, parity, ciphers (properties)', () => {
  it('pads to whole blocks with at least one byte and unpads back', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.constantFrom(8, 16), (data, block) => {
      const padded = pad(data, block);
      expect(padded.length % block).toBe(0);
      expect(padded.length - data.length).toBeGreaterThanOrEqual(1);
      expect(padded.length - data.length).toBeLessThanOrEqual(block);
      expect(unpad(padded, block)).toEqual(data);
    }));
  });

  it('refuses data without method-2 padding, or padding longer than a block when the block is given', () => {
    for (const bad of ['', '00000000', 'AABBCC01', 'AABBCC8001']) {
      expect(() => unpad(hex(bad)), bad).toThrow(expect.objectContaining({ code: 'CHIP_SM_PADDING' }));
    }
    expect(toHex(unpad(hex('AA800000000000000000000000000000')))).toBe('AA');
    expect(() => unpad(hex('AA800000000000000000000000000000'), 8)).toThrow(expect.objectContaining({ code: 'CHIP_SM_PADDING' }));
  });

  it('gives every DES key byte odd parity without touching the key bits', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 24 }), (key) => {
      const adjusted = adjustDesParity(key);
      adjusted.forEach((byte, i) => {
        let ones = 0;
        for (let bit = 1; bit < 0x100; bit <<= 1) if (byte & bit) ones++;
        expect(ones % 2).toBe(1);
        expect(byte & 0xfe).toBe(key[i]! & 0xfe);
      });
      expect(adjustDesParity(adjusted)).toEqual(adjusted);
    }));
  });

  it('decrypts what it encrypts (3DES-CBC, AES-CBC with IV = E(K, SSC))', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (blocks, key) => {
      const tdes = new Uint8Array(blocks * 8).fill(blocks);
      expect(tdesCbc(key.subarray(0, 16), tdesCbc(key.subarray(0, 16), tdes, true), false)).toEqual(tdes);
      const aes = new Uint8Array(blocks * 16).fill(blocks);
      const iv = aesEncryptBlock(key, new Uint8Array(16));
      expect(aesCbc(key, aesCbc(key, aes, true, iv), false, iv)).toEqual(aes);
    }), { numRuns: 30 });
    expect(blockSize('3des')).toBe(8);
    expect(blockSize('aes-192')).toBe(16);
  });
});
