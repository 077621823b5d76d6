// Schema 7: what sync keeps besides the outbox: the latest verified station configuration and
// operator list from the authority, and the signed audit checkpoints the authority acknowledged.
import type { Migration } from '../migrate.js';

export const authoritySync: Migration = {
  version: 7,
  name: 'authority-sync',
  up(db) {
    db.exec(`
      CREATE TABLE authority_documents (
        kind TEXT PRIMARY KEY CHECK (kind IN ('station-config', 'operators')),
        version INTEGER NOT NULL CHECK (version > 0),
        document TEXT NOT NULL, -- the signed document (JSON) as verified
        verified_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit_checkpoints (
        seq INTEGER PRIMARY KEY,
        head_hash TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        signature TEXT NOT NULL,
        acknowledged_at TEXT NOT NULL -- when the authority answered that it holds it
      ) STRICT;
    `);
  },
};
