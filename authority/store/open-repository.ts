// Chooses the store from the command line: PostgreSQL when `--database postgres://…` is given,
// otherwise the SQLite file `authority.db` in the data directory.
import { join } from 'node:path';
import { AuthorityError } from '../authority-error.js';
import { openPostgresRepository } from './postgres-repository.js';
import type { AuthorityRepository } from './repository.js';
import { openSqliteRepository } from './sqlite-repository.js';
import { DEFAULT_STORE_TUNING, type StoreTuning } from './store-tuning.js';

export async function openRepository(dataDir: string, database?: string, tuning: StoreTuning = DEFAULT_STORE_TUNING): Promise<AuthorityRepository> {
  if (database === undefined) return openSqliteRepository(join(dataDir, 'authority.db'), tuning.busyTimeoutMs);
  if (!/^postgres(ql)?:\/\//.test(database)) {
    throw new AuthorityError(400, 'DATABASE_URL_INVALID', '--database takes a postgres:// URL; leave it out to use SQLite in the data directory.');
  }
  return openPostgresRepository(database, tuning);
}
