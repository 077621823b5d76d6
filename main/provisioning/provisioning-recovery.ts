// What a technician can do for a kiosk whose stored identity and private keys disagree or whose
// keys are gone (KEY_VAULT_EMPTY / KEY_VAULT_MISMATCH at start): `gatehouse provision --recover`.
//
// What depends on the keys decides the order. Every record in the outbox is sealed to the
// authority and signed by the kiosk's signing key; the authority accepts an envelope only from
// the kiosk whose id it names (record-intake: ENVELOPE_KIOSK_MISMATCH), by upload signed with
// that kiosk's key or in a bundle signed with it. Held enrollments and kept slips are sealed to
// the kiosk's own sealing key. So the only recovery that loses nothing is getting the registered
// keys back: a kiosk key file that matches the stored identity (left by an older build, or from
// a backup) is imported into the store. Without one, a new registration (new token, new keys,
// new kiosk id) makes the kiosk work again, but records sealed under the old identity can no
// longer be sent by it: they stay in the store untouched (a trigger keeps every envelope without
// a receipt) and, so they can reach the authority by other means, are first written as their
// sealed envelopes (still encrypted to the authority and signed by the old kiosk key, which the
// authority holds, so each is verifiable) to a folder the technician names. Enrollments held for
// a supervisor under the old keys cannot be opened by anyone any more; recovery says how many.
import fs from 'node:fs';
import path from 'node:path';
import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { writePrivateFile } from '../store/private-file.js';
import { decodeKioskKeys, privateKeyPem, type KeyVault, type KioskKeys } from './key-vault.js';
import { insertIdentity, keysMatch, loadCredentials, readIdentity, type KioskIdentity } from './kiosk-credentials.js';
import { authorityUrlOf, registerWithAuthority, type RegisterInput } from './provisioning.js';
import { endProvisioningLeaseIn, releaseProvisioningLease, takeProvisioningLease } from './provisioning-lease.js';

export interface RecoverInput {
  /** A kiosk key file to import (a backup); the vault's own key file is always tried. */
  keyFile?: string;
  /** Register anew when no matching key file exists. */
  newRegistration?: RegisterInput & {
    /** Folder for the sealed envelopes of records the old identity never delivered; required when there are any. */
    undeliveredTo?: string;
  };
}

export interface RecoveryOutcome {
  how: 'nothing-to-recover' | 'key-file' | 'new-registration';
  kioskId: string;
  /** The identity given up by a new registration. */
  retiredKioskId: string | null;
  /** Records sealed under the old identity and not delivered, written to `undeliveredTo`. */
  undelivered: number;
  /** Enrollments held for a supervisor, sealed to the lost keys: unreadable. */
  heldUnreadable: number;
}

/** Recovers the kiosk's keys; `commit` runs the change in the caller's transaction (with its audit entry). */
export async function recoverProvisioning(
  db: Db, vault: KeyVault, input: RecoverInput, commit: (change: () => RecoveryOutcome) => RecoveryOutcome, now: () => Date,
): Promise<RecoveryOutcome> {
  const identity = readIdentity(db);
  if (identity === null) {
    throw new GatehouseError('RECOVERY_NOT_PROVISIONED', 'This kiosk was never registered; provision it instead of recovering it.');
  }
  const unchanged = { kioskId: identity.kioskId, retiredKioskId: null, undelivered: 0, heldUnreadable: 0 };
  if (credentialsLoad(db, vault)) return { how: 'nothing-to-recover', ...unchanged };

  if (input.keyFile !== undefined) {
    const keys = decodeKioskKeys(fs.readFileSync(input.keyFile, 'utf8'), input.keyFile);
    if (!keysMatch(identity, keys)) {
      throw new GatehouseError('KEY_FILE_NOT_THIS_KIOSK',
        `${input.keyFile} holds other keys than the ones kiosk ${identity.kioskId} registered with; look for another backup.`,
        { kioskId: identity.kioskId, file: input.keyFile });
    }
    return commit(() => {
      replaceIdentityKeys(db, keys);
      return { how: 'key-file', ...unchanged };
    });
  }

  const undelivered = undeliveredRecordIds(db);
  const heldUnreadable = (db.prepare('SELECT count(*) FROM held_enrollments').pluck().get() as number);
  const registration = input.newRegistration;
  if (registration === undefined) {
    throw new GatehouseError('RECOVERY_NEEDS_KEYS',
      `No key file matching kiosk ${identity.kioskId} was found (${vault.kioskKeyFile}). Restore one from a backup with --key-file FILE; ` +
        `only if there is none, register anew with --authority URL --token T --new-identity` +
        (undelivered.length > 0 ? ` --undelivered-to DIR (${undelivered.length} records were never delivered).` : '.'),
      { kioskId: identity.kioskId, undelivered: undelivered.length, heldUnreadable });
  }
  if (undelivered.length > 0 && registration.undeliveredTo === undefined) {
    throw new GatehouseError('RECOVERY_UNDELIVERED_RECORDS',
      `${undelivered.length} records sealed as kiosk ${identity.kioskId} were never delivered, and the new identity cannot send them. ` +
        'Give --undelivered-to DIR (a USB stick) so their sealed envelopes go to the authority by hand; they also stay on the kiosk.',
      { kioskId: identity.kioskId, undelivered: undelivered.length });
  }
  const authorityUrl = authorityUrlOf(registration.authorityUrl);
  const lease = takeProvisioningLease(db, 'recover', now());
  try {
    const registered = await registerWithAuthority({ ...registration, authorityUrl }, now);
    if (registration.undeliveredTo !== undefined) writeUndelivered(db, identity.kioskId, undelivered, registration.undeliveredTo);
    return commit(() => {
      endProvisioningLeaseIn(db, lease);
      retireIdentity(db, identity, registered.identity.kioskId, now());
      insertIdentity(db, registered.identity, registered.keys);
      return { how: 'new-registration', kioskId: registered.identity.kioskId, retiredKioskId: identity.kioskId, undelivered: undelivered.length, heldUnreadable };
    });
  } finally {
    releaseProvisioningLease(db, lease);
  }
}

/** True when the stored identity's keys load (importing the vault's key file if it matches). */
function credentialsLoad(db: Db, vault: KeyVault): boolean {
  try {
    return loadCredentials(db, vault) !== null;
  } catch (error) {
    if (error instanceof GatehouseError && (error.code === 'KEY_VAULT_EMPTY' || error.code === 'KEY_VAULT_MISMATCH')) return false;
    throw error;
  }
}

function replaceIdentityKeys(db: Db, keys: KioskKeys): void {
  db.prepare('UPDATE kiosk_identity SET signing_private_key = ?, sealing_private_key = ? WHERE singleton = 1')
    .run(privateKeyPem(keys.signing.privateKey), privateKeyPem(keys.sealing.privateKey));
}

function undeliveredRecordIds(db: Db): string[] {
  return db.prepare("SELECT record_id FROM outbox WHERE state IN ('queued', 'sending') ORDER BY created_at").pluck().all() as string[];
}

/** Each envelope as DIR/<old kiosk id>/<record id>.ghsealed, synced, before anything is committed. */
function writeUndelivered(db: Db, kioskId: string, recordIds: readonly string[], directory: string): void {
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw new GatehouseError('EXPORT_FOLDER_MISSING', `There is no folder ${directory}; insert the USB stick and choose its folder.`, { directory });
  }
  const envelope = db.prepare('SELECT envelope FROM sealed_payloads WHERE record_id = ?').pluck();
  for (const recordId of recordIds) {
    writePrivateFile(path.join(directory, kioskId, `${recordId}.ghsealed`), envelope.get(recordId) as Buffer);
  }
}

function retireIdentity(db: Db, identity: KioskIdentity, replacedBy: string, at: Date): void {
  db.prepare(`INSERT INTO retired_kiosk_identities (kiosk_id, name, authority_url, signing_public_key, sealing_public_key, registered_at, retired_at, replaced_by)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(identity.kioskId, identity.name, identity.authorityUrl, identity.signingPublicKey,
    identity.sealingPublicKey, identity.registeredAt, at.toISOString(), replacedBy);
  db.prepare('DELETE FROM kiosk_identity WHERE singleton = 1').run();
}
