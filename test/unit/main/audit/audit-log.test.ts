import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { appendAudit, auditHead, GENESIS_PREV_HASH, listAudit } from '../../../../main/audit/audit-log.js';
import { openDatabase } from '../../../../main/store/database.js';

const AT = new Date('2026-03-01T09:00:00.000Z');

describe('appendAudit', () => {
  it('hashes entry 1 over its canonical fields and the genesis value', () => {
    const db = openDatabase(':memory:');
    const entry = appendAudit(db, { actor: null, action: 'kiosk.start', details: { version: '0.1.0', lanes: 2 }, at: AT });
    const preimage =
      '{"action":"kiosk.start","actor":null,"at":"2026-03-01T09:00:00.000Z","details":{"lanes":2,"version":"0.1.0"},' +
      `"prevHash":"${'0'.repeat(64)}","seq":1}`;
    expect(entry).toEqual({
      seq: 1,
      at: '2026-03-01T09:00:00.000Z',
      actor: null,
      action: 'kiosk.start',
      details: { version: '0.1.0', lanes: 2 },
      prevHash: GENESIS_PREV_HASH,
      hash: createHash('sha256').update(preimage).digest('hex'),
    });
    expect(db.prepare('SELECT details FROM audit WHERE seq = 1').get()).toEqual({ details: '{"lanes":2,"version":"0.1.0"}' });
  });

  it('chains each entry to the one before and reads them back in order', () => {
    const db = openDatabase(':memory:');
    expect(auditHead(db)).toBeNull();
    const appended = ['a', 'b', 'c', 'd'].map((name) => appendAudit(db, { actor: 'anna', action: `test.${name}`, at: AT }));
    expect(appended.map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
    expect(appended.slice(1).map((entry) => entry.prevHash)).toEqual(appended.slice(0, -1).map((entry) => entry.hash));
    expect(new Set(appended.map((entry) => entry.hash)).size).toBe(4);
    expect(auditHead(db)).toEqual({ seq: 4, hash: appended[3]!.hash });
    expect(listAudit(db)).toEqual(appended);
    expect(listAudit(db, { afterSeq: 1, limit: 2 })).toEqual(appended.slice(1, 3));
    expect(listAudit(db, { afterSeq: 4 })).toEqual([]);
  });

  it('commits and rolls back together with the caller’s transaction', () => {
    const db = openDatabase(':memory:');
    const createOperator = db.transaction((name: string, fail: boolean) => {
      db.prepare('INSERT INTO operators (name, role, pin_hash, created_at) VALUES (?, ?, ?, ?)').run(name, 'officer', 'h', AT.toISOString());
      appendAudit(db, { actor: 'tech', action: 'operator.create', details: { name } });
      if (fail) throw new Error('later step failed');
    });
    createOperator('Anna', false);
    expect(() => createOperator('Bo', true)).toThrow('later step failed');
    expect(db.prepare('SELECT name FROM operators').all()).toEqual([{ name: 'Anna' }]);
    expect(listAudit(db).map((entry) => entry.details)).toEqual([{ name: 'Anna' }]);
  });

  it('writes nothing when the details are unsafe', () => {
    const db = openDatabase(':memory:');
    expect(() => appendAudit(db, { actor: 'anna', action: 'document.read', details: { documentNumber: 'X' } })).toThrow(
      expect.objectContaining({ code: 'AUDIT_UNSAFE_DETAILS' }),
    );
    expect(auditHead(db)).toBeNull();
  });

  it('reports an entry whose stored details are not JSON when listing', () => {
    const db = openDatabase(':memory:');
    appendAudit(db, { actor: 'anna', action: 'login', at: AT });
    db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET details = '{' WHERE seq = 1");
    expect(() => listAudit(db)).toThrow(
      expect.objectContaining({ code: 'AUDIT_UNDECODABLE', message: expect.stringMatching(/^Audit entry 1 \(login at 2026-03-01T09:00:00.000Z\)/) }),
    );
  });

  it('is append-only: the store refuses UPDATE and DELETE', () => {
    const db = openDatabase(':memory:');
    appendAudit(db, { actor: 'anna', action: 'login', at: AT });
    expect(() => db.prepare("UPDATE audit SET actor = 'mallory'").run()).toThrow('audit log is append-only');
    expect(() => db.prepare('DELETE FROM audit WHERE seq = 1').run()).toThrow('audit log is append-only');
    expect(listAudit(db).map((entry) => entry.actor)).toEqual(['anna']);
  });
});
