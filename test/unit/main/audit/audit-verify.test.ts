import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { appendAudit, auditHead } from '../../../../main/audit/audit-log.js';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

const AT = new Date('2026-03-01T09:00:00.000Z');

function logOf(count: number): Db {
  const db = openDatabase(':memory:');
  for (let i = 1; i <= count; i += 1) appendAudit(db, { actor: 'anna', action: `step.${i}`, details: { i }, at: AT });
  db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete');
  return db;
}

describe('verifyAudit', () => {
  it('accepts an empty log', () => {
    expect(verifyAudit(openDatabase(':memory:'))).toEqual({ ok: true, entries: 0, head: null });
  });

  it('accepts an intact log and reports its head', () => {
    const db = logOf(5);
    expect(verifyAudit(db)).toEqual({ ok: true, entries: 5, head: auditHead(db) });
  });

  it('names an entry whose contents were changed', () => {
    const db = logOf(5);
    db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 3").run();
    expect(verifyAudit(db)).toEqual({
      ok: false,
      entries: 2,
      firstBroken: { seq: 3, reason: 'hash-mismatch', message: 'entry 3 (step.3 at 2026-03-01T09:00:00.000Z): stored hash does not match its contents' },
    });
  });

  it('names an entry whose link to its predecessor was changed', () => {
    const db = logOf(5);
    db.prepare("UPDATE audit SET prev_hash = ? WHERE seq = 4").run('f'.repeat(64));
    expect(verifyAudit(db)).toMatchObject({
      ok: false,
      firstBroken: { seq: 4, reason: 'chain-broken', message: 'entry 4 (step.4 at 2026-03-01T09:00:00.000Z): its prev_hash does not match the hash of entry 3' },
    });
    db.prepare("UPDATE audit SET prev_hash = ? WHERE seq = 1").run('f'.repeat(64));
    expect(verifyAudit(db)).toMatchObject({ firstBroken: { seq: 1, reason: 'chain-broken', message: expect.stringMatching(/genesis value$/) } });
  });

  it.each([
    [[3], 3, 'entry 3 is missing (2 is followed by 4)'],
    [[3, 4], 3, 'entries 3–4 are missing (2 is followed by 5)'],
    [[1], 1, 'entry 1 is missing (the log starts at 2)'],
    [[5, 2], 2, 'entry 2 is missing (1 is followed by 3)'],
  ])('names removed entries %j', (removed, seq, message) => {
    const db = logOf(5);
    for (const gone of removed) db.prepare('DELETE FROM audit WHERE seq = ?').run(gone);
    expect(verifyAudit(db)).toEqual({ ok: false, entries: seq - 1, firstBroken: { seq, reason: 'sequence-gap', message } });
  });

  it('names a renumbered first entry', () => {
    const db = logOf(2);
    db.prepare('UPDATE audit SET seq = 0 WHERE seq = 1').run();
    expect(verifyAudit(db)).toMatchObject({ firstBroken: { seq: 0, reason: 'sequence-gap', message: expect.stringMatching(/must start at 1$/) } });
  });

  it.each([
    ['{"i":', 'its details are not valid JSON'],
    ['{ "i": 2 }', 'its details are not in canonical JSON form'],
    ['{"i":2.0}', 'its details are not in canonical JSON form'],
    ['{"i":1e400}', 'its details are not in canonical JSON form'],
  ])('names an entry whose details read %s', (details, problem) => {
    const db = logOf(3);
    db.prepare('UPDATE audit SET details = ? WHERE seq = 2').run(details);
    expect(verifyAudit(db)).toMatchObject({
      ok: false,
      entries: 1,
      firstBroken: { seq: 2, reason: 'undecodable', message: `entry 2 (step.2 at 2026-03-01T09:00:00.000Z): ${problem}` },
    });
  });

  it('reports exactly the row that was modified, whatever the log and the change', () => {
    const detailKeys = fc.constantFrom('role', 'reason', 'count', 'station', 'ok', 'recordId');
    const newEntry = fc.record({
      actor: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
      action: fc.stringMatching(/^[a-z]{1,8}\.[a-z]{1,8}$/),
      details: fc.dictionary(detailKeys, fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))),
      at: fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
    });
    const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
    const modification = fc.oneof(
      fc.record({ column: fc.constant('at'), value: fc.string() }),
      fc.record({ column: fc.constant('actor'), value: fc.option(fc.string(), { nil: null }) }),
      fc.record({ column: fc.constant('action'), value: fc.string() }),
      fc.record({ column: fc.constant('details'), value: fc.oneof(fc.json(), fc.string()) }),
      fc.record({ column: fc.constant('prev_hash'), value: hex64 }),
      fc.record({ column: fc.constant('hash'), value: hex64 }),
    );

    fc.assert(
      fc.property(fc.array(newEntry, { minLength: 1, maxLength: 12 }), fc.nat(), modification, (entries, pick, { column, value }) => {
        const db = openDatabase(':memory:');
        for (const entry of entries) appendAudit(db, entry);
        const seq = (pick % entries.length) + 1;
        const before = db.prepare(`SELECT ${column} AS value FROM audit WHERE seq = ?`).get(seq) as { value: string | null };
        fc.pre(before.value !== value);
        db.exec('DROP TRIGGER audit_no_update');
        db.prepare(`UPDATE audit SET ${column} = ? WHERE seq = ?`).run(value, seq);

        const result = verifyAudit(db);
        expect(result.ok).toBe(false);
        expect(result).toMatchObject({ entries: seq - 1, firstBroken: { seq } });
      }),
    );
  });
});
