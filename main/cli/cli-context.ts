// What every `gatehouse` subcommand shares: the data directory (--data DIR or
// GATEHOUSE_DATA) and its encrypted database (keyed by DATA/keys/database.key or the systemd
// credential), and printing results as text or JSON.

import type { Command } from 'commander';
import { resolveDataDir } from '../kiosk/data-dir.js';
import { openKioskDatabase, type Db } from '../store/database.js';

export function dataDirOf(command: Command): string {
  return resolveDataDir(command.optsWithGlobals<{ data?: string }>().data);
}

/** Opens the kiosk database for one command and always closes it. */
export async function withDatabase<T>(command: Command, use: (db: Db) => T | Promise<T>): Promise<T> {
  const db = openKioskDatabase(dataDirOf(command));
  try {
    return await use(db);
  } finally {
    db.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
