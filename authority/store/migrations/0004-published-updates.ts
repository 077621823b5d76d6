// Schema 4 of the authority store, in both dialects: the Gatehouse packages published on the update
// channel. A package is known by its SHA-256 (its file is updates/<sha256>.deb in the data
// directory); one version of one architecture is one package, and publishing the same file again
// replaces only its signed manifest (a fresh expiry). Which package is the newest is decided in
// code: Debian versions do not sort as text.
import type { AuthorityMigration } from './authority-migration.js';

export const publishedUpdates: AuthorityMigration = {
  version: 4,
  name: 'published-updates',
  sqlite: `
    CREATE TABLE published_updates (
      sha256 TEXT PRIMARY KEY,
      version TEXT NOT NULL,
      architecture TEXT NOT NULL,
      size INTEGER NOT NULL,
      minimum_version TEXT NOT NULL,
      published_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      manifest TEXT NOT NULL, -- JSON, signed with the update key
      UNIQUE (version, architecture)
    ) STRICT;
  `,
  postgres: `
    CREATE TABLE published_updates (
      sha256 text PRIMARY KEY,
      version text NOT NULL,
      architecture text NOT NULL,
      size bigint NOT NULL,
      minimum_version text NOT NULL,
      published_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      manifest jsonb NOT NULL,
      UNIQUE (version, architecture)
    );
  `,
};
