// Schema 4: which template slot (page) of the fingerprint module's library holds each
// operator's login finger. The template itself stays on the module; only the slot number
// and finger position are kept here, one finger per operator.
import type { Migration } from '../migrate.js';

export const operatorFingers: Migration = {
  version: 4,
  name: 'operator-fingers',
  up(db) {
    db.exec(`
      CREATE TABLE operator_fingers (
        operator_id INTEGER PRIMARY KEY REFERENCES operators (id),
        page INTEGER NOT NULL UNIQUE CHECK (page >= 0),
        position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10), -- ISO finger position
        enrolled_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
