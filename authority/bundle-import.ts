// Offline bundle import: each envelope of a kiosk's signed export bundle goes through the same
// intake as an upload, so records already held count as duplicates, not errors; the receipts of
// every record held from the bundle make the receipt file a supervisor carries back to the kiosk.
import { AuthorityError } from './authority-error.js';
import type { Authority } from './authority.js';
import { readBundle } from '../protocol/bundle.js';
import { decodePublicKey } from '../protocol/keys.js';
import type { ReceiptFile } from '../protocol/receipt.js';
import { acceptEnvelope } from './record-intake.js';
import type { KioskRow } from './store/repository.js';

export interface BundleImport {
  bundleId: string;
  kioskId: string;
  stored: string[];
  duplicates: string[];
  refused: Array<{ recordId: string; code: string; message: string }>;
  receipts: ReceiptFile;
}

export async function importBundle(authority: Authority, file: string): Promise<BundleImport> {
  let kiosk: KioskRow | undefined;
  const outcome: Pick<BundleImport, 'stored' | 'duplicates' | 'refused'> & { receipts: ReceiptFile['receipts'] } =
    { stored: [], duplicates: [], refused: [], receipts: [] };
  const { manifest, damaged } = await readBundle(file, {
    async kioskSigningPublicKey(kioskId) {
      kiosk = await authority.repository.findKiosk(kioskId);
      if (kiosk === undefined) {
        throw new AuthorityError(422, 'KIOSK_UNKNOWN', `The bundle comes from kiosk ${kioskId}, which is not registered here.`, { kioskId });
      }
      if (kiosk.revokedAt !== null) {
        throw new AuthorityError(403, 'KEY_REVOKED', `The bundle comes from kiosk ${kioskId}, revoked at ${kiosk.revokedAt}.`, { kioskId });
      }
      return decodePublicKey('ed25519', kiosk.signingPublicKey);
    },
    async onRecord(entry, envelope) {
      try {
        const intake = await acceptEnvelope(authority, kiosk!, entry.recordId, envelope);
        (intake.created ? outcome.stored : outcome.duplicates).push(entry.recordId);
        outcome.receipts.push(intake.stored.receipt);
      } catch (error) {
        if (!(error instanceof AuthorityError)) throw error;
        outcome.refused.push({ recordId: entry.recordId, code: error.code, message: error.message });
      }
    },
  });
  return {
    bundleId: manifest.bundleId,
    kioskId: manifest.kioskId,
    stored: outcome.stored,
    duplicates: outcome.duplicates,
    refused: [...outcome.refused, ...damaged],
    receipts: { format: 'gatehouse-receipts', version: 1, bundleId: manifest.bundleId, kioskId: manifest.kioskId, receipts: outcome.receipts },
  };
}
