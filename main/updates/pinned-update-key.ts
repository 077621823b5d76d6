// The update key this kiosk pinned at provisioning: the only key whose manifests it installs.
// A kiosk registered before the update channel existed has none and refuses every update with
// UPDATE_KEY_NOT_PINNED until it is provisioned again (pinning a key later from something the
// authority sends would let whoever holds the authority's signing key choose the software too).
import type { KeyObject } from 'node:crypto';
import { decodePublicKey, keyIdOf } from '../../protocol/keys.js';
import { GatehouseError } from '../errors.js';
import { readIdentity, type KioskIdentity } from '../provisioning/kiosk-credentials.js';
import type { Db } from '../store/database.js';

/** The pinned update key of `identity`; UPDATE_KEY_NOT_PINNED when it has none. */
export function pinnedUpdateKey(identity: Pick<KioskIdentity, 'authority'>): KeyObject {
  const { updateKeyId, updatePublicKey } = identity.authority;
  if (updateKeyId === undefined || updatePublicKey === undefined) {
    throw new GatehouseError('UPDATE_KEY_NOT_PINNED',
      'This kiosk was provisioned before signed updates existed and has no update key pinned; provision it again to receive updates.');
  }
  const key = decodePublicKey('ed25519', updatePublicKey);
  if (keyIdOf(key) !== updateKeyId) {
    throw new GatehouseError('AUTHORITY_KEYS_INCONSISTENT', 'The pinned update key does not match its key id; the kiosk store was changed.');
  }
  return key;
}

/** The update key pinned in the kiosk store (for the installer, which opens the store itself); null before provisioning. */
export function readPinnedUpdateKey(db: Db): KeyObject | null {
  const identity = readIdentity(db);
  return identity === null ? null : pinnedUpdateKey(identity);
}
