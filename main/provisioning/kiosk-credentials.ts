// The kiosk's identity as sync and sealing use it: the row stored at registration (kiosk id,
// authority URL, pinned authority keys, and since schema 12 the private keys, in the encrypted
// store), checked to belong together so a swapped key is caught before anything is signed with
// it. A kiosk provisioned before schema 12 has its key file imported into the row at the first open.
// During an authority key rotation (schema 16) the authority keys accepted and sealed to are read
// live from the store: the pinned ones, the ones they replaced, and the ones announced to take over.
import type { KeyObject } from 'node:crypto';
import type { AuthorityPublicKeys } from '../../protocol/api.js';
import type { AuthorityNextKeys } from '../../protocol/key-rotation.js';
import { decodePublicKey, encodePublicKey, keyIdOf } from '../../protocol/keys.js';
import { GatehouseError } from '../errors.js';
import { announcedKeys } from '../sync/authority-documents.js';
import type { Db } from '../store/database.js';
import { keyPairFromPem, privateKeyPem, type KeyVault, type KioskKeys } from './key-vault.js';

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
  /**
   * The authority signing key to verify `document` (a receipt, station configuration, status
   * page…) with: the one it names among the pinned key, the key that pinned key replaced and the
   * key announced to take over; the pinned key when it names none of them (so it fails as before).
   */
  authorityKeyFor(document: unknown): KeyObject;
  /** The authority key to seal a record made at `now` to: the announced next key once it has taken over, else the pinned one. */
  authoritySealingKeyAt(now: Date): KeyObject;
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
  /** NULL for a kiosk registered before schema 15 (it refuses updates until provisioned again). */
  authority_update_key_id: string | null;
  authority_update_public_key: string | null;
  /** The signing key a rotation replaced (schema 16); NULL before the first rotation. */
  authority_previous_signing_key_id: string | null;
  authority_previous_signing_public_key: string | null;
  registered_at: string;
  signing_private_key: string | null;
  sealing_private_key: string | null;
}

function identityRow(db: Db): IdentityRow | undefined {
  return db.prepare('SELECT * FROM kiosk_identity WHERE singleton = 1').get() as IdentityRow | undefined;
}

export function readIdentity(db: Db): KioskIdentity | null {
  const row = identityRow(db);
  return row === undefined ? null : identityOf(row);
}

function identityOf(row: IdentityRow): KioskIdentity {
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
      ...(row.authority_update_key_id === null || row.authority_update_public_key === null
        ? {}
        : { updateKeyId: row.authority_update_key_id, updatePublicKey: row.authority_update_public_key }),
    },
    registeredAt: row.registered_at,
  };
}

/**
 * Stores the identity with its private keys (in the caller's transaction, so both commit or
 * neither); a kiosk has one identity, so a second one is refused by the schema. Without `keys`
 * the row waits for its key file to be imported (what a kiosk provisioned before schema 12 has).
 */
export function insertIdentity(db: Db, identity: KioskIdentity, keys?: KioskKeys): void {
  db.prepare(`INSERT INTO kiosk_identity (singleton, kiosk_id, code, name, authority_url, signing_public_key, sealing_public_key,
      authority_signing_key_id, authority_signing_public_key, authority_sealing_key_id, authority_sealing_public_key, registered_at,
      signing_private_key, sealing_private_key, authority_update_key_id, authority_update_public_key)
    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    identity.kioskId, identity.code, identity.name, identity.authorityUrl, identity.signingPublicKey, identity.sealingPublicKey,
    identity.authority.signingKeyId, identity.authority.signingPublicKey, identity.authority.sealingKeyId,
    identity.authority.sealingPublicKey, identity.registeredAt,
    keys ? privateKeyPem(keys.signing.privateKey) : null, keys ? privateKeyPem(keys.sealing.privateKey) : null,
    identity.authority.updateKeyId ?? null, identity.authority.updatePublicKey ?? null,
  );
}

/** Whether `keys` are the ones `identity` was registered with. */
export function keysMatch(identity: KioskIdentity, keys: KioskKeys): boolean {
  return encodePublicKey(keys.signing.publicKey) === identity.signingPublicKey && encodePublicKey(keys.sealing.publicKey) === identity.sealingPublicKey;
}

/** Stores `keys` for the identity that has none yet (import of a key file); false when it has some already. */
export function storeIdentityKeys(db: Db, keys: KioskKeys): boolean {
  return db.prepare(`UPDATE kiosk_identity SET signing_private_key = ?, sealing_private_key = ?
    WHERE singleton = 1 AND signing_private_key IS NULL`).run(privateKeyPem(keys.signing.privateKey), privateKeyPem(keys.sealing.privateKey)).changes === 1;
}

/** The pinned authority keys (the update key checked too, when pinned), refused when a key does not match the id it was pinned under. */
export function pinnedAuthorityKeys(authority: AuthorityPublicKeys): { signing: KeyObject; sealing: KeyObject } {
  const signing = decodePublicKey('ed25519', authority.signingPublicKey);
  const sealing = decodePublicKey('x25519', authority.sealingPublicKey);
  const update = authority.updatePublicKey === undefined ? null : decodePublicKey('ed25519', authority.updatePublicKey);
  if (keyIdOf(signing) !== authority.signingKeyId || keyIdOf(sealing) !== authority.sealingKeyId
    || (update !== null && keyIdOf(update) !== authority.updateKeyId)) {
    throw new GatehouseError('AUTHORITY_KEYS_INCONSISTENT',
      'The authority keys do not match their key ids; the answer did not come from a genuine authority. Check the authority URL.');
  }
  return { signing, sealing };
}

const RECOVER_HINT = 'Run "gatehouse provision --recover" (see the README, "Recovering a kiosk").';

/**
 * Identity and private keys together; null before provisioning. A row without keys (provisioned
 * before schema 12) takes them from the vault's kiosk key file when they match, which is then
 * deleted: its keys are in the encrypted store now. KEY_VAULT_EMPTY / KEY_VAULT_MISMATCH when
 * there are no keys that belong to the stored identity.
 */
export function loadCredentials(db: Db, vault: KeyVault): KioskCredentials | null {
  const row = identityRow(db);
  if (row === undefined) return null;
  const identity = identityOf(row);
  const keys = keysOf(row) ?? importKioskKeyFile(db, vault, identity);
  if (!keysMatch(identity, keys)) {
    throw new GatehouseError('KEY_VAULT_MISMATCH',
      `The private keys stored for kiosk ${identity.kioskId} are not the keys it registered with. ${RECOVER_HINT}`, { kioskId: identity.kioskId });
  }
  const pinned = pinnedAuthorityKeys(identity.authority);
  return {
    identity, keys, authoritySigningKey: pinned.signing, authoritySealingKey: pinned.sealing,
    authorityKeyFor(document) {
      const named = (document as { authorityKeyId?: unknown } | null)?.authorityKeyId;
      return typeof named === 'string' ? acceptedSigningKeys(db).get(named) ?? pinned.signing : pinned.signing;
    },
    authoritySealingKeyAt(now) {
      const next = announcedKeys(db);
      return next !== null && Date.parse(next.takesOverAt) <= now.getTime() ? decodeChecked('x25519', next.sealingPublicKey, next.sealingKeyId) : pinned.sealing;
    },
  };
}

/** A public key checked against the id it is known by (AUTHORITY_KEYS_INCONSISTENT when they differ). */
function decodeChecked(kind: 'ed25519' | 'x25519', text: string, keyId: string): KeyObject {
  const key = decodePublicKey(kind, text);
  if (keyIdOf(key) !== keyId) {
    throw new GatehouseError('AUTHORITY_KEYS_INCONSISTENT',
      'The authority keys do not match their key ids; the answer did not come from a genuine authority. Check the authority URL.');
  }
  return key;
}

/** The authority signing keys accepted now, by key id: pinned (as stored now), replaced and announced. */
function acceptedSigningKeys(db: Db): Map<string, KeyObject> {
  const accepted = new Map<string, KeyObject>();
  const row = identityRow(db);
  if (row !== undefined) {
    accepted.set(row.authority_signing_key_id, decodeChecked('ed25519', row.authority_signing_public_key, row.authority_signing_key_id));
    if (row.authority_previous_signing_key_id !== null && row.authority_previous_signing_public_key !== null) {
      accepted.set(row.authority_previous_signing_key_id,
        decodeChecked('ed25519', row.authority_previous_signing_public_key, row.authority_previous_signing_key_id));
    }
  }
  const next = announcedKeys(db);
  if (next !== null) accepted.set(next.signingKeyId, decodeChecked('ed25519', next.signingPublicKey, next.signingKeyId));
  return accepted;
}

/**
 * Pins the announced keys once they have taken over, keeping the signing key they replace as the
 * previous one (in the caller's transaction); the key ids adopted, or null when there was nothing to adopt.
 */
export function adoptAnnouncedKeys(db: Db, next: AuthorityNextKeys, now: Date): { replaced: string } | null {
  if (Date.parse(next.takesOverAt) > now.getTime()) return null;
  decodeChecked('ed25519', next.signingPublicKey, next.signingKeyId);
  decodeChecked('x25519', next.sealingPublicKey, next.sealingKeyId);
  const row = identityRow(db);
  if (row === undefined || row.authority_signing_key_id === next.signingKeyId) return null;
  db.prepare(`UPDATE kiosk_identity SET authority_previous_signing_key_id = authority_signing_key_id,
      authority_previous_signing_public_key = authority_signing_public_key, authority_signing_key_id = ?, authority_signing_public_key = ?,
      authority_sealing_key_id = ?, authority_sealing_public_key = ? WHERE singleton = 1`)
    .run(next.signingKeyId, next.signingPublicKey, next.sealingKeyId, next.sealingPublicKey);
  return { replaced: row.authority_signing_key_id };
}

function keysOf(row: IdentityRow): KioskKeys | null {
  if (row.signing_private_key === null || row.sealing_private_key === null) return null;
  return {
    signing: keyPairFromPem(row.signing_private_key, 'ed25519', 'the kiosk store'),
    sealing: keyPairFromPem(row.sealing_private_key, 'x25519', 'the kiosk store'),
  };
}

function importKioskKeyFile(db: Db, vault: KeyVault, identity: KioskIdentity): KioskKeys {
  const keys = vault.loadKioskKeyFile();
  if (keys === null) {
    throw new GatehouseError('KEY_VAULT_EMPTY',
      `This kiosk is registered as ${identity.kioskId}, but its keys are neither in its store nor in ${vault.kioskKeyFile}. ${RECOVER_HINT}`,
      { kioskId: identity.kioskId });
  }
  if (!keysMatch(identity, keys)) {
    throw new GatehouseError('KEY_VAULT_MISMATCH',
      `The keys in ${vault.kioskKeyFile} are not the keys kiosk ${identity.kioskId} registered with. ${RECOVER_HINT}`,
      { kioskId: identity.kioskId });
  }
  // Another process may import the same file at the same moment: the row is only filled once.
  db.transaction(() => storeIdentityKeys(db, keys)).immediate();
  vault.removeKioskKeyFile();
  return keys;
}
