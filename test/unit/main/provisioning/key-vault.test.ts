// The file key vault: the database key is made once, 0600, and a second process gets the same
// one; kiosk keys (the pre-schema-12 key file) survive a round trip in a file only its owner may
// read, and a file others can read, a damaged file or a key of the wrong kind is refused with a code.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePublicKey, generateSealingKeyPair, generateSigningKeyPair } from '../../../../protocol/keys.js';
import { decodeKioskKeys, encodeKioskKeys, FileKeyVault } from '../../../../main/provisioning/key-vault.js';
import { databaseKeyPath } from '../../../../main/store/database-key.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-vault-'));
const newKeys = () => ({ signing: generateSigningKeyPair(), sealing: generateSealingKeyPair() });

describe('FileKeyVault', () => {
  it('makes the database key once: another vault on the same folder (another process) gets the same key', () => {
    const dir = tempDir();
    const [first, second] = [new FileKeyVault(dir, {}), new FileKeyVault(dir, {})];
    expect(first.loadDatabaseKey()).toBeNull();
    const key = first.createDatabaseKey();
    expect(key).toHaveLength(32);
    expect(second.createDatabaseKey().equals(key)).toBe(true); // never replaced
    expect(second.loadDatabaseKey()!.equals(key)).toBe(true);
    expect(fs.statSync(databaseKeyPath(dir)).mode & 0o777).toBe(0o600);
    fs.writeFileSync(databaseKeyPath(dir), 'not a key');
    expect(() => second.loadDatabaseKey()).toThrow(expect.objectContaining({ code: 'DATABASE_KEY_UNREADABLE' }));
  });

  it('is empty before provisioning and gives back the keys it saved, from a 0600 file', () => {
    const vault = new FileKeyVault(tempDir());
    expect(vault.loadKioskKeyFile()).toBeNull();
    const keys = newKeys();
    vault.save(keys);
    expect(fs.statSync(vault.file).mode & 0o777).toBe(0o600);
    const loaded = new FileKeyVault(path.dirname(path.dirname(vault.file))).loadKioskKeyFile()!;
    expect(encodePublicKey(loaded.signing.publicKey)).toBe(encodePublicKey(keys.signing.publicKey));
    expect(encodePublicKey(loaded.sealing.publicKey)).toBe(encodePublicKey(keys.sealing.publicKey));
    expect(loaded.signing.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(fs.readdirSync(path.dirname(vault.file))).toEqual(['kiosk-keys.json']);
  });

  it('refuses a key file others may read', () => {
    const vault = new FileKeyVault(tempDir());
    vault.save(newKeys());
    fs.chmodSync(vault.file, 0o640);
    expect(() => vault.loadKioskKeyFile()).toThrow(expect.objectContaining({ code: 'KEY_FILE_EXPOSED' }));
  });

  it('refuses a damaged file and keys of the wrong kind', () => {
    expect(() => decodeKioskKeys('{"format":"gatehouse-kiosk-keys"', 'the file')).toThrow(expect.objectContaining({ code: 'KEY_VAULT_UNREADABLE' }));
    const swapped = JSON.parse(encodeKioskKeys(newKeys())) as { signing: string; sealing: string };
    [swapped.signing, swapped.sealing] = [swapped.sealing, swapped.signing];
    expect(() => decodeKioskKeys(JSON.stringify(swapped), 'the file'))
      .toThrow(expect.objectContaining({ code: 'KEY_VAULT_UNREADABLE', message: expect.stringContaining('expected an ed25519 key, found x25519') }));
  });
});
