// The kiosk's identity as sync and sealing use it: the row stored at registration (kiosk id,
// authority URL, pinned authority keys) joined with the private keys from the vault, checked
// to belong together so a swapped key file is caught before anything is signed with it.
import type { KeyObject } from 'node:crypto';
import type { AuthorityPublicKeys } from '../../authority/protocol/api.js';
import { decodePublicKey, encodePublicKey, keyIdOf } from '../../authority/protocol/keys.js';
import { GatehouseError } from '../errors.js';
import type { Db } from '../store/database.js';
import type { KeyVault, KioskKeys } from './key-vault.js';

export interface KioskIdentity {
  kioskId: string;
  /** The authority's short code for this kiosk, the first part of its enrollment numbers; null if registered before codes existed. */
  code: string | null;
  name: string;
  authorityUrl: string;
  signingPublicKey: string;
  sealingPublicKey: string;
  authority: AuthorityPublicKeys;
  registeredAt: string;
}

export interface KioskCredentials {
  identity: KioskIdentity;
  keys: KioskKeys;
  /** The authority's keys pinned at registration. */
  authoritySigningKey: KeyObject;
  authoritySealingKey: KeyObject;
}

interface IdentityRow {
  kiosk_id: string;
  code: string | null;
  name: string;
  authority_url: string;
  signing_public_key: string;
  sealing_public_key: string;
  authority_signing_key_id: string;
  authority_signing_public_key: string;
  authority_sealing_key_id: string;
  authority_sealing_public_key: string;
  registered_at: string;
}

export function readIdentity(db: Db): KioskIdentity | null {
  const row = db.prepare('SELECT * FROM kiosk_identity WHERE singleton = 1').get() as IdentityRow | undefined;
  if (row === undefined) return null;
  return {
    kioskId: row.kiosk_id,
    code: row.code,
    name: row.name,
    authorityUrl: row.authority_url,
    signingPublicKey: row.signing_public_key,
    sealingPublicKey: row.sealing_public_key,
    authority: {
      signingKeyId: row.authority_signing_key_id,
      signingPublicKey: row.authority_signing_public_key,
      sealingKeyId: row.authority_sealing_key_id,
      sealingPublicKey: row.authority_sealing_public_key,
    },
    registeredAt: row.registered_at,
  };
}

/** Stores the identity; a kiosk is provisioned once, so a second one is refused by the schema. */
export function insertIdentity(db: Db, identity: KioskIdentity): void {
  db.prepare(`INSERT INTO kiosk_identity (singleton, kiosk_id, code, name, authority_url, signing_public_key, sealing_public_key,
      authority_signing_key_id, authority_signing_public_key, authority_sealing_key_id, authority_sealing_public_key, registered_at)
    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    identity.kioskId, identity.code, identity.name, identity.authorityUrl, identity.signingPublicKey, identity.sealingPublicKey,
    identity.authority.signingKeyId, identity.authority.signingPublicKey, identity.authority.sealingKeyId,
    identity.authority.sealingPublicKey, identity.registeredAt,
  );
}

/** The pinned authority keys, refused when a key does not match the id it was pinned under. */
export function pinnedAuthorityKeys(authority: AuthorityPublicKeys): { signing: KeyObject; sealing: KeyObject } {
  const signing = decodePublicKey('ed25519', authority.signingPublicKey);
  const sealing = decodePublicKey('x25519', authority.sealingPublicKey);
  if (keyIdOf(signing) !== authority.signingKeyId || keyIdOf(sealing) !== authority.sealingKeyId) {
    throw new GatehouseError('AUTHORITY_KEYS_INCONSISTENT',
      'The authority keys do not match their key ids; the answer did not come from a genuine authority. Check the authority URL.');
  }
  return { signing, sealing };
}

/** Identity and vault keys together; null before provisioning. */
export function loadCredentials(db: Db, vault: KeyVault): KioskCredentials | null {
  const identity = readIdentity(db);
  if (identity === null) return null;
  const keys = vault.load();
  if (keys === null) {
    throw new GatehouseError('KEY_VAULT_EMPTY',
      `This kiosk is registered as ${identity.kioskId}, but its keys are missing from ${vault.description}; restore them or provision the kiosk again.`,
      { kioskId: identity.kioskId });
  }
  if (encodePublicKey(keys.signing.publicKey) !== identity.signingPublicKey || encodePublicKey(keys.sealing.publicKey) !== identity.sealingPublicKey) {
    throw new GatehouseError('KEY_VAULT_MISMATCH',
      `The keys in ${vault.description} are not the keys kiosk ${identity.kioskId} registered with; restore the right key file or provision again.`,
      { kioskId: identity.kioskId });
  }
  const pinned = pinnedAuthorityKeys(identity.authority);
  return { identity, keys, authoritySigningKey: pinned.signing, authoritySealingKey: pinned.sealing };
}
