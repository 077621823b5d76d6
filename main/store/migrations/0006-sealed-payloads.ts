// Schema 6: sealed envelopes in their own table, apart from the outbox rows that queue them,
// so polling the queue never reads payload pages; the verified receipt on the outbox row; and
// a trigger that refuses to drop an envelope the authority has not given a receipt for.
import type { Migration } from '../migrate.js';

export const sealedPayloads: Migration = {
  version: 6,
  name: 'sealed-payloads',
  up(db) {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN receipt TEXT; -- the authority's signed receipt (JSON), verified against the pinned key
      ALTER TABLE outbox ADD COLUMN accepted_at TEXT;
      ALTER TABLE outbox ADD COLUMN purge_after TEXT; -- the envelope may be dropped from then on
      ALTER TABLE outbox ADD COLUMN purged_at TEXT;
      ALTER TABLE outbox ADD COLUMN bundle_id TEXT; -- the last export bundle that carried it
      ALTER TABLE outbox ADD COLUMN exported_at TEXT;

      CREATE TABLE sealed_payloads (
        record_id TEXT PRIMARY KEY REFERENCES outbox (record_id),
        envelope BLOB NOT NULL
      ) STRICT;

      CREATE INDEX outbox_age ON outbox (state, created_at);
      CREATE INDEX outbox_purge ON outbox (purge_after) WHERE state = 'accepted' AND purged_at IS NULL;

      CREATE TRIGGER sealed_payloads_keep_until_receipt BEFORE DELETE ON sealed_payloads
      WHEN (SELECT receipt FROM outbox WHERE record_id = OLD.record_id) IS NULL
      BEGIN SELECT RAISE(ABORT, 'a sealed record is kept until the authority has given a receipt for it'); END;
    `);
  },
};
