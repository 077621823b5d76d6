// Schema migrations: versions 1..N kept in PRAGMA user_version, each applied in its own
// transaction; a store written by a newer build is refused, never downgraded or reset.
import { GatehouseError } from '../errors.js';
import type { Db } from './database.js';
import { allMigrations } from './migrations/index.js';

export type Migration = {
  version: number;
  name: string;
  up(db: Db): void;
};

/** Applies the pending `migrations` to `db`; returns the schema version before and after. */
export function migrate(db: Db, migrations: readonly Migration[] = allMigrations): { from: number; to: number } {
  assertContiguous(migrations);
  const latest = migrations.length;
  const from = assertNotFromNewerBuild(db, latest);
  for (const migration of migrations.slice(from)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return { from, to: latest };
}

/** The store's schema version; STORE_FROM_NEWER_VERSION when a newer build wrote it (nothing is written). */
export function assertNotFromNewerBuild(db: Db, latest: number = allMigrations.length): number {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > latest) {
    throw new GatehouseError(
      'STORE_FROM_NEWER_VERSION',
      `The store ${db.name} was written by a newer Gatehouse (schema ${from}); this build supports up to ${latest}. ` +
        'Update Gatehouse; do not delete the file.',
      { file: db.name, version: from, supported: latest },
    );
  }
  return from;
}

function assertContiguous(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new GatehouseError(
        'STORE_MIGRATIONS_INVALID',
        `Migration "${migration.name}" has version ${migration.version} at position ${index + 1}; ` +
          'migration versions must run 1, 2, 3, … without gaps.',
        { name: migration.name, version: migration.version, expected: index + 1 },
      );
    }
  });
}
