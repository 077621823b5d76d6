// Schema 8: the enrollment as a durable workflow. Its row says who decided it and why it
// needed a second approval; an enrollment held for a supervisor keeps its captures in
// `held_enrollments`, sealed to the kiosk's own key (never as plain personal data). States
// outside the transition table are refused by triggers (ALTER TABLE cannot add a CHECK).
import type { Migration } from '../migrate.js';

const STATES = "('document', 'face', 'fingerprints', 'details', 'review', 'awaiting-review', 'sealed', 'rejected', 'cancelled', 'abandoned')";

export const enrollmentWorkflow: Migration = {
  version: 8,
  name: 'enrollment-workflow',
  up(db) {
    db.exec(`
      ALTER TABLE enrollments ADD COLUMN second_approval TEXT; -- JSON array of reasons, set when it is held or approved
      ALTER TABLE enrollments ADD COLUMN held_at TEXT;
      ALTER TABLE enrollments ADD COLUMN held_by INTEGER REFERENCES operators (id);
      ALTER TABLE enrollments ADD COLUMN decided_at TEXT;
      ALTER TABLE enrollments ADD COLUMN decided_by INTEGER REFERENCES operators (id);
      ALTER TABLE enrollments ADD COLUMN rejection_reason TEXT;
      ALTER TABLE enrollments ADD COLUMN record_id TEXT;

      CREATE INDEX enrollments_state ON enrollments (state, held_at);

      CREATE TRIGGER enrollments_state_insert BEFORE INSERT ON enrollments
        WHEN NEW.state NOT IN ${STATES}
        BEGIN SELECT RAISE(ABORT, 'unknown enrollment state'); END;
      CREATE TRIGGER enrollments_state_update BEFORE UPDATE OF state ON enrollments
        WHEN NEW.state NOT IN ${STATES}
        BEGIN SELECT RAISE(ABORT, 'unknown enrollment state'); END;

      CREATE TABLE held_enrollments (
        enrollment_id TEXT PRIMARY KEY REFERENCES enrollments (id),
        envelope BLOB NOT NULL -- GHSR envelope sealed to the kiosk's own X25519 key
      ) STRICT;
    `);
  },
};
