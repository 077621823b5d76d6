// Schema 15: signed updates. The identity pins the authority's update key at registration (a key
// of its own, neither the signing nor the sealing key); a kiosk registered before has none and
// refuses updates (UPDATE_KEY_NOT_PINNED) until it is provisioned again. The update channel's
// state — last check, what was found, downloaded, staged or refused and why — is one row that
// the diagnostics screen reads.
import type { Migration } from '../migrate.js';

export const updateKey: Migration = {
  version: 15,
  name: 'update-key',
  up(db) {
    db.exec(`
      ALTER TABLE kiosk_identity ADD COLUMN authority_update_key_id TEXT;
      ALTER TABLE kiosk_identity ADD COLUMN authority_update_public_key TEXT; -- base64url raw Ed25519

      CREATE TABLE update_channel (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        state TEXT NOT NULL CHECK (state IN ('idle', 'available', 'downloading', 'downloaded', 'staged', 'refused', 'failed')),
        last_checked_at TEXT, -- the last check that reached the authority
        version TEXT, -- the version found, downloaded, staged or refused
        sha256 TEXT,
        manifest TEXT, -- the signed manifest as served (JSON), while one is being acted on
        reason_code TEXT, -- why it was refused or failed
        reason_message TEXT,
        updated_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
