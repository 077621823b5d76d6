// Schema 12: the kiosk's private keys move into the (now encrypted) store, beside the identity
// they belong to, so that keys and registration commit in one transaction; a lease makes
// provisioning single-flight across processes; an identity given up by recovery is kept.
import type { Migration } from '../migrate.js';

export const kioskKeysInStore: Migration = {
  version: 12,
  name: 'kiosk-keys-in-store',
  up(db) {
    db.exec(`
      -- PKCS#8 PEM. NULL on a kiosk provisioned before schema 12 until its key file is imported
      -- (main/provisioning/kiosk-credentials.ts, at the first open).
      ALTER TABLE kiosk_identity ADD COLUMN signing_private_key TEXT;
      ALTER TABLE kiosk_identity ADD COLUMN sealing_private_key TEXT;

      -- Who is registering this kiosk right now; taken in an IMMEDIATE transaction before the
      -- authority is asked, so a second screen or the CLI is refused instead of racing it.
      CREATE TABLE provisioning_lease (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        holder TEXT NOT NULL, -- host, process and a random id
        purpose TEXT NOT NULL CHECK (purpose IN ('register', 'recover')),
        taken_at TEXT NOT NULL,
        expires_at TEXT NOT NULL -- after this another may take it over (a crashed holder)
      ) STRICT;

      -- An identity whose private keys were lost and that recovery replaced with a new
      -- registration: records sealed under it stay in the outbox and name it.
      CREATE TABLE retired_kiosk_identities (
        kiosk_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        authority_url TEXT NOT NULL,
        signing_public_key TEXT NOT NULL,
        sealing_public_key TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        retired_at TEXT NOT NULL,
        replaced_by TEXT NOT NULL
      ) STRICT;
    `);
  },
};
