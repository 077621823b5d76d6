// Schema 10: every configured device names its family. Device settings are told apart by
// `kind` (the registry of device families); a fingerprint module configured before there was
// more than one family has none, and is the R30x family's.
import type { Migration } from '../migrate.js';

export const deviceKinds: Migration = {
  version: 10,
  name: 'device-kinds',
  up(db) {
    db.exec(`
      UPDATE settings SET value = json_set(value, '$.fingerprint.kind', 'r30x')
      WHERE key = 'devices' AND json_valid(value) AND json_type(value, '$.fingerprint') = 'object'
        AND json_type(value, '$.fingerprint.kind') IS NULL;
    `);
  },
};
