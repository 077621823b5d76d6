// Schema 1: the people who may operate the kiosk, and station settings as JSON values.
import type { Migration } from '../migrate.js';

export const operatorsSettings: Migration = {
  version: 1,
  name: 'operators-settings',
  up(db) {
    db.exec(`
      CREATE TABLE operators (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'technician')),
        pin_hash TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT, -- ISO 8601 time, NULL when not locked
        created_at TEXT NOT NULL,
        disabled_at TEXT
      ) STRICT;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL, -- JSON
        updated_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
