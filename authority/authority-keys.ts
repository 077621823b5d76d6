// The authority's own keys: an Ed25519 signing key (receipts, published documents), an X25519
// sealing key (kiosks wrap record keys to it) and an Ed25519 update key (update manifests only, so
// that the key answering every kiosk request cannot also make kiosks install software). They are
// held once, in the store, for every replica, their private halves protected by a key custody
// (key-custody.ts); `keys init` creates them, nothing else does. A rotation adds a generation
// (signing + sealing) that takes over at a set time; envelopes sealed to any generation still open.
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { AuthorityError } from './authority-error.js';
import type { KeyCustody } from './keys/key-custody.js';
import type { AuthorityPublicKeys } from '../protocol/api.js';
import type { AuthorityNextKeys } from '../protocol/key-rotation.js';
import { encodePublicKey, generateSealingKeyPair, generateSigningKeyPair, keyIdOf, type KeyPair } from '../protocol/keys.js';
import type { AuthorityKeyPurpose, AuthorityKeyRow, AuthorityRepository } from './store/repository.js';

interface Generation {
  number: number;
  activeFrom: string;
  signing: KeyPair;
  sealing: KeyPair;
  update?: KeyPair;
}

export interface AuthorityKeys {
  /** The signing, sealing and update keys in use now (by the authority's clock). */
  readonly signing: KeyPair;
  readonly sealing: KeyPair;
  readonly update: KeyPair;
  /** What a kiosk pins at registration: the keys in use now. */
  readonly published: AuthorityPublicKeys;
  /** The generation announced to take over later, if a rotation is under way. */
  readonly next: AuthorityNextKeys | undefined;
  /** Every signing key id this authority holds, oldest first. */
  readonly signingKeyIds: readonly string[];
  /** The private sealing key with this id, of any generation (read again from the store when unknown); undefined when none. */
  sealingKeyFor(keyId: string): Promise<KeyObject | undefined>;
  /** Reads the generations again (a rotation made by another process). */
  refresh(): Promise<void>;
}

/** How long a replica goes without reading the key generations again while it takes records in. */
const REFRESH_MS = 60_000;

/** A generation's keys as the store rows, private keys protected by `custody`. */
function rowsOf(custody: KeyCustody, generation: number, keys: Partial<Record<AuthorityKeyPurpose, KeyPair>>, createdAt: string, activeFrom: string): AuthorityKeyRow[] {
  return (Object.entries(keys) as [AuthorityKeyPurpose, KeyPair][]).map(([purpose, pair]) => {
    const keyId = keyIdOf(pair.publicKey);
    return {
      keyId, generation, purpose, publicKey: encodePublicKey(pair.publicKey), custody: custody.name,
      protectedPrivateKey: custody.protect(keyId, pair.privateKey), createdAt, activeFrom,
    };
  });
}

/** The private key of `row`, checked to be the key the row names. */
function recoverPair(custody: KeyCustody, row: AuthorityKeyRow): KeyPair {
  if (row.custody !== custody.name) {
    throw new AuthorityError(500, 'AUTHORITY_KEY_CUSTODY',
      `The authority key ${row.keyId} is kept by custody "${row.custody}", but this replica is configured with "${custody.name}".`,
      { keyId: row.keyId, custody: row.custody, configured: custody.name });
  }
  const privateKey = custody.recover(row.keyId, row.protectedPrivateKey);
  const publicKey = createPublicKey(privateKey);
  if (keyIdOf(publicKey) !== row.keyId || encodePublicKey(publicKey) !== row.publicKey) {
    throw new AuthorityError(500, 'AUTHORITY_KEY_DAMAGED', `The stored private key ${row.keyId} is not the key its row names; restore the store from a backup.`, { keyId: row.keyId });
  }
  return { privateKey, publicKey };
}

function generationsOf(custody: KeyCustody, rows: readonly AuthorityKeyRow[]): Generation[] {
  const byNumber = new Map<number, Partial<Record<AuthorityKeyPurpose, KeyPair>> & { activeFrom: string }>();
  for (const row of rows) {
    const generation = byNumber.get(row.generation) ?? { activeFrom: row.activeFrom };
    generation[row.purpose] = recoverPair(custody, row);
    byNumber.set(row.generation, generation);
  }
  return [...byNumber.entries()].sort(([a], [b]) => a - b).map(([number, { activeFrom, signing, sealing, update }]) => {
    if (signing === undefined || sealing === undefined) {
      throw new AuthorityError(500, 'AUTHORITY_KEY_DAMAGED', `Key generation ${number} lacks its signing or sealing key; restore the store from a backup.`, { generation: number });
    }
    return { number, activeFrom, signing, sealing, ...(update === undefined ? {} : { update }) };
  });
}

const keysMissing = (): AuthorityError => new AuthorityError(500, 'AUTHORITY_KEYS_MISSING',
  'The authority store holds no keys: run "gatehouse-authority keys init" once (or "keys import" to move the key files of an existing authority into the store).');

/** The keys held in the store, opened with the custody `custodyOf` gives; AUTHORITY_KEYS_MISSING (before any custody is asked for) when there are none. */
export async function loadAuthorityKeys(repository: AuthorityRepository, custodyOf: () => Promise<KeyCustody>, clock: () => Date): Promise<AuthorityKeys> {
  const rows = await repository.listAuthorityKeys();
  if (rows.length === 0) throw keysMissing();
  const custody = await custodyOf();
  let generations = generationsOf(custody, rows);
  let readAt = performance.now();
  const refresh = async (): Promise<void> => {
    generations = generationsOf(custody, await repository.listAuthorityKeys());
    readAt = performance.now();
  };
  const current = (): Generation => {
    const now = clock().toISOString();
    return generations.findLast((g) => g.activeFrom <= now) ?? generations[0]!;
  };
  const updateKey = (): KeyPair => generations.findLast((g) => g.update !== undefined)!.update!;
  return {
    get signing() { return current().signing; },
    get sealing() { return current().sealing; },
    get update() { return updateKey(); },
    get published() {
      const { signing, sealing } = current();
      const update = updateKey();
      return {
        signingKeyId: keyIdOf(signing.publicKey), signingPublicKey: encodePublicKey(signing.publicKey),
        sealingKeyId: keyIdOf(sealing.publicKey), sealingPublicKey: encodePublicKey(sealing.publicKey),
        updateKeyId: keyIdOf(update.publicKey), updatePublicKey: encodePublicKey(update.publicKey),
      };
    },
    get next() {
      const now = clock().toISOString();
      const next = generations.find((g) => g.number > current().number && g.activeFrom > now);
      return next && {
        signingKeyId: keyIdOf(next.signing.publicKey), signingPublicKey: encodePublicKey(next.signing.publicKey),
        sealingKeyId: keyIdOf(next.sealing.publicKey), sealingPublicKey: encodePublicKey(next.sealing.publicKey),
        takesOverAt: next.activeFrom,
      };
    },
    get signingKeyIds() { return generations.map((g) => keyIdOf(g.signing.publicKey)); },
    async sealingKeyFor(keyId) {
      const find = () => generations.find((g) => keyIdOf(g.sealing.publicKey) === keyId)?.sealing.privateKey;
      // Records come in steadily, so this is also how a running replica learns of a rotation in time to switch.
      if (find() === undefined || performance.now() - readAt > REFRESH_MS) await refresh();
      return find();
    },
    refresh,
  };
}

/** `keys init`: the first generation (signing, sealing, update); AUTHORITY_KEYS_EXIST when the store holds keys already. */
export async function createAuthorityKeys(repository: AuthorityRepository, custody: KeyCustody, now: Date): Promise<AuthorityKeyRow[]> {
  return addFirstGeneration(repository, custody, now, { signing: generateSigningKeyPair(), sealing: generateSealingKeyPair(), update: generateSigningKeyPair() });
}

/** Stores `keys` as generation 1, refused when any generation exists. */
export async function addFirstGeneration(
  repository: AuthorityRepository, custody: KeyCustody, now: Date, keys: Record<AuthorityKeyPurpose, KeyPair>,
): Promise<AuthorityKeyRow[]> {
  const at = now.toISOString();
  const rows = rowsOf(custody, 1, keys, at, at);
  if (!(await repository.addAuthorityKeys(rows))) await refuseHeldKeys(repository);
  return rows;
}

/** AUTHORITY_KEYS_EXIST when the store holds keys: they are made once per authority. */
export async function refuseHeldKeys(repository: AuthorityRepository): Promise<void> {
  const held = (await repository.listAuthorityKeys()).find((row) => row.purpose === 'signing')?.keyId;
  if (held !== undefined) {
    throw new AuthorityError(409, 'AUTHORITY_KEYS_EXIST',
      `The authority store holds keys already (signing key ${held}); "keys init" runs once per authority, and every replica uses those keys.`, { signingKeyId: held });
  }
}

/**
 * `keys rotate`: a new signing and sealing key that take over `overlapDays` from `now`; until then
 * the current keys stay in use. AUTHORITY_ROTATION_PENDING while an earlier rotation has not taken over.
 */
export async function addNextGeneration(repository: AuthorityRepository, custody: KeyCustody, now: Date, overlapDays: number): Promise<AuthorityKeyRow[]> {
  const held = await repository.listAuthorityKeys();
  if (held.length === 0) throw keysMissing();
  // The first generation is in use from the start, whatever clock made it.
  const pending = held.find((row) => row.generation > 1 && row.activeFrom > now.toISOString());
  if (pending !== undefined) {
    throw new AuthorityError(409, 'AUTHORITY_ROTATION_PENDING',
      `Key generation ${pending.generation} takes over at ${pending.activeFrom}; rotate again after that.`, { generation: pending.generation, takesOverAt: pending.activeFrom });
  }
  const generation = Math.max(...held.map((row) => row.generation)) + 1;
  const takesOver = new Date(now.getTime() + overlapDays * 86_400_000).toISOString();
  const rows = rowsOf(custody, generation, { signing: generateSigningKeyPair(), sealing: generateSealingKeyPair() }, now.toISOString(), takesOver);
  if (!(await repository.addAuthorityKeys(rows))) {
    throw new AuthorityError(409, 'AUTHORITY_ROTATION_PENDING', `Key generation ${generation} was added at the same moment by someone else.`, { generation });
  }
  return rows;
}
