// Migration 0009: enrollment numbers, kept slips and the authority's record status. A kiosk
// identity and queued records written before it survive with the new columns empty (no code,
// no number, no authority state); the day counter takes only a YYMMDD day and 1..9999; numbers
// are unique among queued records while records without one may be many; a slip is a strict
// BLOB tied to a queued record; the authority's state is one it knows; the status cursor is
// one row that never goes below 0.
import { describe, expect, it } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

const NOW = '2026-03-01T09:00:00.000Z';
const ENROLLMENT = '3f0c6a52-9a43-4a8e-9a0e-4b1c2d3e4f50';
const NUMBER = 'K00A-260301-0001-XX'; // the store does not check the check characters: the sealer writes numbers

describe('migration 0009 numbers-slips-status', () => {
  const insertRecord = `INSERT INTO outbox (record_id, enrollment_id, state, size, digest, next_attempt_at, created_at, updated_at)
                        VALUES (?, ?, 'queued', 3, 'd', ?, ?, ?)`;

  function migrated() {
    const db = databaseAtVersion(8);
    db.prepare(`INSERT INTO kiosk_identity (singleton, kiosk_id, name, authority_url, signing_public_key, sealing_public_key,
                authority_signing_key_id, authority_signing_public_key, authority_sealing_key_id, authority_sealing_public_key, registered_at)
                VALUES (1, 'k-1', 'Front desk', 'https://authority.example', 's', 'x', 'ak', 'as', 'bk', 'bs', ?)`).run(NOW);
    db.prepare('INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ENROLLMENT, 'person', 'sealed', null, NOW, NOW);
    db.prepare(insertRecord).run('r-1', ENROLLMENT, NOW, NOW, NOW);
    db.prepare(insertRecord).run('r-2', null, NOW, NOW, NOW);
    expect(migrateTo(db, 9)).toEqual({ from: 8, to: 9 });
    return db;
  }

  it('keeps the kiosk identity and the queued records, with no code, no number and no authority state', () => {
    const db = migrated();
    expect(db.prepare('SELECT kiosk_id, name, code FROM kiosk_identity').all()).toEqual([{ kiosk_id: 'k-1', name: 'Front desk', code: null }]);
    expect(db.prepare(`SELECT record_id, enrollment_id, state, number, authority_state, authority_reason, authority_state_at
                       FROM outbox ORDER BY record_id`).all()).toEqual([
      { record_id: 'r-1', enrollment_id: ENROLLMENT, state: 'queued', number: null, authority_state: null, authority_reason: null, authority_state_at: null },
      { record_id: 'r-2', enrollment_id: null, state: 'queued', number: null, authority_state: null, authority_reason: null, authority_state_at: null },
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM enrollment_sequences').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM record_status_cursor').get()).toEqual({ n: 0 });
  });

  it('adds the new columns to the still strict kiosk_identity and outbox tables', () => {
    const db = migrated();
    expect(isStrict(db, 'kiosk_identity')).toBe(true);
    expect(isStrict(db, 'outbox')).toBe(true);
    expect(columnsOf(db, 'kiosk_identity').code).toEqual({ type: 'TEXT', notnull: 0, pk: 0 });
    expect(columnsOf(db, 'outbox')).toMatchObject({
      number: { type: 'TEXT', notnull: 0, pk: 0 },
      authority_state: { type: 'TEXT', notnull: 0, pk: 0 },
      authority_reason: { type: 'TEXT', notnull: 0, pk: 0 },
      authority_state_at: { type: 'TEXT', notnull: 0, pk: 0 },
    });
  });

  it('counts per day in a strict table: a YYMMDD day, one row a day, 1 to 9999', () => {
    const db = migrated();
    expect(isStrict(db, 'enrollment_sequences')).toBe(true);
    expect(columnsOf(db, 'enrollment_sequences')).toEqual({
      day: { type: 'TEXT', notnull: 1, pk: 1 }, // a STRICT table's primary key is never null
      last: { type: 'INTEGER', notnull: 1, pk: 0 },
    });
    const count = db.prepare('INSERT INTO enrollment_sequences (day, last) VALUES (?, ?)');
    count.run('260301', 1);
    count.run('260302', 9999);
    expect(() => count.run('260301', 2)).toThrow(/UNIQUE|PRIMARY KEY/);
    for (const [day, last] of [['2603011', 1], ['26031', 1], ['260303', 0], ['260304', 10000], ['260305', null]] as const) {
      expect(() => count.run(day, last)).toThrow(/CHECK|NOT NULL/);
    }
    expect(() => count.run('260307', 'many')).toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('keeps each number once among the queued records, and any number of records without one', () => {
    const db = migrated();
    const numbered = db.prepare('UPDATE outbox SET number = ? WHERE record_id = ?');
    numbered.run(NUMBER, 'r-1');
    expect(() => numbered.run(NUMBER, 'r-2')).toThrow(/UNIQUE/);
    db.prepare(insertRecord).run('r-3', null, NOW, NOW, NOW);
    expect(db.prepare('SELECT count(*) AS n FROM outbox WHERE number IS NULL').get()).toEqual({ n: 2 });
    const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT record_id FROM outbox WHERE number = ?').all(NUMBER) as { detail: string }[])
      .map((step) => step.detail).join('\n');
    expect(plan).toMatch(/USING (COVERING )?INDEX outbox_number/);
  });

  it('keeps slips in a strict table of BLOBs, one per queued record, only for a record that exists', () => {
    const db = migrated();
    expect(isStrict(db, 'slips')).toBe(true);
    expect(columnsOf(db, 'slips')).toEqual({
      record_id: { type: 'TEXT', notnull: 1, pk: 1 },
      envelope: { type: 'BLOB', notnull: 1, pk: 0 },
    });
    const keep = db.prepare('INSERT INTO slips (record_id, envelope) VALUES (?, ?)');
    expect(() => keep.run('nothing', Buffer.from('sealed'))).toThrow(/FOREIGN KEY/);
    keep.run('r-1', Buffer.from('sealed'));
    expect(() => keep.run('r-1', Buffer.from('again'))).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => keep.run('r-2', 'plain text')).toThrow(/cannot store TEXT value in BLOB column/);
    expect(() => keep.run('r-2', null)).toThrow(/NOT NULL/);
    expect(() => db.prepare("DELETE FROM outbox WHERE record_id = 'r-1'").run()).toThrow(/FOREIGN KEY/);
    expect(db.prepare('SELECT record_id, envelope FROM slips').all()).toEqual([{ record_id: 'r-1', envelope: Buffer.from('sealed') }]);
  });

  it('takes only the states the authority knows, and none', () => {
    const db = migrated();
    const state = db.prepare("UPDATE outbox SET authority_state = ?, authority_reason = ?, authority_state_at = ? WHERE record_id = 'r-1'");
    for (const known of ['received', 'in-review', 'accepted', 'rejected', null]) state.run(known, known === 'rejected' ? 'identity doubt' : null, NOW);
    for (const unknown of ['decided', 'Accepted', '', 'sent']) expect(() => state.run(unknown, null, NOW)).toThrow(/CHECK/);
    expect(db.prepare("SELECT authority_state FROM outbox WHERE record_id = 'r-1'").get()).toEqual({ authority_state: null });
  });

  it('keeps one status cursor, never below 0', () => {
    const db = migrated();
    expect(isStrict(db, 'record_status_cursor')).toBe(true);
    const cursor = db.prepare('INSERT INTO record_status_cursor (singleton, after) VALUES (?, ?)');
    expect(() => cursor.run(2, 0)).toThrow(/CHECK/);
    expect(() => cursor.run(1, -1)).toThrow(/CHECK/);
    cursor.run(1, 0);
    expect(() => cursor.run(1, 7)).toThrow(/UNIQUE|PRIMARY KEY/);
    db.prepare('UPDATE record_status_cursor SET after = 41 WHERE singleton = 1').run();
    expect(db.prepare('SELECT singleton, after FROM record_status_cursor').all()).toEqual([{ singleton: 1, after: 41 }]);
  });
});
