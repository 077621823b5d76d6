// Receipts, station configuration, operator lists and audit checkpoints: each verifies with the
// key that signed it and no other, names the pinned authority key, and refuses any changed field
// or a signature carried over from another kind of document.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signAuditCheckpoint, verifyAuditCheckpoint } from '../../../protocol/audit-checkpoint.js';
import { generateSigningKeyPair, keyIdOf } from '../../../protocol/keys.js';
import { signReceipt, verifyReceipt, type ReceiptFields } from '../../../protocol/receipt.js';
import { operatorListDocument, stationConfigDocument } from '../../../protocol/station-documents.js';

const authority = generateSigningKeyPair();
const impostor = generateSigningKeyPair();
const kiosk = generateSigningKeyPair();
const fields: ReceiptFields = {
  recordId: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  digest: 'a'.repeat(64),
  kioskId: '6f1f8a52-3c1e-4c55-9d0e-2f1a7c9b1e01',
  receivedAt: '2025-03-01T12:00:00.000Z',
};

describe('receipts', () => {
  const receipt = signReceipt(fields, authority.privateKey);

  it('verify with the pinned authority key and name it', () => {
    expect(receipt.authorityKeyId).toBe(keyIdOf(authority.publicKey));
    expect(verifyReceipt(receipt, authority.publicKey, { recordId: fields.recordId, digest: fields.digest, kioskId: fields.kioskId }))
      .toEqual({ ok: true, receipt });
  });

  it('refuse another key, naming the mismatch before checking the signature', () => {
    expect(verifyReceipt(receipt, impostor.publicKey)).toMatchObject({ ok: false, code: 'KEY_MISMATCH' });
    const forged = { ...signReceipt(fields, impostor.privateKey), authorityKeyId: receipt.authorityKeyId };
    expect(verifyReceipt(forged, authority.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('refuse any changed field', () => {
    const changes = fc.oneof(
      fc.constant({ digest: 'b'.repeat(64) }),
      fc.constant({ recordId: 'another-record' }),
      fc.constant({ kioskId: '0b8e3d4c-7a6f-4e21-8c3b-5d9f1a2e4c02' }),
      fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => ({ receivedAt: d.toISOString() })),
    );
    fc.assert(fc.property(changes, (change) => {
      fc.pre(Object.entries(change).some(([key, value]) => receipt[key as keyof typeof receipt] !== value));
      expect(verifyReceipt({ ...receipt, ...change }, authority.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    }));
  });

  it('refuse a receipt for another record than expected, or a malformed one', () => {
    expect(verifyReceipt(receipt, authority.publicKey, { digest: 'c'.repeat(64) })).toMatchObject({ ok: false, code: 'RECEIPT_MISMATCH' });
    expect(verifyReceipt({ ...receipt, extra: 1 }, authority.publicKey)).toMatchObject({ ok: false, code: 'DOCUMENT_MALFORMED' });
    expect(verifyReceipt('receipt', authority.publicKey)).toMatchObject({ ok: false, code: 'DOCUMENT_MALFORMED' });
  });
});

describe('station configuration and operator list', () => {
  const config = stationConfigDocument.sign({ version: 3, issuedAt: fields.receivedAt, settings: { idleTimeoutSeconds: 90 } }, authority.privateKey);
  const operators = operatorListDocument.sign({
    version: 3, issuedAt: fields.receivedAt, operators: [{ name: 'Officer Krause', role: 'officer', active: true }],
  }, authority.privateKey);

  it('verify with the authority key and refuse a changed version or content', () => {
    expect(stationConfigDocument.verify(config, authority.publicKey)).toEqual({ ok: true, document: config });
    expect(operatorListDocument.verify(operators, authority.publicKey)).toEqual({ ok: true, document: operators });
    expect(stationConfigDocument.verify({ ...config, version: 4 }, authority.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(stationConfigDocument.verify({ ...config, settings: { idleTimeoutSeconds: 9000 } }, authority.publicKey))
      .toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(operatorListDocument.verify({ ...operators, operators: [] }, authority.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('never accept a signature made for another kind of document', () => {
    const receiptShaped = signReceipt(fields, authority.privateKey);
    const asConfig = { ...config, signature: receiptShaped.signature };
    expect(stationConfigDocument.verify(asConfig, authority.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    const sameFieldsOtherContext = { ...operators, operators: [], signature: stationConfigDocument.sign({ version: 3, issuedAt: fields.receivedAt, settings: {} }, authority.privateKey).signature };
    expect(operatorListDocument.verify(sameFieldsOtherContext, authority.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });
});

describe('audit checkpoints', () => {
  const checkpoint = signAuditCheckpoint({ kioskId: fields.kioskId, seq: 42, headHash: 'd'.repeat(64), at: fields.receivedAt }, kiosk.privateKey);

  it('verify with the kiosk key only, and refuse a changed head', () => {
    expect(verifyAuditCheckpoint(checkpoint, kiosk.publicKey)).toEqual({ ok: true, document: checkpoint });
    expect(verifyAuditCheckpoint(checkpoint, impostor.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyAuditCheckpoint({ ...checkpoint, seq: 41 }, kiosk.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyAuditCheckpoint({ ...checkpoint, headHash: 'e'.repeat(64) }, kiosk.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });
});
