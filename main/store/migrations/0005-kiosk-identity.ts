// Schema 5: who this kiosk is to the authority once provisioned: its id, the authority's URL,
// its own public keys and the authority keys pinned at registration. Private keys live in the
// key vault, never in this file.
import type { Migration } from '../migrate.js';

export const kioskIdentity: Migration = {
  version: 5,
  name: 'kiosk-identity',
  up(db) {
    db.exec(`
      CREATE TABLE kiosk_identity (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1), -- a kiosk has one identity
        kiosk_id TEXT NOT NULL,
        name TEXT NOT NULL,
        authority_url TEXT NOT NULL,
        signing_public_key TEXT NOT NULL, -- base64url raw Ed25519, to match the vault's private key
        sealing_public_key TEXT NOT NULL, -- base64url raw X25519
        authority_signing_key_id TEXT NOT NULL,
        authority_signing_public_key TEXT NOT NULL,
        authority_sealing_key_id TEXT NOT NULL,
        authority_sealing_public_key TEXT NOT NULL,
        registered_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
