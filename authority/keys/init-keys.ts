// Creating the authority's one identity in its store, the only two ways there are: fresh keys
// (`keys init`) or the key files of an authority from before keys lived in the store (`keys
// import`, which removes the files once the store holds them). Either also publishes version 1 of
// the station configuration and operator list, so replicas started together all find them.
import { mkdir } from 'node:fs/promises';
import { AuthorityError } from '../authority-error.js';
import { openAuthority } from '../authority.js';
import { addFirstGeneration, createAuthorityKeys, refuseHeldKeys } from '../authority-keys.js';
import { keyIdOf } from '../../protocol/keys.js';
import { openRepository } from '../store/open-repository.js';
import type { AuthorityKeyRow, AuthorityRepository } from '../store/repository.js';
import { checkPublishedSigners } from './identity-check.js';
import { configuredOrNewCustody } from './kek-source.js';
import type { KeyCustody } from './key-custody.js';
import { readCompleteLegacyKeyFiles, readLegacyKeyFiles, removeLegacyKeyFiles } from './legacy-key-files.js';

export interface InitKeysOptions {
  dataDir: string;
  database?: string;
  /** The custody to protect the keys with; else the configured KEK, else a new KEK file in the data directory. */
  custody?: KeyCustody;
  kekFile?: string;
}

export interface KeysCreated {
  keys: AuthorityKeyRow[];
  /** The KEK file written because no KEK was configured. */
  kekFile?: string;
}

/** A store without keys whose documents an authority from before keys lived in the store signed: its key files belong in it. */
async function refuseStoreOfOlderAuthority(repository: AuthorityRepository): Promise<void> {
  const published = await repository.latestPublished('station-config');
  if (published !== undefined && (await repository.listAuthorityKeys()).length === 0) {
    const signer = (published.document as { authorityKeyId?: unknown }).authorityKeyId;
    throw new AuthorityError(409, 'AUTHORITY_KEY_FILES_EXPECTED',
      `This store's documents are signed with authority key ${String(signer)}, whose key files are in the data folder of the authority that used it: move them in with "keys import --from DIR".`,
      { documentKeyId: signer });
  }
}

/** Runs `check` (which refuses or gives what `add` needs), then resolves the custody (maybe writing a KEK file), then `add`. */
async function createIn<T>(
  options: InitKeysOptions,
  check: (repository: AuthorityRepository) => Promise<T>,
  add: (repository: AuthorityRepository, custody: KeyCustody, checked: T) => Promise<AuthorityKeyRow[]>,
): Promise<KeysCreated> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const repository = await openRepository(options.dataDir, options.database);
  let custody: KeyCustody;
  let created: KeysCreated;
  try {
    // Before a KEK file is written: a folder pointed at a store with keys must not get a KEK of its own.
    await refuseHeldKeys(repository);
    const checked = await check(repository);
    const configured = options.custody === undefined ? await configuredOrNewCustody(options) : { custody: options.custody };
    custody = configured.custody;
    created = { keys: await add(repository, custody, checked), ...(configured.createdFile === undefined ? {} : { kekFile: configured.createdFile }) };
  } finally {
    await repository.close();
  }
  await (await openAuthority({ dataDir: options.dataDir, database: options.database, custody })).close();
  return created;
}

/** `keys init`: fresh keys; refused when the store holds keys or the data directory holds key files to import. */
export async function initAuthorityKeys(options: InitKeysOptions): Promise<KeysCreated> {
  if (Object.keys(await readLegacyKeyFiles(options.dataDir)).length > 0) {
    throw new AuthorityError(409, 'AUTHORITY_KEY_FILES_PRESENT',
      `${options.dataDir} holds the key files of an authority from before keys were kept in the store: move them in with "keys import" instead of making new keys.`,
      { dataDir: options.dataDir });
  }
  return createIn(options, refuseStoreOfOlderAuthority, (repository, custody) => createAuthorityKeys(repository, custody, new Date()));
}

/** `keys import`: the three key files of `from` become the store's keys (refused when they did not sign its documents), then are removed. */
export async function importAuthorityKeyFiles(options: InitKeysOptions, from: string): Promise<KeysCreated> {
  return createIn(options, async (repository) => {
    const files = await readCompleteLegacyKeyFiles(from);
    await checkPublishedSigners(repository, [keyIdOf(files.signing.publicKey)]);
    return files;
  }, async (repository, custody, files) => {
    const keys = await addFirstGeneration(repository, custody, new Date(), files);
    await removeLegacyKeyFiles(from);
    return keys;
  });
}
