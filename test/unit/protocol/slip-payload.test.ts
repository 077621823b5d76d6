// The QR payload of an acknowledgement slip: it verifies with the key of the kiosk that printed
// it and no other, any changed field or a signature made for another kind of document is refused,
// and anything that is not a Gatehouse slip is called malformed rather than forged.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEnrollmentNumber } from '../../../protocol/enrollment-number.js';
import { generateSigningKeyPair } from '../../../protocol/keys.js';
import { signJson } from '../../../protocol/signed-json.js';
import { readSlip, signSlip, verifySlip, type SlipFields } from '../../../protocol/slip-payload.js';

const kiosk = generateSigningKeyPair();
const otherKiosk = generateSigningKeyPair();
const fields: SlipFields = {
  n: 'K00A-261206-0042-N6',
  d: 'a'.repeat(64),
  k: '6f1f8a52-3c1e-4c55-9d0e-2f1a7c9b1e01',
  t: '2026-12-06T10:15:00.000Z',
};

/** The signed document inside a payload. */
const documentOf = (payload: string): Record<string, unknown> => JSON.parse(Buffer.from(payload.slice(5), 'base64url').toString('utf8'));
/** A payload carrying `document` as it is, signature and all. */
const payloadOf = (document: unknown): string => `GHS1:${Buffer.from(JSON.stringify(document)).toString('base64url')}`;

const slipFields = fc.record({
  n: fc.record({
    kioskCode: fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 4, maxLength: 4 }),
    day: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 6 }),
    sequence: fc.integer({ min: 1, max: 9999 }),
  }).map(formatEnrollmentNumber),
  d: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
  k: fc.uuid({ version: 4 }),
  t: fc.date({ min: new Date('2024-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
});

describe('slip payloads', () => {
  const payload = signSlip(fields, kiosk.privateKey);

  it('are GHS1: and base64url, short enough for a small QR code, and verify with the kiosk key', () => {
    expect(payload).toMatch(/^GHS1:[A-Za-z0-9_-]+$/);
    expect(payload.length).toBeLessThan(400);
    expect(verifySlip(payload, kiosk.publicKey)).toEqual({ ok: true, fields });
    expect(verifySlip(`  ${payload}\n`, kiosk.publicKey)).toEqual({ ok: true, fields });
  });

  it('say what they claim before the kiosk key is known', () => {
    expect(readSlip(payload)).toEqual({ ok: true, fields });
    const forged = signSlip(fields, otherKiosk.privateKey);
    expect(readSlip(forged)).toEqual({ ok: true, fields });
  });

  it('refuse another kiosk\'s key', () => {
    expect(verifySlip(payload, otherKiosk.publicKey)).toMatchObject({ ok: false, code: 'SLIP_SIGNATURE_INVALID' });
    expect(verifySlip(signSlip(fields, otherKiosk.privateKey), kiosk.publicKey)).toMatchObject({ ok: false, code: 'SLIP_SIGNATURE_INVALID' });
  });

  it('refuse each field changed after signing', () => {
    const signed = documentOf(payload);
    const changes: Array<Partial<Record<keyof SlipFields | 'signature', string>>> = [
      { n: formatEnrollmentNumber({ kioskCode: 'K00A', day: '261206', sequence: 43 }) },
      { d: 'b'.repeat(64) },
      { k: '0b8e3d4c-7a6f-4e21-8c3b-5d9f1a2e4c02' },
      { t: '2026-12-06T10:15:01.000Z' },
      { signature: documentOf(signSlip({ ...fields, d: 'c'.repeat(64) }, kiosk.privateKey)).signature as string },
    ];
    for (const change of changes) {
      expect(verifySlip(payloadOf({ ...signed, ...change }), kiosk.publicKey), JSON.stringify(change)).toMatchObject({ ok: false, code: 'SLIP_SIGNATURE_INVALID' });
    }
  });

  it('refuse a signature the kiosk made for another kind of document', () => {
    const receiptSigned = signJson('gatehouse receipt v1', fields, kiosk.privateKey);
    expect(verifySlip(payloadOf(receiptSigned), kiosk.publicKey)).toMatchObject({ ok: false, code: 'SLIP_SIGNATURE_INVALID' });
  });

  it('call anything that is not a slip payload malformed', () => {
    const signed = documentOf(payload);
    const withoutDigest = Object.fromEntries(Object.entries(signed).filter(([key]) => key !== 'd'));
    const malformed = [
      '', 'GHS1:', 'GHS1:!!!', 'GHS2:' + payload.slice(5), payload.slice(5), 'https://example.org/slip',
      payloadOf('a string'), payloadOf([1, 2]), payloadOf(null), payloadOf(withoutDigest), payloadOf({ ...signed, extra: 1 }),
      payloadOf({ ...signed, n: 'K00A-261206-0042-N7' }), payloadOf({ ...signed, n: 'k00a-261206-0042-n6' }),
      payloadOf({ ...signed, d: 'A'.repeat(64) }), payloadOf({ ...signed, k: 'kiosk-1' }), payloadOf({ ...signed, t: '2026-12-06 10:15' }),
      payloadOf({ ...signed, signature: 'short' }), `GHS1:${'A'.repeat(2000)}`,
    ];
    for (const text of malformed) {
      expect(readSlip(text), text).toMatchObject({ ok: false, code: 'SLIP_MALFORMED' });
      expect(verifySlip(text, kiosk.publicKey), text).toMatchObject({ ok: false, code: 'SLIP_MALFORMED' });
    }
  });

  it('are not signed from invalid fields', () => {
    expect(() => signSlip({ ...fields, n: 'K00A-261206-0042-N7' }, kiosk.privateKey)).toThrow();
    expect(() => signSlip({ ...fields, d: 'xyz' }, kiosk.privateKey)).toThrow();
  });

  it('verify whatever the fields, and no other fields than those signed', () => {
    fc.assert(fc.property(slipFields, slipFields, (signedFields, otherFields) => {
      const text = signSlip(signedFields, kiosk.privateKey);
      expect(verifySlip(text, kiosk.publicKey)).toEqual({ ok: true, fields: signedFields });
      const swapped = { ...documentOf(text), ...otherFields };
      fc.pre(JSON.stringify({ ...signedFields, ...otherFields }) !== JSON.stringify(signedFields));
      expect(verifySlip(payloadOf(swapped), kiosk.publicKey)).toMatchObject({ ok: false, code: 'SLIP_SIGNATURE_INVALID' });
    }), { numRuns: 200 });
  });
});
