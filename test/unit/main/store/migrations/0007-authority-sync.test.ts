import { describe, it, expect } from 'vitest';
import { databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const NOW = '2026-03-01T09:00:00.000Z';

describe('migration 0007 authority-sync', () => {
  function migrated() {
    const db = databaseAtVersion(6);
    db.prepare(`INSERT INTO outbox (record_id, state, size, digest, next_attempt_at, created_at, updated_at)
                VALUES ('r-1', 'queued', 3, 'd', ?, ?, ?)`).run(NOW, NOW, NOW);
    db.prepare('INSERT INTO sealed_payloads (record_id, envelope) VALUES (?, ?)').run('r-1', Buffer.from('sealed'));
    expect(migrateTo(db, 7)).toEqual({ from: 6, to: 7 });
    return db;
  }

  it('keeps queued envelopes and adds strict tables for documents and checkpoints', () => {
    const db = migrated();
    expect(db.prepare('SELECT record_id, envelope FROM sealed_payloads').all()).toEqual([{ record_id: 'r-1', envelope: Buffer.from('sealed') }]);
    expect(isStrict(db, 'authority_documents')).toBe(true);
    expect(isStrict(db, 'audit_checkpoints')).toBe(true);
  });

  it('keeps one document per known kind, with a positive version', () => {
    const db = migrated();
    const insert = db.prepare('INSERT INTO authority_documents (kind, version, document, verified_at) VALUES (?, ?, ?, ?)');
    insert.run('station-config', 1, '{}', NOW);
    expect(() => insert.run('station-config', 2, '{}', NOW)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => insert.run('firmware', 1, '{}', NOW)).toThrow(/CHECK constraint/);
    expect(() => insert.run('operators', 0, '{}', NOW)).toThrow(/CHECK constraint/);
  });

  it('keeps one checkpoint per audit sequence number', () => {
    const db = migrated();
    const insert = db.prepare('INSERT INTO audit_checkpoints (seq, head_hash, signed_at, signature, acknowledged_at) VALUES (?, ?, ?, ?, ?)');
    insert.run(5, 'a'.repeat(64), NOW, 's', NOW);
    expect(() => insert.run(5, 'b'.repeat(64), NOW, 's', NOW)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => insert.run('five', 'b'.repeat(64), NOW, 's', NOW)).toThrow(/cannot store TEXT value in INTEGER column|datatype mismatch/);
  });
});
