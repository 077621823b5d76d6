// The sealed record envelope: what goes in comes out for the authority only; every flipped byte,
// every truncation, a wrong key, altered ciphertext or a swapped record id is refused with a
// typed ProtocolError, never a raw exception and never a success.

import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../protocol/canonical-json.js';
import { generateSealingKeyPair, generateSigningKeyPair, keyIdOf } from '../../../protocol/keys.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { openSealedRecord, readSealedHeader, sealRecord, verifySealedRecord } from '../../../protocol/sealed-record.js';
import { sha256Hex } from '../../../protocol/wire-fields.js';
import { newKioskKeys, resign, sealSample, withHeader } from '../authority/sealing-fixtures.js';

const authority = generateSealingKeyPair();
const kiosk = newKioskKeys();
const keys = { authoritySealingPrivateKey: authority.privateKey, kioskSigningPublicKey: kiosk.signing.publicKey };

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  throw new Error('expected a ProtocolError, but the envelope was accepted');
}

const parts = fc.uniqueArray(
  fc.record({ name: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/), bytes: fc.uint8Array({ maxLength: 2048 }) }),
  { selector: (part) => part.name, maxLength: 5 },
);

describe('sealRecord / openSealedRecord', () => {
  it('round-trips any JSON and parts, and reports size and digest', () => {
    fc.assert(fc.property(fc.jsonValue(), parts, (json, recordParts) => {
      const recordId = randomUUID();
      const sealed = sealRecord({
        recordId, kioskId: kiosk.id, createdAt: '2025-03-01T12:00:00.000Z', kind: 'company-registration', json, parts: recordParts,
        authoritySealingPublicKey: authority.publicKey, kioskSigningPrivateKey: kiosk.signing.privateKey,
      });
      expect(sealed.size).toBe(sealed.bytes.length);
      expect(sealed.digest).toBe(sha256Hex(sealed.bytes));
      const opened = openSealedRecord(sealed.bytes, keys);
      expect(canonicalJson(opened.json)).toBe(canonicalJson(json));
      expect(opened.parts.map((p) => [p.name, Buffer.from(p.bytes).toString('hex')]))
        .toEqual(recordParts.map((p) => [p.name, Buffer.from(p.bytes).toString('hex')]));
      expect(opened.header).toMatchObject({ recordId, kioskId: kiosk.id, kind: 'company-registration', sealedTo: keyIdOf(authority.publicKey) });
    }), { numRuns: 60 });
  });

  it('keeps the content unreadable in the sealed bytes', () => {
    const sealed = sealSample(kiosk, authority.publicKey);
    expect(Buffer.from(sealed.bytes).includes('MUSTERMANN')).toBe(false);
  });

  it('refuses input it cannot describe in a header', () => {
    const base = {
      recordId: 'r-1', kioskId: kiosk.id, createdAt: '2025-03-01T12:00:00.000Z', kind: 'person-enrollment', json: {},
      authoritySealingPublicKey: authority.publicKey, kioskSigningPrivateKey: kiosk.signing.privateKey,
    };
    const duplicateParts = [{ name: 'a', bytes: new Uint8Array(1) }, { name: 'a', bytes: new Uint8Array(1) }];
    expect(refusal(() => sealRecord({ ...base, parts: duplicateParts }))).toBe('ENVELOPE_INPUT_INVALID');
    expect(refusal(() => sealRecord({ ...base, recordId: '../etc', parts: [] }))).toBe('ENVELOPE_INPUT_INVALID');
  });
});

describe('readSealedHeader', () => {
  it('reads the metadata without any key', () => {
    const sealed = sealSample(kiosk, authority.publicKey, { partBytes: 100 });
    expect(readSealedHeader(sealed.bytes)).toEqual({
      recordId: sealed.recordId, kioskId: kiosk.id, createdAt: '2025-03-01T12:00:00.000Z', kind: 'person-enrollment',
      sealedTo: keyIdOf(authority.publicKey), json: { size: expect.any(Number) },
      parts: [{ name: 'portrait.jpg', size: 100 }, { name: 'finger-r1.raw', size: 100 }],
    });
  });
});

describe('a damaged or forged envelope', () => {
  const sealed = sealSample(kiosk, authority.publicKey, { partBytes: 40 });

  it('is refused with a typed error for any single flipped byte', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: sealed.size - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      const damaged = Buffer.from(sealed.bytes);
      damaged[at]! ^= mask;
      expect(refusal(() => openSealedRecord(damaged, keys))).toMatch(/^ENVELOPE_/);
    }), { numRuns: 2000 });
  });

  it('is refused as truncated at every shorter length, header reader included', () => {
    for (let length = 0; length < sealed.size; length += 1) {
      const truncated = sealed.bytes.subarray(0, length);
      expect(refusal(() => openSealedRecord(truncated, keys))).toBe('ENVELOPE_TRUNCATED');
      expect(refusal(() => readSealedHeader(truncated))).toBe('ENVELOPE_TRUNCATED');
    }
  });

  it('is refused when bytes follow the signature', () => {
    expect(refusal(() => openSealedRecord(Buffer.concat([sealed.bytes, Buffer.of(0)]), keys))).toBe('ENVELOPE_MALFORMED');
  });

  it('is refused for a foreign magic or an unknown version', () => {
    const foreign = Buffer.from(sealed.bytes);
    foreign.write('PK\x03\x04', 0, 'latin1');
    expect(refusal(() => readSealedHeader(foreign))).toBe('ENVELOPE_BAD_MAGIC');
    const future = Buffer.from(sealed.bytes);
    future[4] = 2;
    expect(refusal(() => readSealedHeader(future))).toBe('ENVELOPE_BAD_VERSION');
  });

  it('is refused when checked against another kiosk key', () => {
    const other = generateSigningKeyPair();
    expect(refusal(() => openSealedRecord(sealed.bytes, { ...keys, kioskSigningPublicKey: other.publicKey }))).toBe('ENVELOPE_SIGNATURE_INVALID');
  });

  it('is refused by another authority, before any decryption', () => {
    const other = generateSealingKeyPair();
    expect(refusal(() => openSealedRecord(sealed.bytes, { ...keys, authoritySealingPrivateKey: other.privateKey }))).toBe('ENVELOPE_WRONG_AUTHORITY_KEY');
  });

  it('is refused by its authentication tag when the ciphertext was altered and re-signed', () => {
    const altered = Buffer.from(sealed.bytes);
    altered[altered.length - 64 - 16 - 5]! ^= 0x01; // inside the ciphertext
    expect(refusal(() => openSealedRecord(altered, keys))).toBe('ENVELOPE_SIGNATURE_INVALID');
    expect(refusal(() => openSealedRecord(resign(altered, kiosk.signing.privateKey), keys))).toBe('ENVELOPE_DECRYPT_FAILED');
  });

  it('is refused by verifySealedRecord exactly as by openSealedRecord, for every single flipped byte', () => {
    expect(verifySealedRecord(sealed.bytes, keys)).toEqual(readSealedHeader(sealed.bytes));
    // Any byte before the signature, re-signed by the kiosk so the layers below the signature decide.
    fc.assert(fc.property(fc.integer({ min: 0, max: sealed.size - 65 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      const damaged = resign(Object.assign(Buffer.from(sealed.bytes), { [at]: sealed.bytes[at]! ^ mask }), kiosk.signing.privateKey);
      expect(refusal(() => verifySealedRecord(damaged, keys))).toBe(refusal(() => openSealedRecord(damaged, keys)));
    }), { numRuns: 500 });
  });

  it('opens a record larger than one decryption slice whole', () => {
    const large = sealRecord({
      recordId: randomUUID(), kioskId: kiosk.id, createdAt: '2025-03-01T12:00:00.000Z', kind: 'person-enrollment', json: { large: true },
      parts: [{ name: 'big.bin', bytes: Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a) }],
      authoritySealingPublicKey: authority.publicKey, kioskSigningPrivateKey: kiosk.signing.privateKey,
    });
    const opened = openSealedRecord(large.bytes, keys);
    expect(opened.json).toEqual({ large: true });
    expect(Buffer.from(opened.parts[0]!.bytes).equals(Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a))).toBe(true);
    expect(verifySealedRecord(large.bytes, keys).recordId).toBe(opened.header.recordId);
  });

  it('is refused when its record id or parts are swapped, even re-signed by the kiosk', () => {
    const swapped = withHeader(sealed.bytes, (header) => ({ ...header, recordId: randomUUID() }), kiosk.signing.privateKey);
    expect(refusal(() => openSealedRecord(swapped, keys))).toBe('ENVELOPE_DECRYPT_FAILED');
    const reordered = withHeader(sealed.bytes, (header) => ({ ...header, parts: [...header.parts].reverse() }), kiosk.signing.privateKey);
    expect(refusal(() => openSealedRecord(reordered, keys))).toBe('ENVELOPE_DECRYPT_FAILED');
  });

  it('is refused when the wrapped content key was altered and re-signed', () => {
    const altered = Buffer.from(sealed.bytes);
    altered[9 + altered.readUInt32BE(5) + 32 + 12 + 3]! ^= 0x80; // inside the wrapped key
    expect(refusal(() => openSealedRecord(resign(altered, kiosk.signing.privateKey), keys))).toBe('ENVELOPE_KEY_UNWRAP_FAILED');
  });
});
