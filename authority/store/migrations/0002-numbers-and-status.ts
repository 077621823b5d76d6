// Schema 2 of the authority store, in both dialects: a permanent four-character code for every
// kiosk (the first part of its enrollment numbers; kiosks registered before this migration get
// theirs in order of registration), the enrollment number of each record (unique when present;
// older records have none), and the log of what became of each record — received, in review,
// accepted, rejected — which kiosks page through by `seq`. Like records, the log is only added to;
// each record held before this migration gets its `received` entry at its time of receipt.
import { kioskCodeSql } from '../kiosk-codes.js';
import type { AuthorityMigration } from './authority-migration.js';

const STATES = "'received', 'in-review', 'accepted', 'rejected'";

export const numbersAndStatus: AuthorityMigration = {
  version: 2,
  name: 'numbers-and-status',
  sqlite: `
    ALTER TABLE kiosks ADD COLUMN code TEXT;
    UPDATE kiosks SET code = ${kioskCodeSql('numbered.n')}
      FROM (SELECT id, row_number() OVER (ORDER BY registered_at, id) AS n FROM kiosks) AS numbered
      WHERE kiosks.id = numbered.id;
    CREATE UNIQUE INDEX kiosks_code ON kiosks (code);
    CREATE TRIGGER kiosks_code_required BEFORE INSERT ON kiosks
      WHEN NEW.code IS NULL OR NEW.code NOT GLOB '[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]'
      BEGIN SELECT RAISE(ABORT, 'a kiosk code is 4 capital letters or digits'); END;
    CREATE TRIGGER kiosks_code_permanent BEFORE UPDATE OF code ON kiosks
      WHEN NEW.code IS NOT OLD.code
      BEGIN SELECT RAISE(ABORT, 'a kiosk code never changes'); END;

    ALTER TABLE records ADD COLUMN number TEXT;
    CREATE UNIQUE INDEX records_number ON records (number);

    CREATE TABLE record_status_changes (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, only grows: kiosks page by it
      record_id TEXT NOT NULL REFERENCES records (record_id),
      kiosk_id TEXT NOT NULL REFERENCES kiosks (id),
      state TEXT NOT NULL CHECK (state IN (${STATES})),
      reason TEXT,
      at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX record_status_changes_kiosk ON record_status_changes (kiosk_id, seq);
    CREATE INDEX record_status_changes_record ON record_status_changes (record_id, seq);
    INSERT INTO record_status_changes (record_id, kiosk_id, state, reason, at)
      SELECT record_id, kiosk_id, 'received', NULL, received_at FROM records ORDER BY received_at, record_id;
    CREATE TRIGGER record_status_changes_no_update BEFORE UPDATE ON record_status_changes
      BEGIN SELECT RAISE(ABORT, 'status changes are permanent'); END;
    CREATE TRIGGER record_status_changes_no_delete BEFORE DELETE ON record_status_changes
      BEGIN SELECT RAISE(ABORT, 'status changes are permanent'); END;
  `,
  postgres: `
    ALTER TABLE kiosks ADD COLUMN code text;
    UPDATE kiosks SET code = ${kioskCodeSql('numbered.n::integer')}
      FROM (SELECT id, row_number() OVER (ORDER BY registered_at, id) AS n FROM kiosks) AS numbered
      WHERE kiosks.id = numbered.id;
    ALTER TABLE kiosks ALTER COLUMN code SET NOT NULL;
    ALTER TABLE kiosks ADD CONSTRAINT kiosks_code_unique UNIQUE (code);
    ALTER TABLE kiosks ADD CONSTRAINT kiosks_code_form CHECK (code ~ '^[0-9A-Z]{4}$');
    CREATE FUNCTION kiosk_codes_are_permanent() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'a kiosk code never changes'; END $$;
    CREATE TRIGGER kiosks_code_permanent BEFORE UPDATE OF code ON kiosks
      FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code) EXECUTE FUNCTION kiosk_codes_are_permanent();

    ALTER TABLE records ADD COLUMN number text;
    ALTER TABLE records ADD CONSTRAINT records_number_unique UNIQUE (number);

    CREATE TABLE record_status_changes (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      record_id text NOT NULL REFERENCES records (record_id),
      kiosk_id text NOT NULL REFERENCES kiosks (id),
      state text NOT NULL CHECK (state IN (${STATES})),
      reason text,
      at timestamptz NOT NULL
    );
    CREATE INDEX record_status_changes_kiosk ON record_status_changes (kiosk_id, seq);
    CREATE INDEX record_status_changes_record ON record_status_changes (record_id, seq);
    INSERT INTO record_status_changes (record_id, kiosk_id, state, reason, at)
      SELECT record_id, kiosk_id, 'received', NULL, received_at FROM records ORDER BY received_at, record_id;
    CREATE FUNCTION status_changes_are_permanent() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'status changes are permanent'; END $$;
    CREATE TRIGGER record_status_changes_permanent BEFORE UPDATE OR DELETE ON record_status_changes
      FOR EACH ROW EXECUTE FUNCTION status_changes_are_permanent();
  `,
};
