// Schema 3 of the authority store, in both dialects: a record is known by its kiosk and its record
// id together, so the same id from two kiosks is two records and one kiosk can neither find nor
// squat on another's ids. Records, their envelopes, their status log and open uploads are keyed
// by (kiosk_id, record_id); existing rows keep their kiosk, seq and everything else. Uploads also
// get the index that finds the abandoned ones, and a record that arrived in chunks keeps its
// envelope as those chunks (record_envelope_chunks), copied inside the database from the upload so
// a large envelope never passes through the authority's memory to be stored.
//
// SQLite cannot change a primary key in place, so the three record tables are rebuilt (copy,
// drop, rename; SQLite rewrites the references to a renamed table) and their triggers and indexes
// made again; the implicit DELETE of a DROP TABLE fires no trigger, so "permanent" holds.
import type { AuthorityMigration } from './authority-migration.js';

const STATES = "'received', 'in-review', 'accepted', 'rejected'";

export const recordsByKiosk: AuthorityMigration = {
  version: 3,
  name: 'records-by-kiosk',
  sqlite: `
    CREATE TABLE records_v3 (
      kiosk_id TEXT NOT NULL REFERENCES kiosks (id),
      record_id TEXT NOT NULL,
      digest TEXT NOT NULL,
      size INTEGER NOT NULL,
      kind TEXT NOT NULL,
      created_at TEXT NOT NULL,
      received_at TEXT NOT NULL,
      number TEXT,
      receipt TEXT NOT NULL, -- JSON
      PRIMARY KEY (kiosk_id, record_id)
    ) STRICT;
    INSERT INTO records_v3 (kiosk_id, record_id, digest, size, kind, created_at, received_at, number, receipt)
      SELECT kiosk_id, record_id, digest, size, kind, created_at, received_at, number, receipt FROM records;

    CREATE TABLE record_envelopes_v3 (
      kiosk_id TEXT NOT NULL,
      record_id TEXT NOT NULL,
      envelope BLOB NOT NULL,
      PRIMARY KEY (kiosk_id, record_id),
      FOREIGN KEY (kiosk_id, record_id) REFERENCES records_v3 (kiosk_id, record_id)
    ) STRICT;
    INSERT INTO record_envelopes_v3 (kiosk_id, record_id, envelope)
      SELECT r.kiosk_id, e.record_id, e.envelope FROM record_envelopes e JOIN records r ON r.record_id = e.record_id;

    CREATE TABLE record_status_changes_v3 (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, only grows: kiosks page by it
      kiosk_id TEXT NOT NULL,
      record_id TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN (${STATES})),
      reason TEXT,
      at TEXT NOT NULL,
      FOREIGN KEY (kiosk_id, record_id) REFERENCES records_v3 (kiosk_id, record_id)
    ) STRICT;
    INSERT INTO record_status_changes_v3 (seq, kiosk_id, record_id, state, reason, at)
      SELECT seq, kiosk_id, record_id, state, reason, at FROM record_status_changes ORDER BY seq;

    CREATE TABLE uploads_v3 (
      upload_id TEXT PRIMARY KEY,
      kiosk_id TEXT NOT NULL REFERENCES kiosks (id),
      record_id TEXT NOT NULL,
      size INTEGER NOT NULL,
      digest TEXT NOT NULL,
      committed INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (kiosk_id, record_id)
    ) STRICT;
    INSERT INTO uploads_v3 (upload_id, kiosk_id, record_id, size, digest, committed, created_at, updated_at)
      SELECT upload_id, kiosk_id, record_id, size, digest, committed, created_at, updated_at FROM uploads;
    CREATE TABLE upload_chunks_v3 (
      upload_id TEXT NOT NULL REFERENCES uploads_v3 (upload_id) ON DELETE CASCADE,
      start INTEGER NOT NULL,
      bytes BLOB NOT NULL,
      PRIMARY KEY (upload_id, start)
    ) STRICT;
    INSERT INTO upload_chunks_v3 (upload_id, start, bytes) SELECT upload_id, start, bytes FROM upload_chunks;

    DROP TABLE upload_chunks;
    DROP TABLE uploads;
    DROP TABLE record_status_changes;
    DROP TABLE record_envelopes;
    DROP TABLE records;
    ALTER TABLE records_v3 RENAME TO records;
    ALTER TABLE record_envelopes_v3 RENAME TO record_envelopes;
    ALTER TABLE record_status_changes_v3 RENAME TO record_status_changes;
    ALTER TABLE uploads_v3 RENAME TO uploads;
    ALTER TABLE upload_chunks_v3 RENAME TO upload_chunks;

    CREATE UNIQUE INDEX records_number ON records (number);
    CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'records are permanent'); END;
    CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'records are permanent'); END;
    CREATE INDEX record_status_changes_kiosk ON record_status_changes (kiosk_id, seq);
    CREATE INDEX record_status_changes_record ON record_status_changes (kiosk_id, record_id, seq);
    CREATE TRIGGER record_status_changes_no_update BEFORE UPDATE ON record_status_changes
      BEGIN SELECT RAISE(ABORT, 'status changes are permanent'); END;
    CREATE TRIGGER record_status_changes_no_delete BEFORE DELETE ON record_status_changes
      BEGIN SELECT RAISE(ABORT, 'status changes are permanent'); END;
    CREATE INDEX uploads_updated_at ON uploads (updated_at);

    CREATE TABLE record_envelope_chunks (
      kiosk_id TEXT NOT NULL,
      record_id TEXT NOT NULL,
      start INTEGER NOT NULL,
      bytes BLOB NOT NULL,
      PRIMARY KEY (kiosk_id, record_id, start),
      FOREIGN KEY (kiosk_id, record_id) REFERENCES records (kiosk_id, record_id)
    ) STRICT;
  `,
  postgres: `
    ALTER TABLE record_envelopes DROP CONSTRAINT record_envelopes_record_id_fkey;
    ALTER TABLE record_status_changes DROP CONSTRAINT record_status_changes_record_id_fkey;
    ALTER TABLE records DROP CONSTRAINT records_pkey;
    ALTER TABLE records ADD PRIMARY KEY (kiosk_id, record_id);

    ALTER TABLE record_envelopes ADD COLUMN kiosk_id text;
    UPDATE record_envelopes e SET kiosk_id = r.kiosk_id FROM records r WHERE r.record_id = e.record_id;
    ALTER TABLE record_envelopes ALTER COLUMN kiosk_id SET NOT NULL;
    ALTER TABLE record_envelopes DROP CONSTRAINT record_envelopes_pkey;
    ALTER TABLE record_envelopes ADD PRIMARY KEY (kiosk_id, record_id);
    ALTER TABLE record_envelopes ADD FOREIGN KEY (kiosk_id, record_id) REFERENCES records (kiosk_id, record_id);

    ALTER TABLE record_status_changes ADD FOREIGN KEY (kiosk_id, record_id) REFERENCES records (kiosk_id, record_id);
    DROP INDEX record_status_changes_record;
    CREATE INDEX record_status_changes_record ON record_status_changes (kiosk_id, record_id, seq);

    ALTER TABLE uploads DROP CONSTRAINT uploads_record_id_key;
    ALTER TABLE uploads ADD CONSTRAINT uploads_kiosk_record_unique UNIQUE (kiosk_id, record_id);
    CREATE INDEX uploads_updated_at ON uploads (updated_at);

    CREATE TABLE record_envelope_chunks (
      kiosk_id text NOT NULL,
      record_id text NOT NULL,
      start bigint NOT NULL,
      bytes bytea NOT NULL,
      PRIMARY KEY (kiosk_id, record_id, start),
      FOREIGN KEY (kiosk_id, record_id) REFERENCES records (kiosk_id, record_id)
    );
  `,
};
