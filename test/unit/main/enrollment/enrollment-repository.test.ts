// The one owner of the enrollments and held_enrollments tables, against an in-memory store:
// rows are written and moved by state (moveState only from the state it names), held envelopes
// are kept and dropped, the held list comes oldest first with its reasons (a row whose stored
// reasons do not parse lists with none, without taking the list down), one held row is looked
// up by id, decisions are recorded, and the enrollments a stopped kiosk left on a capture step
// are found.

import { describe, expect, it } from 'vitest';
import { EnrollmentRepository } from '../../../../main/enrollment/enrollment-repository.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

const T0 = '2024-06-15T12:00:00.000Z';
const T1 = '2024-06-15T12:10:00.000Z';
const T2 = '2024-06-15T12:20:00.000Z';

function store(): { db: Db; repository: EnrollmentRepository } {
  const db = openDatabase(':memory:');
  const operator = db.prepare('INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)');
  operator.run(3, 'Olga', 'officer', 'h', T0);
  operator.run(8, 'Sina', 'supervisor', 'h', T0);
  return { db, repository: new EnrollmentRepository(db) };
}

const row = (db: Db, id: string) => db.prepare('SELECT * FROM enrollments WHERE id = ?').get(id);

describe('EnrollmentRepository', () => {
  it('writes a new enrollment and moves its state', () => {
    const { db, repository } = store();
    repository.insert({ id: 'e-1', flow: 'person', state: 'document', ranBy: 3, at: T0 });
    expect(repository.state('e-1')).toBe('document');
    expect(repository.state('nobody')).toBeNull();
    repository.setState('e-1', 'face', T1);
    expect(row(db, 'e-1')).toMatchObject({ flow: 'person', state: 'face', operator_id: 3, created_at: T0, updated_at: T1 });
    expect(() => repository.setState('e-1', 'approved' as never, T2)).toThrow(/unknown enrollment state/);
    expect(repository.state('e-1')).toBe('face');
  });

  it('keeps a held enrollment\'s envelope and who held it why, and lists the held oldest first', () => {
    const { db, repository } = store();
    for (const [id, flow] of [['e-b', 'company'], ['e-a', 'person'], ['e-c', 'person']] as const) {
      repository.insert({ id, flow, state: 'review', ranBy: flow === 'person' ? 3 : null, at: T0 });
    }
    repository.hold('e-b', { envelope: Buffer.from('sealed b'), at: T1, by: 3, reasons: ['face-exception'] });
    repository.setState('e-b', 'awaiting-review', T1);
    repository.hold('e-a', { envelope: Buffer.from('sealed a'), at: T2, by: 8, reasons: ['face-review-band', 'finger-duplicate'] });
    repository.setState('e-a', 'awaiting-review', T2);
    expect(repository.countHeld()).toBe(2);
    expect(repository.listHeld()).toEqual([
      { id: 'e-b', flow: 'company', ranBy: null, heldAt: T1, heldBy: 3, reasons: ['face-exception'] },
      { id: 'e-a', flow: 'person', ranBy: 3, heldAt: T2, heldBy: 8, reasons: ['face-review-band', 'finger-duplicate'] },
    ]);
    expect(repository.heldEnvelope('e-a')).toEqual(Buffer.from('sealed a'));
    expect(repository.heldEnvelope('e-c')).toBeNull();
    expect(row(db, 'e-a')).toMatchObject({ second_approval: '["face-review-band","finger-duplicate"]', held_at: T2, held_by: 8 });
  });

  it('records an approval and a rejection, and drops the envelope', () => {
    const { db, repository } = store();
    for (const id of ['e-1', 'e-2']) {
      repository.insert({ id, flow: 'person', state: 'review', ranBy: 3, at: T0 });
      repository.hold(id, { envelope: Buffer.from(id), at: T1, by: 3, reasons: ['finger-exception'] });
      repository.setState(id, 'awaiting-review', T1);
    }
    repository.recordApproval('e-1', { by: 8, at: T2, reasons: ['finger-exception'], recordId: 'r-1' });
    repository.setState('e-1', 'sealed', T2);
    repository.dropHeld('e-1');
    repository.recordRejection('e-2', { by: 8, at: T2, reason: 'poor-captures' });
    repository.setState('e-2', 'rejected', T2);
    repository.dropHeld('e-2');
    expect(row(db, 'e-1')).toMatchObject({ state: 'sealed', decided_at: T2, decided_by: 8, record_id: 'r-1', rejection_reason: null });
    expect(row(db, 'e-2')).toMatchObject({ state: 'rejected', decided_at: T2, decided_by: 8, record_id: null, rejection_reason: 'poor-captures' });
    expect(db.prepare('SELECT count(*) AS n FROM held_enrollments').get()).toEqual({ n: 0 });
    expect(repository.listHeld()).toEqual([]);
    expect(repository.countHeld()).toBe(0);
  });

  it('finds the enrollments left on a capture step, oldest first, and no others', () => {
    const { repository } = store();
    const states = ['document', 'awaiting-review', 'review', 'sealed', 'face', 'cancelled', 'fingerprints', 'abandoned', 'details', 'rejected'] as const;
    states.forEach((state, i) => repository.insert({
      id: `e-${state}`, flow: 'person', state, ranBy: null, at: `2024-06-15T12:${String(59 - i).padStart(2, '0')}:00.000Z`,
    }));
    expect(repository.unfinished()).toEqual(['e-details', 'e-fingerprints', 'e-face', 'e-review', 'e-document']);
  });

  it.each([['reasons it does not know', '["bad-weather"]'], ['no JSON', '[face-exception'], ['no list', '{"face-exception":true}']])(
    'lists a held row whose stored reasons are %s with none, never showing them, and the other rows as they are',
    (_name, stored) => {
      const { db, repository } = store();
      for (const id of ['e-bad', 'e-good']) {
        repository.insert({ id, flow: 'person', state: 'review', ranBy: 3, at: T0 });
        repository.hold(id, { envelope: Buffer.from(id), at: id === 'e-bad' ? T1 : T2, by: 3, reasons: ['finger-exception'] });
        repository.setState(id, 'awaiting-review', T1);
      }
      db.prepare('UPDATE enrollments SET second_approval = ? WHERE id = ?').run(stored, 'e-bad');
      expect(repository.listHeld()).toEqual([
        { id: 'e-bad', flow: 'person', ranBy: 3, heldAt: T1, heldBy: 3, reasons: [] },
        { id: 'e-good', flow: 'person', ranBy: 3, heldAt: T2, heldBy: 3, reasons: ['finger-exception'] },
      ]);
      expect(repository.heldRow('e-bad')).toMatchObject({ id: 'e-bad', reasons: [] });
    },
  );

  it('moves a row only from the state it names, refusing (and changing nothing) otherwise', () => {
    const { db, repository } = store();
    repository.insert({ id: 'e-1', flow: 'person', state: 'review', ranBy: 3, at: T0 });
    repository.moveState('e-1', 'review', 'awaiting-review', T1);
    expect(row(db, 'e-1')).toMatchObject({ state: 'awaiting-review', updated_at: T1 });
    // A row someone set back to rejected is not approved from the queue.
    repository.setState('e-1', 'rejected', T1);
    expect(() => repository.moveState('e-1', 'awaiting-review', 'sealed', T2)).toThrow(expect.objectContaining({
      code: 'ENROLLMENT_STATE_CONFLICT', details: { id: 'e-1', from: 'awaiting-review', to: 'sealed' },
    }));
    expect(row(db, 'e-1')).toMatchObject({ state: 'rejected', updated_at: T1 });
    expect(() => repository.moveState('nobody', 'review', 'sealed', T2)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_STATE_CONFLICT' }));
    expect(db.prepare('SELECT count(*) AS n FROM enrollments').get()).toEqual({ n: 1 });
  });

  it('looks up one held row by id, and nothing for a row that is not held', () => {
    const { repository } = store();
    for (const id of ['e-held', 'e-review', 'e-sealed']) repository.insert({ id, flow: 'company', state: 'review', ranBy: null, at: T0 });
    repository.hold('e-held', { envelope: Buffer.from('sealed'), at: T1, by: 8, reasons: ['face-exception'] });
    repository.setState('e-held', 'awaiting-review', T1);
    repository.hold('e-sealed', { envelope: Buffer.from('sealed'), at: T1, by: 8, reasons: ['face-exception'] });
    repository.setState('e-sealed', 'sealed', T2);
    expect(repository.heldRow('e-held')).toEqual({ id: 'e-held', flow: 'company', ranBy: null, heldAt: T1, heldBy: 8, reasons: ['face-exception'] });
    expect(repository.heldRow('e-review')).toBeNull();
    expect(repository.heldRow('e-sealed')).toBeNull();
    expect(repository.heldRow('nobody')).toBeNull();
  });
});
