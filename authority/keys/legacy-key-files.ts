// The key files an authority kept in its data directory before its keys moved into the store
// (0600 PKCS#8 PEM, one per purpose). `keys import` moves them into the store once; a replica
// that still finds such files beside keys they do not match refuses to start.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthorityError } from '../authority-error.js';
import type { KeyPair } from '../../protocol/keys.js';
import type { AuthorityKeyPurpose } from '../store/repository.js';

export const LEGACY_KEY_FILES: Record<AuthorityKeyPurpose, string> = {
  signing: 'authority-signing-key.pem',
  sealing: 'authority-sealing-key.pem',
  update: 'authority-update-key.pem',
};

const PURPOSES = Object.keys(LEGACY_KEY_FILES) as AuthorityKeyPurpose[];

async function readKeyFile(file: string): Promise<KeyPair | undefined> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw new AuthorityError(500, 'KEY_FILE_EXPOSED', `${file} can be read by others than its owner; run "chmod 600 ${file}" and check who copied it.`, { file });
  }
  const privateKey = createPrivateKey(await readFile(file));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** Whichever key files `dir` holds, by purpose. */
export async function readLegacyKeyFiles(dir: string): Promise<Partial<Record<AuthorityKeyPurpose, KeyPair>>> {
  const found: Partial<Record<AuthorityKeyPurpose, KeyPair>> = {};
  for (const purpose of PURPOSES) {
    const pair = await readKeyFile(join(dir, LEGACY_KEY_FILES[purpose]));
    if (pair !== undefined) found[purpose] = pair;
  }
  return found;
}

/** All three key files of `dir`; AUTHORITY_KEY_FILES_INCOMPLETE names the missing ones. */
export async function readCompleteLegacyKeyFiles(dir: string): Promise<Record<AuthorityKeyPurpose, KeyPair>> {
  const found = await readLegacyKeyFiles(dir);
  const missing = PURPOSES.filter((purpose) => found[purpose] === undefined);
  if (missing.length > 0) {
    throw new AuthorityError(400, 'AUTHORITY_KEY_FILES_INCOMPLETE',
      `${dir} lacks ${missing.map((purpose) => LEGACY_KEY_FILES[purpose]).join(', ')}; "keys import" takes the three key files of one authority.`, { dir, missing });
  }
  return found as Record<AuthorityKeyPurpose, KeyPair>;
}

export async function removeLegacyKeyFiles(dir: string): Promise<void> {
  for (const purpose of PURPOSES) await rm(join(dir, LEGACY_KEY_FILES[purpose]), { force: true });
}
