// The key-encryption-key custody: a private key protected under the KEK comes back only under the
// same KEK and the same key id; a wrong KEK, another key id or any flipped byte is refused with a
// typed error, never a wrong key. The KEK's own text form is 32 bytes of base64 and nothing else.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthorityError } from '../../../authority/authority-error.js';
import { parseKek } from '../../../authority/keys/kek-source.js';
import { kekCustody } from '../../../authority/keys/key-custody.js';
import { encodePublicKey, generateSealingKeyPair, generateSigningKeyPair, keyIdOf } from '../../../protocol/keys.js';

const refusal = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof AuthorityError)) throw error;
    return error.code;
  }
};

const pairs = [generateSigningKeyPair(), generateSealingKeyPair()];

describe('the KEK custody', () => {
  it('gives back the key it protected, under the same key id only', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(...pairs), (kek, pair) => {
      const custody = kekCustody(Buffer.from(kek), 'test');
      const keyId = keyIdOf(pair.publicKey);
      const stored = custody.protect(keyId, pair.privateKey);
      expect(encodePublicKey(custody.recover(keyId, stored))).toBe(encodePublicKey(pair.publicKey));
      expect(refusal(() => custody.recover('0'.repeat(32), stored))).toBe('AUTHORITY_KEK_WRONG');
    }), { numRuns: 50 });
  });

  it('refuses a flipped bit anywhere, and another KEK, with a typed error', () => {
    const custody = kekCustody(randomBytes(32), 'test');
    const pair = pairs[0]!;
    const keyId = keyIdOf(pair.publicKey);
    const stored = custody.protect(keyId, pair.privateKey);
    const body = Buffer.from(stored.slice(3), 'base64url');
    fc.assert(fc.property(fc.nat({ max: body.length * 8 - 1 }), (bit) => {
      const flipped = Buffer.from(body);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(refusal(() => custody.recover(keyId, `v1.${flipped.toString('base64url')}`))).toBe('AUTHORITY_KEK_WRONG');
    }), { numRuns: 200 });
    expect(refusal(() => kekCustody(randomBytes(32), 'other').recover(keyId, stored))).toBe('AUTHORITY_KEK_WRONG');
    expect(refusal(() => custody.recover(keyId, 'v2.AAAA'))).toBe('AUTHORITY_KEY_DAMAGED');
  });
});

describe('a KEK as text', () => {
  it('reads 32 bytes of base64 (surrounding whitespace aside) and refuses anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      expect([...parseKek(`  ${Buffer.from(bytes).toString('base64')}\n`, 'test')]).toEqual([...bytes]);
    }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }).filter((bytes) => bytes.length !== 32), (bytes) => {
      expect(refusal(() => parseKek(Buffer.from(bytes).toString('base64'), 'test'))).toBe('AUTHORITY_KEK_MALFORMED');
    }));
    expect(refusal(() => parseKek(`${'A'.repeat(43)}!`, 'test'))).toBe('AUTHORITY_KEK_MALFORMED');
  });
});
