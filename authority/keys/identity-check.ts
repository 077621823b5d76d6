// A replica refuses to serve with keys that are not the authority's: its store's published
// documents must be signed with a key it holds, and key files left in its data folder (from
// before the keys moved into the store) must be the keys it holds. Either mismatch means the
// replica was pointed at another authority's store, folder or key-encryption key.
import { AuthorityError } from '../authority-error.js';
import { keyIdOf } from '../../protocol/keys.js';
import type { AuthorityKeyRow, AuthorityRepository, PublishedKind } from '../store/repository.js';
import { readLegacyKeyFiles } from './legacy-key-files.js';

const KINDS: readonly PublishedKind[] = ['station-config', 'operators'];

/** Refuses (AUTHORITY_KEYS_MISMATCH) when a published document was signed with none of `signingKeyIds`. */
export async function checkPublishedSigners(repository: AuthorityRepository, signingKeyIds: readonly string[]): Promise<void> {
  for (const kind of KINDS) {
    const latest = await repository.latestPublished(kind);
    const signer = (latest?.document as { authorityKeyId?: unknown } | undefined)?.authorityKeyId;
    if (latest !== undefined && !signingKeyIds.includes(String(signer))) {
      const loaded = signingKeyIds.at(-1);
      throw new AuthorityError(500, 'AUTHORITY_KEYS_MISMATCH',
        `The published ${kind} (version ${latest.version}) is signed with authority key ${String(signer)}, but the keys here are ${loaded}: `
        + 'this replica is not using the keys of the authority whose store it opened (another data folder, key-encryption key or store?).',
        { kind, documentKeyId: signer, loadedKeyId: loaded });
    }
  }
}

/** Refuses (AUTHORITY_KEYS_MISMATCH) when `dataDir` holds a key file that is not one of `held`. */
export async function checkLeftoverKeyFiles(dataDir: string, held: readonly AuthorityKeyRow[]): Promise<void> {
  for (const [purpose, pair] of Object.entries(await readLegacyKeyFiles(dataDir))) {
    const folderKeyId = keyIdOf(pair.publicKey);
    const ofPurpose = held.filter((row) => row.purpose === purpose);
    if (!ofPurpose.some((row) => row.keyId === folderKeyId)) {
      const storeKeyId = ofPurpose.at(-1)?.keyId;
      throw new AuthorityError(500, 'AUTHORITY_KEYS_MISMATCH',
        `The data folder ${dataDir} holds ${purpose} key ${folderKeyId}, but the authority's ${purpose} key in the store is ${storeKeyId}: `
        + 'the folder belongs to another authority. Move its key files away (or import them into their own store with "keys import").',
        { purpose, folderKeyId, storeKeyId, dataDir });
    }
  }
}
