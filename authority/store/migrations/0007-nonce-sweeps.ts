// Schema 7 of the authority store, in both dialects: where the sweep of expired request nonces
// stands. Nonces fall into buckets one clock-skew window wide (nonce-window.ts); the replica that
// moves `swept_before` up to a bucket boundary is the one that deletes the nonces below it, so
// replicas sharing a database sweep each bucket once between them, not once each.
import type { AuthorityMigration } from './authority-migration.js';

export const nonceSweeps: AuthorityMigration = {
  version: 7,
  name: 'nonce-sweeps',
  sqlite: `
    CREATE TABLE nonce_sweeps (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      swept_before INTEGER NOT NULL -- unix seconds: request_nonces created before it are gone
    ) STRICT;
    INSERT INTO nonce_sweeps (id, swept_before) VALUES (1, 0);
  `,
  postgres: `
    CREATE TABLE nonce_sweeps (
      id integer PRIMARY KEY CHECK (id = 1),
      swept_before bigint NOT NULL
    );
    INSERT INTO nonce_sweeps (id, swept_before) VALUES (1, 0);
  `,
};
