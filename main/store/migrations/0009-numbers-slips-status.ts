// Schema 9: what lets a person and the staff follow a record. The kiosk's code from the
// authority (the first part of its enrollment numbers) and a counter per day for the rest; the
// number on each queued record; the acknowledgement slip of each record, sealed to the kiosk's
// own key (it names the person) so that it can be printed again; and what the authority says
// became of each record, with the position in its log of changes the kiosk has read up to.
import type { Migration } from '../migrate.js';

export const numbersSlipsStatus: Migration = {
  version: 9,
  name: 'numbers-slips-status',
  up(db) {
    db.exec(`
      ALTER TABLE kiosk_identity ADD COLUMN code TEXT; -- null for a kiosk registered before codes existed

      CREATE TABLE enrollment_sequences (
        day TEXT PRIMARY KEY CHECK (length(day) = 6), -- the kiosk's calendar day, YYMMDD
        last INTEGER NOT NULL CHECK (last BETWEEN 1 AND 9999)
      ) STRICT;

      ALTER TABLE outbox ADD COLUMN number TEXT;
      CREATE UNIQUE INDEX outbox_number ON outbox (number) WHERE number IS NOT NULL;

      CREATE TABLE slips (
        record_id TEXT PRIMARY KEY REFERENCES outbox (record_id),
        envelope BLOB NOT NULL -- GHSR envelope sealed to the kiosk's own X25519 key
      ) STRICT;

      ALTER TABLE outbox ADD COLUMN authority_state TEXT
        CHECK (authority_state IN ('received', 'in-review', 'accepted', 'rejected'));
      ALTER TABLE outbox ADD COLUMN authority_reason TEXT;
      ALTER TABLE outbox ADD COLUMN authority_state_at TEXT;

      CREATE TABLE record_status_cursor (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        after INTEGER NOT NULL CHECK (after >= 0) -- the last change of the authority's log the kiosk has applied
      ) STRICT;
    `);
  },
};
