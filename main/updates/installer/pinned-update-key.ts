// The update key the installer trusts, pinned in a file only root can write
// (/var/lib/gatehouse-update/update-key.json). The kiosk pins the authority's update key in its
// own store at provisioning, but the kiosk's service user can write that store: were the installer
// to read the key from there, whoever took over that user could pin a key of their own, sign a
// package with it and have root install it. So a technician copies the key once, as root, right
// after provisioning (`gatehouse-update pin-key`), and from then on the installer believes only
// this file; changing it needs root again (`pin-key --replace`).

import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import { decodePublicKey, encodePublicKey, keyIdOf } from '../../../protocol/keys.js';
import { IsoTime, KeyId, PublicKeyText } from '../../../protocol/wire-fields.js';
import { GatehouseError } from '../../errors.js';
import { readIdentity } from '../../provisioning/kiosk-credentials.js';
import { applyDatabaseKey } from '../../store/database-encryption.js';
import { databaseKeyVaultFor } from '../../store/database-key.js';
import { databasePath } from '../../store/database.js';
import { readOptionalFile, writeReadableFile } from './readable-file.js';

export const PinnedUpdateKey = z.strictObject({
  format: z.literal('gatehouse-update-key'),
  formatVersion: z.literal(1),
  keyId: KeyId,
  /** base64url of the raw Ed25519 public key. */
  publicKey: PublicKeyText,
  pinnedAt: IsoTime,
});
export type PinnedUpdateKey = z.infer<typeof PinnedUpdateKey>;

/** The pinned update key in `file`; UPDATE_INSTALLER_KEY_NOT_PINNED when none was pinned. */
export function readPinnedUpdateKey(file: string): KeyObject {
  const text = readOptionalFile(file);
  if (text === null) {
    throw new GatehouseError('UPDATE_INSTALLER_KEY_NOT_PINNED',
      `No update key is pinned for the installer (${file}); as root, after provisioning, run "gatehouse-update pin-key". Nothing was installed.`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = PinnedUpdateKey.safeParse(json);
  const key = parsed.success ? decodePublicKey('ed25519', parsed.data.publicKey) : null;
  if (!parsed.success || key === null || keyIdOf(key) !== parsed.data.keyId) {
    throw new GatehouseError('UPDATE_INSTALLER_KEY_NOT_PINNED',
      `${file} does not hold a pinned update key; pin it again as root with "gatehouse-update pin-key --replace". Nothing was installed.`, { file });
  }
  return key;
}

/**
 * Pins `publicKey` in `file`. A different key already pinned stays unless `replace` is given
 * (UPDATE_KEY_PIN_CHANGED), so a mistaken pin-key never swaps the key silently.
 */
export function pinUpdateKey(file: string, publicKey: KeyObject, options: { replace: boolean; now: Date }): PinnedUpdateKey {
  const keyId = keyIdOf(publicKey);
  const existing = readOptionalFile(file) === null ? null : keyIdOrNull(file);
  if (existing !== null && existing !== keyId && !options.replace) {
    throw new GatehouseError('UPDATE_KEY_PIN_CHANGED',
      `The installer trusts update key ${existing}; the kiosk holds ${keyId}. If the authority changed its update key, pin the new one with --replace.`,
      { pinned: existing, offered: keyId });
  }
  const pinned: PinnedUpdateKey = { format: 'gatehouse-update-key', formatVersion: 1, keyId, publicKey: encodePublicKey(publicKey), pinnedAt: options.now.toISOString() };
  writeReadableFile(file, `${JSON.stringify(pinned, null, 2)}\n`);
  return pinned;
}

function keyIdOrNull(file: string): string | null {
  try {
    return keyIdOf(readPinnedUpdateKey(file));
  } catch {
    return null;
  }
}

/**
 * The update key the kiosk in `dataDir` pinned at provisioning, read from its store without
 * writing to it (opened read-only with the kiosk's database key: its key file, or the systemd
 * credential when run with one). UPDATE_KEY_NOT_PINNED when the kiosk has none.
 */
export function kioskPinnedUpdateKey(dataDir: string): KeyObject {
  const file = databasePath(dataDir);
  const vault = databaseKeyVaultFor(dataDir);
  const databaseKey = vault.loadDatabaseKey();
  if (databaseKey === null) {
    throw new GatehouseError('DATABASE_KEY_MISSING', `The kiosk store ${file} cannot be read without its key (${vault.description}).`, { file });
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new GatehouseError('UPDATE_KEY_NOT_PINNED', `There is no kiosk store at ${file}; provision the kiosk first (--data names its data folder).`, { file });
  }
  try {
    applyDatabaseKey(db, databaseKey, file, vault.description);
    const { updateKeyId, updatePublicKey } = readIdentity(db)?.authority ?? {};
    const key = updatePublicKey ? decodePublicKey('ed25519', updatePublicKey) : null;
    if (key === null || keyIdOf(key) !== updateKeyId) {
      throw new GatehouseError('UPDATE_KEY_NOT_PINNED',
        `The kiosk in ${path.dirname(file)} has no update key pinned; provision it with an authority that publishes one, then run pin-key again.`, { file });
    }
    return key;
  } finally {
    db.close();
  }
}
