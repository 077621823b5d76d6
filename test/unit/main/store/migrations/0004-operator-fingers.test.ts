import { describe, it, expect } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const NOW = '2026-03-01T09:00:00.000Z';

describe('migration 0004 operator-fingers', () => {
  function migratedWithOperators() {
    const db = databaseAtVersion(3);
    const insert = db.prepare('INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)');
    insert.run(7, 'Anna', 'officer', 'h', NOW);
    insert.run(8, 'Bo', 'supervisor', 'h', NOW);
    db.prepare('INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run('e-1', 'person', 'fingerprints', 7, NOW, NOW);
    expect(migrateTo(db, 4)).toEqual({ from: 3, to: 4 });
    return db;
  }
  const insertFinger = 'INSERT INTO operator_fingers (operator_id, page, position, enrolled_at) VALUES (?, ?, ?, ?)';

  it('keeps earlier data and adds a strict table holding slot numbers, not templates', () => {
    const db = migratedWithOperators();
    expect(db.prepare('SELECT id, name FROM operators ORDER BY id').all()).toEqual([{ id: 7, name: 'Anna' }, { id: 8, name: 'Bo' }]);
    expect(db.prepare('SELECT id, state FROM enrollments').all()).toEqual([{ id: 'e-1', state: 'fingerprints' }]);
    expect(isStrict(db, 'operator_fingers')).toBe(true);
    expect(columnsOf(db, 'operator_fingers')).toEqual({
      operator_id: { type: 'INTEGER', notnull: 0, pk: 1 },
      page: { type: 'INTEGER', notnull: 1, pk: 0 },
      position: { type: 'INTEGER', notnull: 1, pk: 0 },
      enrolled_at: { type: 'TEXT', notnull: 1, pk: 0 },
    });
  });

  it('maps one finger per operator and one operator per library slot', () => {
    const db = migratedWithOperators();
    db.prepare(insertFinger).run(7, 0, 2, NOW);
    expect(() => db.prepare(insertFinger).run(7, 1, 7, NOW)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => db.prepare(insertFinger).run(8, 0, 7, NOW)).toThrow(/UNIQUE constraint failed: operator_fingers.page/);
    db.prepare(insertFinger).run(8, 1, 7, NOW);
    expect(db.prepare('SELECT operator_id FROM operator_fingers WHERE page = ?').get(1)).toEqual({ operator_id: 8 });
  });

  it('refuses unknown operators, negative slots, positions outside 1–10 and wrongly typed values', () => {
    const db = migratedWithOperators();
    expect(() => db.prepare(insertFinger).run(99, 0, 2, NOW)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(insertFinger).run(7, -1, 2, NOW)).toThrow(/CHECK constraint/);
    expect(() => db.prepare(insertFinger).run(7, 0, 0, NOW)).toThrow(/CHECK constraint/);
    expect(() => db.prepare(insertFinger).run(7, 0, 11, NOW)).toThrow(/CHECK constraint/);
    expect(() => db.prepare(insertFinger).run(7, 'first', 2, NOW)).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(db.prepare('SELECT count(*) AS n FROM operator_fingers').get()).toEqual({ n: 0 });
  });
});
