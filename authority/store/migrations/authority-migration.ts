// A migration of the authority store: one version, its SQL for SQLite and for PostgreSQL side
// by side so the two schemas cannot drift apart. Versions run 1, 2, 3, … and only go up.
import { AuthorityError } from '../../authority-error.js';
import { initial } from './0001-initial.js';
import { numbersAndStatus } from './0002-numbers-and-status.js';
import { recordsByKiosk } from './0003-records-by-kiosk.js';
import { publishedUpdates } from './0004-published-updates.js';
import { authorityKeys } from './0005-authority-keys.js';
import { envelopeStore } from './0006-envelope-store.js';
import { nonceSweeps } from './0007-nonce-sweeps.js';

export interface AuthorityMigration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

const authorityMigrations: readonly AuthorityMigration[] = [initial, numbersAndStatus, recordsByKiosk, publishedUpdates, authorityKeys, envelopeStore, nonceSweeps];

/** The migrations a store at `version` still needs; refuses a store written by a newer build. */
export function pendingMigrations(version: number, store: string): readonly AuthorityMigration[] {
  const latest = authorityMigrations.length;
  if (version > latest) {
    throw new AuthorityError(500, 'STORE_FROM_NEWER_VERSION',
      `The authority store ${store} has schema ${version}; this build supports up to ${latest}. Update gatehouse-authority; do not delete the store.`,
      { store, version, supported: latest });
  }
  return authorityMigrations.slice(version);
}
