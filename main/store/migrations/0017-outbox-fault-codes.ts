// Schema 17: why a queued record's last attempt failed, as a code and a kind beside the message,
// so a fault a technician must fix (kind 'config': keys, clock, address, limits) stays on the sync
// panel and in diagnostics for as long as a record waits on it, and a supervisor's re-queue of a
// refused record is audited with the authority's code.
import type { Migration } from '../migrate.js';

export const outboxFaultCodes: Migration = {
  version: 17,
  name: 'outbox-fault-codes',
  up(db) {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN last_error_code TEXT;
      ALTER TABLE outbox ADD COLUMN last_error_kind TEXT CHECK (last_error_kind IN ('transient', 'config', 'reject', 'halt'));
    `);
  },
};
