// The authority's own keys: an Ed25519 signing key (receipts, published documents), an X25519
// sealing key (kiosks wrap record keys to it) and an Ed25519 update key (update manifests only, so
// that the key answering every kiosk request cannot also make kiosks install software), created on
// first start as 0600 PKCS#8 PEM files in the data directory and refused if anyone but the owner
// can read them.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthorityError } from './authority-error.js';
import type { AuthorityPublicKeys } from '../protocol/api.js';
import { encodePublicKey, generateSealingKeyPair, generateSigningKeyPair, keyIdOf, type KeyPair } from '../protocol/keys.js';

export interface AuthorityKeys {
  signing: KeyPair;
  sealing: KeyPair;
  update: KeyPair;
  /** What a kiosk pins at registration. */
  published: AuthorityPublicKeys;
}

export const SIGNING_KEY_FILE = 'authority-signing-key.pem';
const SEALING_KEY_FILE = 'authority-sealing-key.pem';
const UPDATE_KEY_FILE = 'authority-update-key.pem';

export async function loadOrCreateAuthorityKeys(dataDir: string): Promise<AuthorityKeys> {
  const signing = await loadOrCreate(join(dataDir, SIGNING_KEY_FILE), generateSigningKeyPair);
  const sealing = await loadOrCreate(join(dataDir, SEALING_KEY_FILE), generateSealingKeyPair);
  const update = await loadOrCreate(join(dataDir, UPDATE_KEY_FILE), generateSigningKeyPair);
  return {
    signing,
    sealing,
    update,
    published: {
      signingKeyId: keyIdOf(signing.publicKey),
      signingPublicKey: encodePublicKey(signing.publicKey),
      sealingKeyId: keyIdOf(sealing.publicKey),
      sealingPublicKey: encodePublicKey(sealing.publicKey),
      updateKeyId: keyIdOf(update.publicKey),
      updatePublicKey: encodePublicKey(update.publicKey),
    },
  };
}

async function loadOrCreate(file: string, generate: () => KeyPair): Promise<KeyPair> {
  const fresh = generate();
  try {
    await writeFile(file, fresh.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (((await stat(file)).mode & 0o077) !== 0) {
    throw new AuthorityError(500, 'KEY_FILE_EXPOSED', `${file} can be read by others than its owner; run "chmod 600 ${file}" and check who copied it.`,
      { file });
  }
  const privateKey: KeyObject = createPrivateKey(await readFile(file));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
