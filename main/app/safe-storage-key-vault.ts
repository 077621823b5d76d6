// The vault under the Electron host: the database key (and a kiosk key file left by a build
// before schema 12) encrypted with Electron's safeStorage, the OS keyring's key, before they
// reach the disk, so a copied data directory alone opens neither the store nor the kiosk keys.
import path from 'node:path';
import { safeStorage } from 'electron';
import { GatehouseError } from '../errors.js';
import { decodeKioskKeys, type KeyVault, type KioskKeys } from '../provisioning/key-vault.js';
import { newDatabaseKey, parseDatabaseKey, SAFE_STORAGE_DATABASE_KEY_FILE } from '../store/database-key.js';
import { createPrivateFile, readPrivateFile, removePrivateFile } from '../store/private-file.js';

export class SafeStorageKeyVault implements KeyVault {
  readonly databaseKeyFile: string;
  readonly kioskKeyFile: string;

  constructor(dataDir: string) {
    this.databaseKeyFile = path.join(dataDir, 'keys', SAFE_STORAGE_DATABASE_KEY_FILE);
    this.kioskKeyFile = path.join(dataDir, 'keys', 'kiosk-keys.safe');
  }

  get description(): string {
    return `${this.databaseKeyFile} (encrypted with the OS keyring)`;
  }

  loadDatabaseKey(): Buffer | null {
    const text = this.decrypt(this.databaseKeyFile);
    return text === null ? null : parseDatabaseKey(Buffer.from(text, 'latin1'), this.description);
  }

  createDatabaseKey(): Buffer {
    this.requireEncryption();
    const key = newDatabaseKey();
    // Hex inside the wrapping: safeStorage takes and gives back text.
    if (createPrivateFile(this.databaseKeyFile, safeStorage.encryptString(key.toString('hex')))) return key;
    return this.loadDatabaseKey()!;
  }

  loadKioskKeyFile(): KioskKeys | null {
    const text = this.decrypt(this.kioskKeyFile);
    return text === null ? null : decodeKioskKeys(text, `${this.kioskKeyFile} (encrypted with the OS keyring)`);
  }

  removeKioskKeyFile(): void {
    removePrivateFile(this.kioskKeyFile);
  }

  private decrypt(file: string): string | null {
    const bytes = readPrivateFile(file);
    if (bytes === null) return null;
    this.requireEncryption();
    return safeStorage.decryptString(bytes);
  }

  private requireEncryption(): void {
    if (!safeStorage.isEncryptionAvailable() || safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
      throw new GatehouseError('KEY_VAULT_UNAVAILABLE',
        'The operating system offers no keyring to protect the kiosk keys (safeStorage is unavailable); start a keyring (gnome-keyring or kwallet) in the kiosk session.');
    }
  }
}
