// Migration 0008: the enrollment as a durable workflow. Rows written by the old code survive
// with the new decision columns empty; triggers refuse a state outside the transition table on
// insert and on update; held enrollments get a strict table of envelopes tied to their row;
// the store overwrites what it deletes.
import { describe, it, expect } from 'vitest';
import { EnrollmentState } from '../../../../../main/rpc/schemas.js';
import { openDatabase } from '../../../../../main/store/database.js';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const NOW = '2026-03-01T09:00:00.000Z';
const SEALED = '3f0c6a52-9a43-4a8e-9a0e-4b1c2d3e4f50';
const LEFT_ON_FACE = '7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const CANCELLED = 'c0ffee00-1111-4222-8333-444455556666';

describe('migration 0008 enrollment-workflow', () => {
  const insertEnrollment = 'INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)';

  function migrated() {
    const db = databaseAtVersion(7);
    db.prepare('INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(7, 'Anna', 'officer', 'h', NOW);
    db.prepare('INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(8, 'Sven', 'supervisor', 'h', NOW);
    db.prepare(insertEnrollment).run(SEALED, 'person', 'sealed', 7, NOW, NOW);
    db.prepare(insertEnrollment).run(LEFT_ON_FACE, 'company', 'face', null, NOW, NOW);
    db.prepare(insertEnrollment).run(CANCELLED, 'person', 'cancelled', 7, NOW, NOW);
    db.prepare(`INSERT INTO outbox (record_id, enrollment_id, state, size, digest, next_attempt_at, created_at, updated_at)
                VALUES ('r-1', ?, 'queued', 3, 'd', ?, ?, ?)`).run(SEALED, NOW, NOW, NOW);
    expect(migrateTo(db, 8)).toEqual({ from: 7, to: 8 });
    return db;
  }

  it('keeps the old rows, with the new decision columns empty', () => {
    const db = migrated();
    expect(db.prepare(`SELECT id, flow, state, operator_id, second_approval, held_at, held_by, decided_at, decided_by, rejection_reason, record_id
                       FROM enrollments ORDER BY id`).all()).toEqual([SEALED, LEFT_ON_FACE, CANCELLED].sort().map((id) => ({
      id,
      flow: id === LEFT_ON_FACE ? 'company' : 'person',
      state: { [SEALED]: 'sealed', [LEFT_ON_FACE]: 'face', [CANCELLED]: 'cancelled' }[id],
      operator_id: id === LEFT_ON_FACE ? null : 7,
      second_approval: null, held_at: null, held_by: null, decided_at: null, decided_by: null, rejection_reason: null, record_id: null,
    })));
    expect(db.prepare('SELECT record_id, enrollment_id FROM outbox').all()).toEqual([{ record_id: 'r-1', enrollment_id: SEALED }]);
  });

  it('adds the decision columns to the still strict enrollments table', () => {
    const db = migrated();
    expect(isStrict(db, 'enrollments')).toBe(true);
    expect(columnsOf(db, 'enrollments')).toEqual({
      id: { type: 'TEXT', notnull: 1, pk: 1 },
      flow: { type: 'TEXT', notnull: 1, pk: 0 },
      state: { type: 'TEXT', notnull: 1, pk: 0 },
      operator_id: { type: 'INTEGER', notnull: 0, pk: 0 },
      created_at: { type: 'TEXT', notnull: 1, pk: 0 },
      updated_at: { type: 'TEXT', notnull: 1, pk: 0 },
      second_approval: { type: 'TEXT', notnull: 0, pk: 0 },
      held_at: { type: 'TEXT', notnull: 0, pk: 0 },
      held_by: { type: 'INTEGER', notnull: 0, pk: 0 },
      decided_at: { type: 'TEXT', notnull: 0, pk: 0 },
      decided_by: { type: 'INTEGER', notnull: 0, pk: 0 },
      rejection_reason: { type: 'TEXT', notnull: 0, pk: 0 },
      record_id: { type: 'TEXT', notnull: 0, pk: 0 },
    });
  });

  it('takes every state of the transition table, on insert and on update', () => {
    const db = migrated();
    for (const [i, state] of EnrollmentState.options.entries()) {
      db.prepare(insertEnrollment).run(`e-${i}`, 'person', state, null, NOW, NOW);
      db.prepare('UPDATE enrollments SET state = ? WHERE id = ?').run(state, LEFT_ON_FACE);
      expect(db.prepare('SELECT state FROM enrollments WHERE id = ?').get(LEFT_ON_FACE)).toEqual({ state });
    }
  });

  it.each(['started', 'approved', 'Sealed', '', 'review '])('refuses the unknown state "%s" on insert and on update', (state) => {
    const db = migrated();
    expect(() => db.prepare(insertEnrollment).run('e-new', 'person', state, null, NOW, NOW)).toThrow(/unknown enrollment state/);
    expect(() => db.prepare('UPDATE enrollments SET state = ? WHERE id = ?').run(state, LEFT_ON_FACE)).toThrow(/unknown enrollment state/);
    expect(db.prepare('SELECT count(*) AS n FROM enrollments').get()).toEqual({ n: 3 });
    expect(db.prepare('SELECT state FROM enrollments WHERE id = ?').get(LEFT_ON_FACE)).toEqual({ state: 'face' });
  });

  it('lets other columns of a row change without a state check getting in the way', () => {
    const db = migrated();
    db.prepare("UPDATE enrollments SET held_at = ?, held_by = 7, second_approval = '[\"face-exception\"]' WHERE id = ?").run(NOW, SEALED);
    db.prepare('UPDATE enrollments SET decided_at = ?, decided_by = 8, record_id = ? WHERE id = ?').run(NOW, 'r-1', SEALED);
    expect(db.prepare('SELECT held_by, decided_by FROM enrollments WHERE id = ?').get(SEALED)).toEqual({ held_by: 7, decided_by: 8 });
  });

  it('refuses a holder or decider who is no operator', () => {
    const db = migrated();
    expect(() => db.prepare('UPDATE enrollments SET held_by = 99 WHERE id = ?').run(LEFT_ON_FACE)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare('UPDATE enrollments SET decided_by = 99 WHERE id = ?').run(LEFT_ON_FACE)).toThrow(/FOREIGN KEY/);
  });

  it('keeps held envelopes in a strict table, one per enrollment, only for an enrollment that exists', () => {
    const db = migrated();
    expect(isStrict(db, 'held_enrollments')).toBe(true);
    expect(columnsOf(db, 'held_enrollments')).toEqual({
      enrollment_id: { type: 'TEXT', notnull: 1, pk: 1 },
      envelope: { type: 'BLOB', notnull: 1, pk: 0 },
    });
    const hold = db.prepare('INSERT INTO held_enrollments (enrollment_id, envelope) VALUES (?, ?)');
    expect(() => hold.run('nobody', Buffer.from('sealed'))).toThrow(/FOREIGN KEY/);
    hold.run(LEFT_ON_FACE, Buffer.from('sealed'));
    expect(() => hold.run(LEFT_ON_FACE, Buffer.from('again'))).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => hold.run(CANCELLED, 'plain text')).toThrow(/cannot store TEXT value in BLOB column/);
    expect(() => hold.run(CANCELLED, null)).toThrow(/NOT NULL/);
    expect(() => db.prepare('DELETE FROM enrollments WHERE id = ?').run(LEFT_ON_FACE)).toThrow(/FOREIGN KEY/);
    expect(db.prepare('SELECT enrollment_id, envelope FROM held_enrollments').all()).toEqual([{ enrollment_id: LEFT_ON_FACE, envelope: Buffer.from('sealed') }]);
  });

  it('lists held enrollments through the state index', () => {
    const db = migrated();
    const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM enrollments WHERE state = 'awaiting-review' ORDER BY held_at, id`).all() as { detail: string }[])
      .map((step) => step.detail).join('\n');
    expect(plan).toMatch(/USING (COVERING )?INDEX enrollments_state/);
  });
});

describe('openDatabase', () => {
  it('overwrites deleted content (a dropped held envelope leaves nothing in free pages)', () => {
    expect(openDatabase(':memory:').pragma('secure_delete', { simple: true })).toBe(1);
  });
});
