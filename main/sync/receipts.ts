// Receipts: a record leaves the queue only with a receipt that verifies against the authority
// key pinned at registration and names this kiosk, this record id and this envelope digest.
// Sync (one per upload) and the receipt file of an export bundle both go through here.
import { readFileSync } from 'node:fs';
import { ReceiptFile, verifyReceipt, type Receipt } from '../../protocol/receipt.js';
import { GatehouseError } from '../errors.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { Db } from '../store/database.js';
import { outboxEntry, storeReceipt } from '../store/outbox.js';
import { retentionMs } from './authority-documents.js';

/** Checks a receipt for `expected`; RECEIPT_INVALID (naming why) when it does not hold. */
export function checkReceipt(credentials: KioskCredentials, receipt: unknown, expected: { recordId: string; digest: string }): Receipt {
  const checked = verifyReceipt(receipt, credentials.authorityKeyFor(receipt), { ...expected, kioskId: credentials.identity.kioskId });
  if (!checked.ok) {
    throw new GatehouseError('RECEIPT_INVALID',
      `The receipt for record ${expected.recordId} does not hold (${checked.message}); the record stays queued.`,
      { recordId: expected.recordId, reason: checked.code });
  }
  return checked.receipt;
}

/** Stores a verified receipt (inside the caller's transaction); false when the record already had one. */
export function storeVerifiedReceipt(db: Db, receipt: Receipt, now: Date): boolean {
  return storeReceipt(db, receipt.recordId, {
    json: JSON.stringify(receipt),
    acceptedAt: now.toISOString(),
    purgeAfter: new Date(now.getTime() + retentionMs(db)).toISOString(),
  });
}

export interface ReceiptImport {
  bundleId: string;
  accepted: number;
  alreadyAccepted: number;
  /** Receipts for records this kiosk does not hold. */
  unknown: number;
}

/** Reads and checks a receipt file as a whole; nothing is stored unless every receipt in it holds. */
export function readReceiptFile(db: Db, credentials: KioskCredentials, file: string): { bundleId: string; receipts: Receipt[]; unknown: number } {
  let parsed: ReceiptFile;
  try {
    parsed = ReceiptFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new GatehouseError('RECEIPT_FILE_MISSING', `There is no receipt file at ${file}.`, { file });
    }
    throw new GatehouseError('RECEIPT_FILE_INVALID', `${file} is not a Gatehouse receipt file.`, { file });
  }
  if (parsed.kioskId !== credentials.identity.kioskId) {
    throw new GatehouseError('RECEIPT_FILE_OTHER_KIOSK', `The receipt file is for kiosk ${parsed.kioskId}, not this kiosk (${credentials.identity.kioskId}).`,
      { kioskId: parsed.kioskId });
  }
  let unknown = 0;
  const receipts: Receipt[] = [];
  for (const receipt of parsed.receipts) {
    const entry = outboxEntry(db, receipt.recordId);
    if (entry === undefined) {
      unknown += 1;
      continue;
    }
    receipts.push(checkReceipt(credentials, receipt, { recordId: entry.recordId, digest: entry.digest }));
  }
  return { bundleId: parsed.bundleId, receipts, unknown };
}

/** Stores the checked receipts of a receipt file (inside the caller's transaction). */
export function storeReceiptFile(db: Db, read: ReturnType<typeof readReceiptFile>, now: Date): ReceiptImport {
  let accepted = 0;
  for (const receipt of read.receipts) if (storeVerifiedReceipt(db, receipt, now)) accepted += 1;
  return { bundleId: read.bundleId, accepted, alreadyAccepted: read.receipts.length - accepted, unknown: read.unknown };
}
