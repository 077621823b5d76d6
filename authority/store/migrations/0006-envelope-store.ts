// Schema 6 of the authority store, in both dialects: envelopes leave the record tables for the
// database envelope store (authority/envelopes/), content-addressed by digest — `envelopes` (digest,
// size, the write whose chunks are its bytes, when it was stored) and `envelope_chunks` — and
// records get an index on digest (which records name an envelope: `envelopes orphans`). Every
// envelope held moves: a whole one as one chunk, a chunked one chunk by chunk, its write id being
// its digest; the old tables record_envelopes and record_envelope_chunks are then dropped.
import type { AuthorityMigration } from './authority-migration.js';

/** Both dialects accept this SQL as is: the moves, then the drops. */
const MOVE_ENVELOPES = `
    INSERT INTO envelope_chunks (write_id, start, bytes)
      SELECT r.digest, 0, e.envelope FROM record_envelopes e JOIN records r ON r.kiosk_id = e.kiosk_id AND r.record_id = e.record_id
      ON CONFLICT DO NOTHING;
    INSERT INTO envelope_chunks (write_id, start, bytes)
      SELECT r.digest, c.start, c.bytes FROM record_envelope_chunks c JOIN records r ON r.kiosk_id = c.kiosk_id AND r.record_id = c.record_id
      ON CONFLICT DO NOTHING;
    INSERT INTO envelopes (digest, size, write_id, stored_at)
      SELECT r.digest, min(r.size), r.digest, min(r.received_at) FROM records r
      WHERE EXISTS (SELECT 1 FROM envelope_chunks c WHERE c.write_id = r.digest) GROUP BY r.digest;
    DROP TABLE record_envelope_chunks;
    DROP TABLE record_envelopes;
    CREATE INDEX records_digest ON records (digest);
`;

export const envelopeStore: AuthorityMigration = {
  version: 6,
  name: 'envelope-store',
  sqlite: `
    CREATE TABLE envelopes (
      digest TEXT PRIMARY KEY, -- SHA-256 hex of the whole envelope
      size INTEGER NOT NULL,
      write_id TEXT NOT NULL UNIQUE, -- the write whose chunks are the envelope
      stored_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE envelope_chunks (
      write_id TEXT NOT NULL,
      start INTEGER NOT NULL,
      bytes BLOB NOT NULL,
      PRIMARY KEY (write_id, start)
    ) STRICT;
    ${MOVE_ENVELOPES}
  `,
  postgres: `
    CREATE TABLE envelopes (
      digest text PRIMARY KEY,
      size bigint NOT NULL,
      write_id text NOT NULL UNIQUE,
      stored_at timestamptz NOT NULL
    );
    CREATE TABLE envelope_chunks (
      write_id text NOT NULL,
      start bigint NOT NULL,
      bytes bytea NOT NULL,
      PRIMARY KEY (write_id, start)
    );
    ${MOVE_ENVELOPES}
  `,
};
