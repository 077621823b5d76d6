// Audit checkpoints from kiosks: each one signed by the kiosk key over its audit-log head and kept
// per (kiosk, seq). The same checkpoint again is accepted as already held; a different head for a
// sequence number already held is refused, since it means the kiosk's log was rewritten.
import { AuthorityError } from './authority-error.js';
import { nowIso, type Authority } from './authority.js';
import type { AuditCheckpointStored } from '../protocol/api.js';
import { verifyAuditCheckpoint, type AuditCheckpoint } from '../protocol/audit-checkpoint.js';
import { decodePublicKey } from '../protocol/keys.js';
import type { KioskRow } from './store/repository.js';

export async function storeAuditCheckpoint(
  authority: Authority, kiosk: KioskRow, checkpoint: AuditCheckpoint,
): Promise<{ created: boolean; response: AuditCheckpointStored }> {
  if (checkpoint.kioskId !== kiosk.id) {
    throw new AuthorityError(422, 'CHECKPOINT_KIOSK_MISMATCH', `The checkpoint is for kiosk ${checkpoint.kioskId}, not the kiosk sending it.`);
  }
  const verified = verifyAuditCheckpoint(checkpoint, decodePublicKey('ed25519', kiosk.signingPublicKey));
  if (!verified.ok) throw new AuthorityError(422, 'CHECKPOINT_SIGNATURE_INVALID', verified.message);
  const { row: stored, created } = await authority.repository.storeCheckpoint({ ...checkpoint, receivedAt: nowIso(authority) });
  if (stored.headHash !== checkpoint.headHash) {
    throw new AuthorityError(422, 'CHECKPOINT_CONFLICT',
      `Kiosk ${kiosk.id} already reported audit entry ${checkpoint.seq} with another hash; its audit log has changed since. Investigate the kiosk.`,
      { seq: checkpoint.seq, heldHash: stored.headHash, headHash: checkpoint.headHash });
  }
  return {
    created,
    response: { status: 'stored', kioskId: stored.kioskId, seq: stored.seq, headHash: stored.headHash, receivedAt: stored.receivedAt },
  };
}
