// Schema 13: PIN attempts wait after wrong PINs instead of a 15-minute lockout (auth/pin-throttle.ts).
// Per operator, `failed_attempts` now keeps counting past the fifth, `locked_until` holds the end
// of the current wait and `last_failed_at` the latest wrong PIN; the station's count over all names
// is one row. Lockouts written by the old rule end now: the five wrong PINs behind them stay
// counted (their 2-second wait is long over). `audit.at` is indexed for the supervisor's "wrong PINs
// in the last 24 hours".
import type { Migration } from '../migrate.js';

export const pinThrottle: Migration = {
  version: 13,
  name: 'pin-throttle',
  up(db) {
    db.exec(`
      ALTER TABLE operators ADD COLUMN last_failed_at TEXT; -- ISO 8601 time of the latest wrong PIN counted

      UPDATE operators
        SET failed_attempts = 5,
            last_failed_at = strftime('%Y-%m-%dT%H:%M:%fZ', locked_until, '-15 minutes'),
            locked_until = NULL
        WHERE locked_until IS NOT NULL;

      CREATE TABLE station_pin_throttle (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        failures INTEGER NOT NULL CHECK (failures >= 0),
        last_failed_at TEXT, -- ISO 8601 times; NULL while nothing is counted
        wait_until TEXT
      ) STRICT;
      INSERT INTO station_pin_throttle (id, failures) VALUES (1, 0);

      CREATE INDEX audit_at ON audit (at);
    `);
  },
};
