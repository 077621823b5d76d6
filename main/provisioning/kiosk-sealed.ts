// What only this kiosk may read back, sealed for it: an enrollment held for a supervisor, the
// acknowledgement slip kept for reprints. The same envelope as a record (AES-256-GCM, the key
// wrapped with X25519), but to the kiosk's own sealing key and signed by its signing key, so
// that nothing with personal data rests on disk in the clear and nothing changed on disk opens.
import { openSealedRecord, sealRecord, type RecordPart } from '../../protocol/sealed-record.js';
import { GatehouseError } from '../errors.js';
import type { KioskCredentials } from './kiosk-credentials.js';

export interface KioskSealedContent {
  /** What it is about (an enrollment id, a record id); bound into the envelope. */
  id: string;
  /** What kind of content it is; opening refuses another kind. */
  kind: string;
  json: unknown;
  parts: readonly RecordPart[];
}

export function sealForKiosk(credentials: KioskCredentials, content: KioskSealedContent, now: Date): Uint8Array {
  return sealRecord({
    recordId: content.id,
    kioskId: credentials.identity.kioskId,
    createdAt: now.toISOString(),
    kind: content.kind,
    json: content.json,
    parts: content.parts,
    authoritySealingPublicKey: credentials.keys.sealing.publicKey,
    kioskSigningPrivateKey: credentials.keys.signing.privateKey,
  }).bytes;
}

/** Opens what sealForKiosk wrote for `id` as `kind`: signature and key checked, then kind and id. */
export function openForKiosk(credentials: KioskCredentials, envelope: Uint8Array, kind: string, id?: string): { json: unknown; parts: RecordPart[] } {
  const opened = openSealedRecord(envelope, {
    authoritySealingPrivateKey: credentials.keys.sealing.privateKey,
    kioskSigningPublicKey: credentials.keys.signing.publicKey,
  });
  if (opened.header.kind !== kind || (id !== undefined && opened.header.recordId !== id)) {
    // Sealed and signed by this kiosk, but filed under the wrong row: the store was tampered with or damaged.
    throw new GatehouseError('KIOSK_SEALED_MISPLACED', `The kiosk's sealed copy of ${kind} ${id ?? ''} holds ${opened.header.kind} ${opened.header.recordId}.`,
      { kind, id: id ?? null, found: opened.header.kind, foundId: opened.header.recordId });
  }
  return { json: opened.json, parts: opened.parts };
}
