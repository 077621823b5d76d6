import { describe, expect, it } from 'vitest';
import { columnsOf, databaseAtVersion, isStrict, migrateTo } from './database-at-version.js';

describe('migration 0014 jobs', () => {
  it('adds the strict job table beside the queued records it leaves as they are', () => {
    const db = databaseAtVersion(13);
    db.prepare(`INSERT INTO outbox (record_id, state, size, digest, attempts, next_attempt_at, created_at, updated_at)
                VALUES ('r1', 'queued', 10, 'd', 0, '2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.000Z')`).run();
    expect(migrateTo(db, 14)).toEqual({ from: 13, to: 14 });
    expect(isStrict(db, 'jobs')).toBe(true);
    expect(columnsOf(db, 'jobs')).toMatchObject({
      id: { type: 'INTEGER', pk: 1 }, kind: { type: 'TEXT', notnull: 1 }, payload: { type: 'TEXT', notnull: 1 }, dedupe_key: { type: 'TEXT', notnull: 0 },
      state: { type: 'TEXT', notnull: 1 }, attempts: { type: 'INTEGER', notnull: 1 }, next_attempt_at: { type: 'TEXT', notnull: 1 },
      last_error_code: { type: 'TEXT', notnull: 0 }, last_error_message: { type: 'TEXT', notnull: 0 }, finished_at: { type: 'TEXT', notnull: 0 },
    });
    expect(db.prepare('SELECT record_id, state FROM outbox').all()).toEqual([{ record_id: 'r1', state: 'queued' }]);
  });

  it('refuses unknown states, negative attempts, payloads that are not JSON, and a second queued job under one key', () => {
    const db = databaseAtVersion(14);
    const insert = db.prepare(`INSERT INTO jobs (kind, payload, dedupe_key, state, attempts, next_attempt_at, created_at, updated_at)
                               VALUES (?, ?, ?, ?, ?, 't', 't', 't')`);
    expect(() => insert.run('k', '{}', null, 'paused', 0)).toThrow(/CHECK/);
    expect(() => insert.run('k', '{}', null, 'queued', -1)).toThrow(/CHECK/);
    expect(() => insert.run('k', 'not json', null, 'queued', 0)).toThrow(/CHECK/);
    insert.run('k', '{}', 'sync', 'queued', 0);
    insert.run('k', '{}', 'sync', 'running', 1); // a running job may have a queued successor
    insert.run('other', '{}', 'sync', 'queued', 0);
    insert.run('k', '{}', null, 'queued', 0);
    insert.run('k', '{}', null, 'queued', 0);
    expect(() => insert.run('k', '{}', 'sync', 'queued', 0)).toThrow(/UNIQUE/);
  });
});
