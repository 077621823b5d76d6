// Schema 14: background work is a job table (main/jobs/): one row per piece of durable work — a
// sync round, a slip to print, an update to download — with its kind, a JSON payload that names
// what it works on by id (never personal data in clear), its state, attempts, when it may run
// next and its last error. A dedupe key makes "deliver the outbox" one waiting job, not one per
// record: at most one *queued* row per kind and key (a running one may have a queued successor).
import type { Migration } from '../migrate.js';

export const jobs: Migration = {
  version: 14,
  name: 'jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        dedupe_key TEXT,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at TEXT NOT NULL, -- ISO 8601; a queued job runs from then on
        last_error_code TEXT,
        last_error_message TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT -- done, failed or cancelled
      ) STRICT;
      CREATE INDEX jobs_due ON jobs (state, kind, next_attempt_at);
      CREATE UNIQUE INDEX jobs_queued_once ON jobs (kind, dedupe_key) WHERE state = 'queued' AND dedupe_key IS NOT NULL;
    `);
  },
};
