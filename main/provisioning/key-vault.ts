// Where the kiosk's private keys live: a KeyVault keeps the Ed25519 signing and X25519 sealing
// keys generated at provisioning and never hands them to anything but this process. The file
// vault (browser host, CLI) is a 0600 file under the data directory; the Electron host wraps the
// same text with safeStorage (main/app/safe-storage-key-vault.ts).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { KeyPair } from '../../authority/protocol/keys.js';
import { GatehouseError } from '../errors.js';

export interface KioskKeys {
  signing: KeyPair;
  sealing: KeyPair;
}

export interface KeyVault {
  /** Where the keys are kept, for messages to a technician. */
  readonly description: string;
  /** The stored keys, or null before provisioning. */
  load(): KioskKeys | null;
  save(keys: KioskKeys): void;
}

const KeyFile = z.strictObject({
  format: z.literal('gatehouse-kiosk-keys'),
  version: z.literal(1),
  /** PKCS#8 PEM. */
  signing: z.string(),
  sealing: z.string(),
});

/** The keys as the text a vault stores (PKCS#8 PEM inside JSON). */
export function encodeKioskKeys(keys: KioskKeys): string {
  const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();
  return JSON.stringify({ format: 'gatehouse-kiosk-keys', version: 1, signing: pem(keys.signing.privateKey), sealing: pem(keys.sealing.privateKey) });
}

/** Reads what encodeKioskKeys wrote; `where` names the vault in the error. */
export function decodeKioskKeys(text: string, where: string): KioskKeys {
  const unreadable = (why: string) =>
    new GatehouseError('KEY_VAULT_UNREADABLE', `The kiosk keys in ${where} cannot be read (${why}); the kiosk must be provisioned again.`, { where });
  let parsed: z.infer<typeof KeyFile>;
  try {
    parsed = KeyFile.parse(JSON.parse(text));
  } catch {
    throw unreadable('not a Gatehouse key file');
  }
  const pair = (pem: string, type: 'ed25519' | 'x25519'): KeyPair => {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(pem);
    } catch {
      throw unreadable(`the ${type} key is damaged`);
    }
    if (privateKey.asymmetricKeyType !== type) throw unreadable(`expected an ${type} key, found ${privateKey.asymmetricKeyType}`);
    return { privateKey, publicKey: createPublicKey(privateKey) };
  };
  return { signing: pair(parsed.signing, 'ed25519'), sealing: pair(parsed.sealing, 'x25519') };
}

/**
 * Writes `bytes` to `file` readable by its owner only, replacing it atomically once synced. The
 * partial file is created afresh (a file or link left in its place is removed first, and the
 * create refuses to follow one planted meanwhile), so nothing but a new 0600 file is written.
 */
export function writePrivateFile(file: string, bytes: Uint8Array | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.partial`;
  fs.rmSync(partial, { force: true });
  const fd = fs.openSync(partial, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(partial, file);
}

/** The bytes of `file`, or null when it does not exist; refused when others than its owner may read it. */
export function readPrivateFile(file: string): Buffer | null {
  let mode: number;
  try {
    mode = fs.statSync(file).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw new GatehouseError('KEY_FILE_EXPOSED',
      `${file} can be read by others than its owner; run "chmod 600 ${file}", find out who copied it and provision the kiosk again.`, { file });
  }
  return fs.readFileSync(file);
}

/** The kiosk keys as a 0600 file under the data directory (browser host and CLI). */
export class FileKeyVault implements KeyVault {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'keys', 'kiosk-keys.json');
  }

  get description(): string {
    return this.file;
  }

  load(): KioskKeys | null {
    const bytes = readPrivateFile(this.file);
    return bytes === null ? null : decodeKioskKeys(bytes.toString('utf8'), this.file);
  }

  save(keys: KioskKeys): void {
    writePrivateFile(this.file, encodeKioskKeys(keys));
  }
}
