// What the provisioning and sync commands share: the kiosk database opened with its key vault
// (the 0600 key file of the browser host), and integer options checked before anything runs.

import type { Command } from 'commander';
import { GatehouseError } from '../errors.js';
import { FileKeyVault } from '../provisioning/key-vault.js';
import { Provisioning } from '../provisioning/provisioning.js';
import type { Db } from '../store/database.js';
import { dataDirOf, withDatabase } from './cli-context.js';

export interface ProvisionedStore {
  db: Db;
  provisioning: Provisioning;
}

/** Opens the store and the kiosk's credentials for one command and always closes the store. */
export function withProvisionedStore<T>(command: Command, use: (store: ProvisionedStore) => T | Promise<T>): Promise<T> {
  const vault = new FileKeyVault(dataDirOf(command));
  return withDatabase(command, (db) => use({ db, provisioning: new Provisioning(db, vault) }));
}

/** `text` as a whole number from `min` to `max`, or CLI_INVALID_OPTIONS naming the option. */
export function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new GatehouseError('CLI_INVALID_OPTIONS', `${name} must be a whole number from ${min} to ${max}, not "${text}".`);
  }
  return value;
}
