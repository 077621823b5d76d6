// Signed receipts: the authority's statement that it holds record R with envelope digest D
// from kiosk K since T. A kiosk purges a sealed payload only after verifying one against the
// authority key it pinned at registration.
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Checked } from './protocol-error.js';
import { authorityDocumentKind, type SignedJsonRefusal } from './signed-json.js';
import { IsoTime, KeyId, KioskId, RecordId, Sha256Hex, SignatureText } from './wire-fields.js';

export const Receipt = z.strictObject({
  recordId: RecordId,
  digest: Sha256Hex,
  kioskId: KioskId,
  receivedAt: IsoTime,
  authorityKeyId: KeyId,
  signature: SignatureText,
});
export type Receipt = z.infer<typeof Receipt>;
export type ReceiptFields = Pick<Receipt, 'recordId' | 'digest' | 'kioskId' | 'receivedAt'>;

/** The receipts for the records of one imported bundle, written by `gatehouse-authority bundle import --receipts`. */
export const ReceiptFile = z.strictObject({
  format: z.literal('gatehouse-receipts'),
  version: z.literal(1),
  bundleId: z.uuid(),
  kioskId: KioskId,
  receipts: z.array(Receipt),
});
export type ReceiptFile = z.infer<typeof ReceiptFile>;

const receipts = authorityDocumentKind('gatehouse receipt v1', Receipt);

export function signReceipt(fields: ReceiptFields, authoritySigningKey: KeyObject): Receipt {
  return receipts.sign(fields, authoritySigningKey);
}

export type ReceiptRefusal = SignedJsonRefusal | 'RECEIPT_MISMATCH';

/** Verifies `receipt` against the pinned authority key and, when given, the record it must be for. */
export function verifyReceipt(
  receipt: unknown,
  pinnedAuthorityKey: KeyObject,
  expected: Partial<Pick<Receipt, 'recordId' | 'digest' | 'kioskId'>> = {},
): Checked<ReceiptRefusal, { receipt: Receipt }> {
  const checked = receipts.verify(receipt, pinnedAuthorityKey);
  if (!checked.ok) return checked;
  const differing = (Object.keys(expected) as Array<keyof typeof expected>).filter((field) => expected[field] !== checked.document[field]);
  if (differing.length > 0) {
    return { ok: false, code: 'RECEIPT_MISMATCH', message: `The receipt is for a different ${differing.join(', ')}.` };
  }
  return { ok: true, receipt: checked.document };
}
