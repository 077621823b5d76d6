// What a kiosk seals for itself alone (held enrollments, kept slips): any JSON and parts come
// back as they went in (a property), under the id and kind they were sealed as; opening refuses
// another kind, another id, another kiosk's keys, a flipped byte, and the authority cannot open
// it; the envelope shows nothing of its content in the clear.

import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSealedRecord, readSealedHeader } from '../../../../protocol/sealed-record.js';
import { keyIdOf } from '../../../../protocol/keys.js';
import { openForKiosk, sealForKiosk } from '../../../../main/provisioning/kiosk-sealed.js';
import { credentialsOf, offlineIdentity } from '../../../fixtures/offline-identity.js';

const NOW = new Date('2026-03-01T09:00:00.000Z');
const OFFLINE = offlineIdentity();
const CREDENTIALS = credentialsOf(OFFLINE);
const KIND = 'acknowledgement-slip';

const content = (id = randomUUID()) => ({
  id, kind: KIND, json: { name: 'ERIKSSON, ANNA MARIA', number: 'K00A-260301-0001-N6', fingers: [2, 7] },
  parts: [{ name: 'photo.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]) }],
});
const asHex = (parts: ReadonlyArray<{ name: string; bytes: Uint8Array }>) => parts.map((part) => [part.name, Buffer.from(part.bytes).toString('hex')]);

describe('sealForKiosk / openForKiosk', () => {
  it('gives back the JSON and parts it sealed, for the id and kind asked for', () => {
    const sealed = content();
    const envelope = sealForKiosk(CREDENTIALS, sealed, NOW);
    const { json, parts } = openForKiosk(CREDENTIALS, envelope, KIND, sealed.id);
    expect(json).toEqual(sealed.json);
    expect(asHex(parts)).toEqual(asHex(sealed.parts));
    expect(openForKiosk(CREDENTIALS, envelope, KIND).json).toEqual(sealed.json); // no id asked: the kind alone is checked
  });

  it('seals to the kiosk\'s own key under the id and kind, signed by the kiosk, with nothing in the clear', () => {
    const sealed = content();
    const envelope = sealForKiosk(CREDENTIALS, sealed, NOW);
    expect(readSealedHeader(envelope)).toMatchObject({
      recordId: sealed.id, kind: KIND, kioskId: CREDENTIALS.identity.kioskId, createdAt: NOW.toISOString(),
      sealedTo: keyIdOf(CREDENTIALS.keys.sealing.publicKey),
    });
    expect(Buffer.from(envelope).includes('ERIKSSON')).toBe(false);
    expect(() => openSealedRecord(envelope, {
      authoritySealingPrivateKey: OFFLINE.authority.sealing.privateKey, kioskSigningPublicKey: CREDENTIALS.keys.signing.publicKey,
    })).toThrow(expect.objectContaining({ name: 'ProtocolError', code: 'ENVELOPE_WRONG_AUTHORITY_KEY' }));
  });

  it('refuses an envelope of another kind, or for another id', () => {
    const sealed = content();
    const envelope = sealForKiosk(CREDENTIALS, sealed, NOW);
    const misplaced = { code: 'KIOSK_SEALED_MISPLACED', details: expect.objectContaining({ found: KIND, foundId: sealed.id }) };
    expect(() => openForKiosk(CREDENTIALS, envelope, 'held-enrollment', sealed.id)).toThrow(expect.objectContaining(misplaced));
    const other = randomUUID();
    expect(() => openForKiosk(CREDENTIALS, envelope, KIND, other)).toThrow(expect.objectContaining({ ...misplaced, message: expect.stringContaining(`${KIND} ${other}`) }));
  });

  it('refuses another kiosk\'s envelope, and its own opened with another kiosk\'s keys', () => {
    const otherKiosk = credentialsOf(offlineIdentity());
    const sealed = content();
    const theirs = sealForKiosk(otherKiosk, sealed, NOW);
    expect(() => openForKiosk(CREDENTIALS, theirs, KIND, sealed.id)).toThrow(expect.objectContaining({ name: 'ProtocolError', code: 'ENVELOPE_SIGNATURE_INVALID' }));
    const ours = sealForKiosk(CREDENTIALS, sealed, NOW);
    expect(() => openForKiosk(otherKiosk, ours, KIND, sealed.id)).toThrow(expect.objectContaining({ name: 'ProtocolError' }));
    // Our signing key, but another kiosk's sealing key: the content key is not ours to unwrap.
    const swapped = { ...CREDENTIALS, keys: { signing: CREDENTIALS.keys.signing, sealing: otherKiosk.keys.sealing } };
    expect(() => openForKiosk(swapped, ours, KIND, sealed.id)).toThrow(expect.objectContaining({ code: 'ENVELOPE_WRONG_AUTHORITY_KEY' }));
  });

  it('refuses an envelope with any one byte flipped', () => {
    const sealed = content();
    const envelope = sealForKiosk(CREDENTIALS, sealed, NOW);
    fc.assert(fc.property(fc.integer({ min: 0, max: envelope.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      const damaged = Uint8Array.from(envelope);
      damaged[at]! ^= mask;
      expect(() => openForKiosk(CREDENTIALS, damaged, KIND, sealed.id)).toThrow();
    }), { numRuns: 150 });
  });

  it('gives back any JSON and parts', () => {
    const scalar = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null));
    const json = fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(scalar, fc.array(scalar, { maxLength: 5 })), { maxKeys: 8 });
    const parts = fc.uniqueArray(fc.record({
      name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
      bytes: fc.uint8Array({ maxLength: 200 }),
    }), { selector: (part) => part.name, maxLength: 5 });
    fc.assert(fc.property(fc.uuid(), fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/), json, parts, (id, kind, sealedJson, sealedParts) => {
      const envelope = sealForKiosk(CREDENTIALS, { id, kind, json: sealedJson, parts: sealedParts }, NOW);
      const back = openForKiosk(CREDENTIALS, envelope, kind, id);
      expect(back.json).toEqual(sealedJson);
      expect(asHex(back.parts)).toEqual(asHex(sealedParts));
    }), { numRuns: 60 });
  });
});
