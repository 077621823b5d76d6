// Schema 11: the CSCA certificates a technician imported, which anchor Passive Authentication
// of document chips (with those the authority sends in its station configuration). Public
// certificates, kept as DER with what a technician lists them by.
import type { Migration } from '../migrate.js';

export const cscaCertificates: Migration = {
  version: 11,
  name: 'csca-certificates',
  up(db) {
    db.exec(`
      CREATE TABLE csca_certificates (
        fingerprint TEXT PRIMARY KEY CHECK (length(fingerprint) = 64), -- SHA-256 of the DER, hex
        der BLOB NOT NULL,
        country TEXT NOT NULL CHECK (length(country) = 2),
        subject TEXT NOT NULL,
        not_after TEXT NOT NULL,
        source TEXT NOT NULL, -- the file it came from ("master list ICAO 2026-11.ml", "csca-de.pem")
        imported_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
