import { describe, it, expect } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const NOW = '2026-03-01T09:00:00.000Z';

describe('migration 0006 sealed-payloads', () => {
  const insertOutbox = `INSERT INTO outbox (record_id, state, size, digest, next_attempt_at, created_at, updated_at)
    VALUES (?, 'queued', 3, 'd', ?, ?, ?)`;

  function migrated() {
    const db = databaseAtVersion(5);
    db.prepare(insertOutbox).run('old-1', NOW, NOW, NOW);
    expect(migrateTo(db, 6)).toEqual({ from: 5, to: 6 });
    return db;
  }

  it('keeps queued rows and gives them room for a receipt, retention and export', () => {
    const db = migrated();
    expect(db.prepare('SELECT record_id, state, receipt, purge_after, bundle_id FROM outbox').all())
      .toEqual([{ record_id: 'old-1', state: 'queued', receipt: null, purge_after: null, bundle_id: null }]);
    expect(isStrict(db, 'sealed_payloads')).toBe(true);
    expect(columnsOf(db, 'sealed_payloads')).toEqual({
      record_id: { type: 'TEXT', notnull: 1, pk: 1 },
      envelope: { type: 'BLOB', notnull: 1, pk: 0 },
    });
  });

  it('polls the queue through its index without touching the envelopes', () => {
    const db = migrated();
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.includes('?') ? [NOW] : [])) as { detail: string }[]).map((s) => s.detail).join('\n');
    const due = plan("SELECT record_id, size, digest, attempts FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at");
    expect(due).toMatch(/USING INDEX outbox_due/);
    expect(due).not.toMatch(/sealed_payloads/);
    const purge = plan("SELECT record_id FROM outbox INDEXED BY outbox_purge WHERE state = 'accepted' AND purged_at IS NULL AND purge_after <= ?");
    expect(purge).toMatch(/USING INDEX outbox_purge \(purge_after<\?\)/);
    expect(plan("SELECT min(created_at) FROM outbox WHERE state = 'queued'")).toMatch(/outbox_age/);
  });

  it('refuses an envelope for no outbox row, and dropping one before its receipt', () => {
    const db = migrated();
    expect(() => db.prepare('INSERT INTO sealed_payloads (record_id, envelope) VALUES (?, ?)').run('nobody', Buffer.from('x'))).toThrow(/FOREIGN KEY/);
    db.prepare('INSERT INTO sealed_payloads (record_id, envelope) VALUES (?, ?)').run('old-1', Buffer.from('sealed'));
    expect(() => db.prepare('DELETE FROM sealed_payloads WHERE record_id = ?').run('old-1')).toThrow(/kept until the authority has given a receipt/);
    db.prepare("UPDATE outbox SET state = 'accepted', receipt = '{}' WHERE record_id = ?").run('old-1');
    expect(db.prepare('DELETE FROM sealed_payloads WHERE record_id = ?').run('old-1').changes).toBe(1);
  });
});
