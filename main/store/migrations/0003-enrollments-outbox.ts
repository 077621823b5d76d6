// Schema 3: enrollment sessions (no personal data: documents and biometrics reach the disk
// only sealed) and the outbox of records waiting for delivery to the authority.
import type { Migration } from '../migrate.js';

export const enrollmentsOutbox: Migration = {
  version: 3,
  name: 'enrollments-outbox',
  up(db) {
    db.exec(`
      CREATE TABLE enrollments (
        id TEXT PRIMARY KEY, -- uuid
        flow TEXT NOT NULL CHECK (flow IN ('person', 'company')),
        state TEXT NOT NULL,
        operator_id INTEGER REFERENCES operators (id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE outbox (
        record_id TEXT PRIMARY KEY,
        enrollment_id TEXT REFERENCES enrollments (id),
        state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'accepted', 'rejected')),
        size INTEGER NOT NULL,
        digest TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
    `);
  },
};
