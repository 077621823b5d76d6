// The kiosk keys under the Electron host: the same key text as the file vault, encrypted with
// Electron's safeStorage (the OS keyring's key) before it reaches the disk, so a copied data
// directory alone does not yield the kiosk's private keys.
import path from 'node:path';
import { safeStorage } from 'electron';
import { GatehouseError } from '../errors.js';
import {
  decodeKioskKeys, encodeKioskKeys, readPrivateFile, writePrivateFile, type KeyVault, type KioskKeys,
} from '../provisioning/key-vault.js';

export class SafeStorageKeyVault implements KeyVault {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'keys', 'kiosk-keys.safe');
  }

  get description(): string {
    return `${this.file} (encrypted with the OS keyring)`;
  }

  load(): KioskKeys | null {
    const bytes = readPrivateFile(this.file);
    if (bytes === null) return null;
    this.requireEncryption();
    return decodeKioskKeys(safeStorage.decryptString(bytes), this.description);
  }

  save(keys: KioskKeys): void {
    this.requireEncryption();
    writePrivateFile(this.file, safeStorage.encryptString(encodeKioskKeys(keys)));
  }

  private requireEncryption(): void {
    if (!safeStorage.isEncryptionAvailable() || safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
      throw new GatehouseError('KEY_VAULT_UNAVAILABLE',
        'The operating system offers no keyring to protect the kiosk keys (safeStorage is unavailable); start a keyring (gnome-keyring or kwallet) in the kiosk session.');
    }
  }
}
