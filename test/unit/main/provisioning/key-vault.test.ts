// The file key vault: keys survive a round trip in a file only its owner may read, and a file
// others can read, a damaged file or a key of the wrong kind is refused with a code.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePublicKey, generateSealingKeyPair, generateSigningKeyPair } from '../../../../authority/protocol/keys.js';
import { decodeKioskKeys, encodeKioskKeys, FileKeyVault } from '../../../../main/provisioning/key-vault.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-vault-'));
const newKeys = () => ({ signing: generateSigningKeyPair(), sealing: generateSealingKeyPair() });

describe('FileKeyVault', () => {
  it('is empty before provisioning and gives back the keys it saved, from a 0600 file', () => {
    const vault = new FileKeyVault(tempDir());
    expect(vault.load()).toBeNull();
    const keys = newKeys();
    vault.save(keys);
    expect(fs.statSync(vault.file).mode & 0o777).toBe(0o600);
    const loaded = new FileKeyVault(path.dirname(path.dirname(vault.file))).load()!;
    expect(encodePublicKey(loaded.signing.publicKey)).toBe(encodePublicKey(keys.signing.publicKey));
    expect(encodePublicKey(loaded.sealing.publicKey)).toBe(encodePublicKey(keys.sealing.publicKey));
    expect(loaded.signing.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(fs.existsSync(`${vault.file}.partial`)).toBe(false);
  });

  it('refuses a key file others may read', () => {
    const vault = new FileKeyVault(tempDir());
    vault.save(newKeys());
    fs.chmodSync(vault.file, 0o640);
    expect(() => vault.load()).toThrow(expect.objectContaining({ code: 'KEY_FILE_EXPOSED' }));
  });

  it('refuses a damaged file and keys of the wrong kind', () => {
    expect(() => decodeKioskKeys('{"format":"gatehouse-kiosk-keys"', 'the file')).toThrow(expect.objectContaining({ code: 'KEY_VAULT_UNREADABLE' }));
    const swapped = JSON.parse(encodeKioskKeys(newKeys())) as { signing: string; sealing: string };
    [swapped.signing, swapped.sealing] = [swapped.sealing, swapped.signing];
    expect(() => decodeKioskKeys(JSON.stringify(swapped), 'the file'))
      .toThrow(expect.objectContaining({ code: 'KEY_VAULT_UNREADABLE', message: expect.stringContaining('expected an ed25519 key, found x25519') }));
  });
});
