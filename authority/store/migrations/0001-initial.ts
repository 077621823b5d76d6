// Schema 1 of the authority store, in both dialects: provisioning tokens (hashed), kiosks,
// request nonces, records with their envelopes in a table apart, resumable uploads, audit
// checkpoints and published documents. Records can be neither changed nor deleted.
import type { AuthorityMigration } from './authority-migration.js';

export const initial: AuthorityMigration = {
  version: 1,
  name: 'initial',
  sqlite: `
    CREATE TABLE provisioning_tokens (
      hash TEXT PRIMARY KEY, -- SHA-256 of the token; the token itself is never stored
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      used_at TEXT,
      kiosk_id TEXT
    ) STRICT;

    CREATE TABLE kiosks (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      signing_public_key TEXT NOT NULL UNIQUE,
      sealing_public_key TEXT NOT NULL,
      registered_at TEXT NOT NULL,
      revoked_at TEXT
    ) STRICT;

    CREATE TABLE request_nonces (
      key_id TEXT NOT NULL,
      nonce TEXT NOT NULL,
      created INTEGER NOT NULL, -- unix seconds, from the signature
      PRIMARY KEY (key_id, nonce)
    ) STRICT;
    CREATE INDEX request_nonces_created ON request_nonces (created);

    CREATE TABLE records (
      record_id TEXT PRIMARY KEY,
      kiosk_id TEXT NOT NULL REFERENCES kiosks (id),
      digest TEXT NOT NULL,
      size INTEGER NOT NULL,
      kind TEXT NOT NULL,
      created_at TEXT NOT NULL,
      received_at TEXT NOT NULL,
      receipt TEXT NOT NULL -- JSON
    ) STRICT;
    CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'records are permanent'); END;
    CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'records are permanent'); END;

    CREATE TABLE record_envelopes (
      record_id TEXT PRIMARY KEY REFERENCES records (record_id),
      envelope BLOB NOT NULL
    ) STRICT;

    CREATE TABLE uploads (
      upload_id TEXT PRIMARY KEY,
      record_id TEXT NOT NULL UNIQUE,
      kiosk_id TEXT NOT NULL REFERENCES kiosks (id),
      size INTEGER NOT NULL,
      digest TEXT NOT NULL,
      committed INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE upload_chunks (
      upload_id TEXT NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
      start INTEGER NOT NULL,
      bytes BLOB NOT NULL,
      PRIMARY KEY (upload_id, start)
    ) STRICT;

    CREATE TABLE audit_checkpoints (
      kiosk_id TEXT NOT NULL REFERENCES kiosks (id),
      seq INTEGER NOT NULL,
      head_hash TEXT NOT NULL,
      at TEXT NOT NULL,
      signature TEXT NOT NULL,
      received_at TEXT NOT NULL,
      PRIMARY KEY (kiosk_id, seq)
    ) STRICT;

    CREATE TABLE published_documents (
      kind TEXT NOT NULL CHECK (kind IN ('station-config', 'operators')),
      version INTEGER NOT NULL,
      document TEXT NOT NULL, -- JSON, signed
      published_at TEXT NOT NULL,
      PRIMARY KEY (kind, version)
    ) STRICT;
  `,
  postgres: `
    CREATE TABLE provisioning_tokens (
      hash text PRIMARY KEY,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      kiosk_id text
    );

    CREATE TABLE kiosks (
      id text PRIMARY KEY,
      name text NOT NULL,
      signing_public_key text NOT NULL UNIQUE,
      sealing_public_key text NOT NULL,
      registered_at timestamptz NOT NULL,
      revoked_at timestamptz
    );

    CREATE TABLE request_nonces (
      key_id text NOT NULL,
      nonce text NOT NULL,
      created bigint NOT NULL,
      PRIMARY KEY (key_id, nonce)
    );
    CREATE INDEX request_nonces_created ON request_nonces (created);

    CREATE TABLE records (
      record_id text PRIMARY KEY,
      kiosk_id text NOT NULL REFERENCES kiosks (id),
      digest text NOT NULL,
      size bigint NOT NULL,
      kind text NOT NULL,
      created_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL,
      receipt jsonb NOT NULL
    );
    CREATE FUNCTION records_are_permanent() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'records are permanent'; END $$;
    CREATE TRIGGER records_permanent BEFORE UPDATE OR DELETE ON records
      FOR EACH ROW EXECUTE FUNCTION records_are_permanent();

    CREATE TABLE record_envelopes (
      record_id text PRIMARY KEY REFERENCES records (record_id),
      envelope bytea NOT NULL
    );

    CREATE TABLE uploads (
      upload_id text PRIMARY KEY,
      record_id text NOT NULL UNIQUE,
      kiosk_id text NOT NULL REFERENCES kiosks (id),
      size bigint NOT NULL,
      digest text NOT NULL,
      committed bigint NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );

    CREATE TABLE upload_chunks (
      upload_id text NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
      start bigint NOT NULL,
      bytes bytea NOT NULL,
      PRIMARY KEY (upload_id, start)
    );

    CREATE TABLE audit_checkpoints (
      kiosk_id text NOT NULL REFERENCES kiosks (id),
      seq bigint NOT NULL,
      head_hash text NOT NULL,
      at timestamptz NOT NULL,
      signature text NOT NULL,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (kiosk_id, seq)
    );

    CREATE TABLE published_documents (
      kind text NOT NULL CHECK (kind IN ('station-config', 'operators')),
      version integer NOT NULL,
      document jsonb NOT NULL,
      published_at timestamptz NOT NULL,
      PRIMARY KEY (kind, version)
    );
  `,
};
