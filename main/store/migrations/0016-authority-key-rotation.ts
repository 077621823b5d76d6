// Schema 16: authority key rotation. When the keys an authority announced in its station
// configuration take over, the kiosk pins them in its identity row and keeps the signing key they
// replaced here, so receipts and documents a replica signed just before it switched still verify.
import type { Migration } from '../migrate.js';

export const authorityKeyRotation: Migration = {
  version: 16,
  name: 'authority-key-rotation',
  up(db) {
    db.exec(`
      ALTER TABLE kiosk_identity ADD COLUMN authority_previous_signing_key_id TEXT;
      ALTER TABLE kiosk_identity ADD COLUMN authority_previous_signing_public_key TEXT; -- base64url raw Ed25519
    `);
  },
};
