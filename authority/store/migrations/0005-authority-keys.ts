// Schema 5 of the authority store, in both dialects: the authority's key pairs, held once for
// every replica. A generation is one signing and one sealing key (the first also the update key)
// taking over at `active_from`; a rotation adds the next generation. Private keys are stored as
// their custody protected them (AES-256-GCM under the key-encryption key), never in the clear.
import type { AuthorityMigration } from './authority-migration.js';

export const authorityKeys: AuthorityMigration = {
  version: 5,
  name: 'authority-keys',
  sqlite: `
    CREATE TABLE authority_keys (
      key_id TEXT PRIMARY KEY,
      generation INTEGER NOT NULL CHECK (generation >= 1),
      purpose TEXT NOT NULL CHECK (purpose IN ('signing', 'sealing', 'update')),
      public_key TEXT NOT NULL,
      custody TEXT NOT NULL,
      protected_private_key TEXT NOT NULL,
      created_at TEXT NOT NULL,
      active_from TEXT NOT NULL,
      UNIQUE (generation, purpose)
    ) STRICT;
  `,
  postgres: `
    CREATE TABLE authority_keys (
      key_id text PRIMARY KEY,
      generation integer NOT NULL CHECK (generation >= 1),
      purpose text NOT NULL CHECK (purpose IN ('signing', 'sealing', 'update')),
      public_key text NOT NULL,
      custody text NOT NULL,
      protected_private_key text NOT NULL,
      created_at timestamptz NOT NULL,
      active_from timestamptz NOT NULL,
      UNIQUE (generation, purpose)
    );
  `,
};
