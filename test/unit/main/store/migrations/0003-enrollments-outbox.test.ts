import { describe, it, expect } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const NOW = '2026-03-01T09:00:00.000Z';
const ENROLLMENT = '3f0c6a52-9a43-4a8e-9a0e-4b1c2d3e4f50';

describe('migration 0003 enrollments-outbox', () => {
  function migratedWithHistory() {
    const db = databaseAtVersion(2);
    db.prepare('INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(7, 'Anna', 'officer', 'h', NOW);
    db.prepare('INSERT INTO audit (seq, at, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(1, NOW, 'Anna', 'operator.create', '{"role":"officer"}', '0'.repeat(64), 'b'.repeat(64));
    expect(migrateTo(db, 3)).toEqual({ from: 2, to: 3 });
    return db;
  }
  const insertEnrollment = 'INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)';
  const insertOutbox = `INSERT INTO outbox (record_id, enrollment_id, state, size, digest, next_attempt_at, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

  it('keeps earlier data and adds strict tables without personal-data columns', () => {
    const db = migratedWithHistory();
    expect(db.prepare('SELECT id, name FROM operators').all()).toEqual([{ id: 7, name: 'Anna' }]);
    expect(db.prepare('SELECT seq, details FROM audit').all()).toEqual([{ seq: 1, details: '{"role":"officer"}' }]);
    expect(isStrict(db, 'enrollments')).toBe(true);
    expect(isStrict(db, 'outbox')).toBe(true);
    expect(Object.keys(columnsOf(db, 'enrollments'))).toEqual(['id', 'flow', 'state', 'operator_id', 'created_at', 'updated_at']);
    expect(Object.keys(columnsOf(db, 'outbox'))).toEqual([
      'record_id', 'enrollment_id', 'state', 'size', 'digest', 'attempts', 'next_attempt_at', 'last_error', 'created_at', 'updated_at',
    ]);
  });

  it('indexes the outbox by state and due time', () => {
    const db = migratedWithHistory();
    const columns = db.pragma('index_info(outbox_due)') as { name: string }[];
    expect(columns.map((column) => column.name)).toEqual(['state', 'next_attempt_at']);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT record_id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?").all(NOW) as { detail: string }[];
    expect(plan.map((step) => step.detail).join('\n')).toMatch(/USING INDEX outbox_due/);
  });

  it('links an outbox row to its enrollment and operator', () => {
    const db = migratedWithHistory();
    db.prepare(insertEnrollment).run(ENROLLMENT, 'person', 'sealed', 7, NOW, NOW);
    db.prepare(insertOutbox).run('rec-1', ENROLLMENT, 'queued', 301_000, 'sha256:ab', NOW, NOW, NOW);
    expect(db.prepare('SELECT state, attempts, last_error FROM outbox').get()).toEqual({ state: 'queued', attempts: 0, last_error: null });
  });

  it('refuses unknown flows and states, and references to missing rows', () => {
    const db = migratedWithHistory();
    expect(() => db.prepare(insertEnrollment).run(ENROLLMENT, 'vehicle', 'new', 7, NOW, NOW)).toThrow(/CHECK constraint/);
    expect(() => db.prepare(insertEnrollment).run(ENROLLMENT, 'company', 'new', 99, NOW, NOW)).toThrow(/FOREIGN KEY/);
    db.prepare(insertEnrollment).run(ENROLLMENT, 'company', 'new', null, NOW, NOW);
    expect(() => db.prepare(insertOutbox).run('rec-1', ENROLLMENT, 'lost', 1, 'd', NOW, NOW, NOW)).toThrow(/CHECK constraint/);
    expect(() => db.prepare(insertOutbox).run('rec-2', 'no-such-enrollment', 'queued', 1, 'd', NOW, NOW, NOW)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(insertOutbox).run('rec-3', ENROLLMENT, 'queued', '1 KB', 'd', NOW, NOW, NOW)).toThrow(/cannot store TEXT value in INTEGER column/);
  });
});
