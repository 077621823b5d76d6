// Where the kiosk's secrets are kept outside its store. Since schema 12 the kiosk's Ed25519
// signing and X25519 sealing keys live in the encrypted store, in the same row (and transaction)
// as the identity they were registered under; the vault holds the key of that store. It still
// reads the kiosk key file that builds before schema 12 wrote (DATA/keys/kiosk-keys.json, or its
// safeStorage-wrapped twin under Electron) so the first open can import it, and recovery can use
// one a technician restores. The file vault (browser host, CLI) keeps the database key as a 0600
// file or takes it from a systemd credential (main/store/database-key.ts).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { KeyPair } from '../../protocol/keys.js';
import { GatehouseError } from '../errors.js';
import { databaseKeyVaultFor, type DatabaseKeyVault } from '../store/database-key.js';
import { readPrivateFile, removePrivateFile, writePrivateFile } from '../store/private-file.js';

export interface KioskKeys {
  signing: KeyPair;
  sealing: KeyPair;
}

export interface KeyVault extends DatabaseKeyVault {
  /** The kiosk key file this vault reads (written before schema 12, or restored from a backup). */
  readonly kioskKeyFile: string;
  /** The keys in the kiosk key file, or null when there is none. */
  loadKioskKeyFile(): KioskKeys | null;
  /** Deletes the kiosk key file once its keys are committed to the encrypted store. */
  removeKioskKeyFile(): void;
}

const KeyFile = z.strictObject({
  format: z.literal('gatehouse-kiosk-keys'),
  version: z.literal(1),
  /** PKCS#8 PEM. */
  signing: z.string(),
  sealing: z.string(),
});

/** A private key as PKCS#8 PEM, the form the key file and the store keep. */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** The key pair of a PKCS#8 PEM private key of `type`; KEY_VAULT_UNREADABLE naming `where` otherwise. */
export function keyPairFromPem(pem: string, type: 'ed25519' | 'x25519', where: string): KeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw unreadable(where, `the ${type} key is damaged`);
  }
  if (privateKey.asymmetricKeyType !== type) throw unreadable(where, `expected an ${type} key, found ${privateKey.asymmetricKeyType}`);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function unreadable(where: string, why: string): GatehouseError {
  return new GatehouseError('KEY_VAULT_UNREADABLE', `The kiosk keys in ${where} cannot be read (${why}); the kiosk must be provisioned again.`, { where });
}

/** The keys as the text a key file holds (PKCS#8 PEM inside JSON). */
export function encodeKioskKeys(keys: KioskKeys): string {
  return JSON.stringify({ format: 'gatehouse-kiosk-keys', version: 1, signing: privateKeyPem(keys.signing.privateKey), sealing: privateKeyPem(keys.sealing.privateKey) });
}

/** Reads what encodeKioskKeys wrote; `where` names the file in the error. */
export function decodeKioskKeys(text: string, where: string): KioskKeys {
  let parsed: z.infer<typeof KeyFile>;
  try {
    parsed = KeyFile.parse(JSON.parse(text));
  } catch {
    throw unreadable(where, 'not a Gatehouse key file');
  }
  return { signing: keyPairFromPem(parsed.signing, 'ed25519', where), sealing: keyPairFromPem(parsed.sealing, 'x25519', where) };
}

/** The browser host's and the CLI's vault: plain 0600 files under DATA/keys/ (or the systemd credential for the database key). */
export class FileKeyVault implements KeyVault {
  readonly kioskKeyFile: string;
  readonly #databaseKey: DatabaseKeyVault;

  constructor(dataDir: string, env: NodeJS.ProcessEnv = process.env) {
    this.kioskKeyFile = path.join(dataDir, 'keys', 'kiosk-keys.json');
    this.#databaseKey = databaseKeyVaultFor(dataDir, env);
  }

  /** The kiosk key file (kept as `file` for the tests and tools that name it). */
  get file(): string {
    return this.kioskKeyFile;
  }

  get description(): string {
    return this.#databaseKey.description;
  }

  loadDatabaseKey(): Buffer | null {
    return this.#databaseKey.loadDatabaseKey();
  }

  createDatabaseKey(): Buffer {
    return this.#databaseKey.createDatabaseKey();
  }

  loadKioskKeyFile(): KioskKeys | null {
    const bytes = readPrivateFile(this.kioskKeyFile);
    return bytes === null ? null : decodeKioskKeys(bytes.toString('utf8'), this.kioskKeyFile);
  }

  /** Writes a kiosk key file in the pre-schema-12 format: what an older build left, or a technician's backup. */
  save(keys: KioskKeys): void {
    writePrivateFile(this.kioskKeyFile, encodeKioskKeys(keys));
  }

  removeKioskKeyFile(): void {
    removePrivateFile(this.kioskKeyFile);
  }
}
