// The records list, read from rows written by hand into an in-memory store: every state along
// the way (held, rejected at the kiosk, sealed with how many wait ahead of it, refused by the
// authority on delivery, sent, received, in review, decided accepted or rejected with reason and
// time), who ran each, whether its slip is still kept, newest first; enrollments that ended
// otherwise are not listed. `since` keeps what ended from then on (held ones and refused deliveries
// whatever their age), `operatorId` one operator's, `recordId` one record; `startOfKioskDay` is the kiosk's
// local midnight.

import { afterEach, describe, expect, it } from 'vitest';
import { listRecords, startOfKioskDay } from '../../../../main/records/record-list.js';
import { RecordEntry } from '../../../../main/rpc/procedures/records.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

const OFFICER = { id: 3, name: 'Olga Officer', role: 'officer' } as const;
const SUPERVISOR = { id: 8, name: 'Sina Supervisor', role: 'supervisor' } as const;

/** Minutes into 1 March 2026 (UTC); negative: the day before. */
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 8, minute)).toISOString();
const YESTERDAY = new Date(Date.UTC(2026, 1, 28, 15, 0)).toISOString();

interface Row {
  id: string;
  flow?: 'person' | 'company';
  state: string;
  by?: number | null;
  updated: string;
  heldAt?: string;
  decidedAt?: string;
  rejection?: string;
  record?: {
    id: string; number: string | null; state: 'queued' | 'sending' | 'accepted' | 'rejected'; created: string; lastError?: string;
    authority?: { state: string; reason?: string | null; at: string };
    slip?: boolean;
  };
}

function store(rows: Row[]): Db {
  const db = openDatabase(':memory:');
  for (const op of [OFFICER, SUPERVISOR]) {
    db.prepare('INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(op.id, op.name, op.role, 'h', YESTERDAY);
  }
  for (const row of rows) {
    db.prepare(`INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at, held_at, decided_at, rejection_reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(row.id, row.flow ?? 'person', row.state, row.by === undefined ? OFFICER.id : row.by, YESTERDAY, row.updated,
        row.heldAt ?? null, row.decidedAt ?? null, row.rejection ?? null);
    const record = row.record;
    if (!record) continue;
    db.prepare(`INSERT INTO outbox (record_id, enrollment_id, number, state, size, digest, next_attempt_at, created_at, updated_at,
                authority_state, authority_reason, authority_state_at, last_error) VALUES (?, ?, ?, ?, 100, 'd', ?, ?, ?, ?, ?, ?, ?)`)
      .run(record.id, row.id, record.number, record.state, record.created, record.created, record.created,
        record.authority?.state ?? null, record.authority?.reason ?? null, record.authority?.at ?? null, record.lastError ?? null);
    if (record.slip) db.prepare('INSERT INTO slips (record_id, envelope) VALUES (?, ?)').run(record.id, Buffer.from('sealed slip'));
  }
  return db;
}

/** A record queued outside any enrollment (synthetic load): it waits in the queue like the others. */
function queueSynthetic(db: Db, recordId: string, created: string): void {
  db.prepare(`INSERT INTO outbox (record_id, enrollment_id, state, size, digest, next_attempt_at, created_at, updated_at)
              VALUES (?, NULL, 'queued', 10, 'd', ?, ?, ?)`).run(recordId, created, created, created);
}

const number = (sequence: number) => `K00A-260301-${String(sequence).padStart(4, '0')}-XX`;

const ROWS: Row[] = [
  { id: 'e-held', state: 'awaiting-review', updated: YESTERDAY, heldAt: YESTERDAY },
  { id: 'e-rejected', flow: 'company', state: 'rejected', by: null, updated: at(5), decidedAt: at(5), rejection: 'poor-captures' },
  { id: 'e-queued', state: 'sealed', updated: at(10), record: { id: 'r-queued', number: number(1), state: 'queued', created: at(10), slip: true } },
  { id: 'e-sending', state: 'sealed', by: SUPERVISOR.id, updated: at(12), record: { id: 'r-sending', number: number(2), state: 'sending', created: at(12) } },
  { id: 'e-refused', state: 'sealed', updated: at(14), record: {
    id: 'r-refused', number: number(3), state: 'rejected', created: at(14), lastError: 'Record r-refused is already held with different content.',
  } },
  { id: 'e-sent', state: 'sealed', updated: at(16), record: { id: 'r-sent', number: number(4), state: 'accepted', created: at(16), slip: true } },
  { id: 'e-received', state: 'sealed', updated: at(18), record: {
    id: 'r-received', number: number(5), state: 'accepted', created: at(18), authority: { state: 'received', at: at(30) },
  } },
  { id: 'e-in-review', state: 'sealed', updated: at(20), record: {
    id: 'r-in-review', number: number(6), state: 'accepted', created: at(20), authority: { state: 'in-review', reason: 'second look', at: at(31) },
  } },
  { id: 'e-accepted', state: 'sealed', updated: at(22), record: {
    id: 'r-accepted', number: number(7), state: 'accepted', created: at(22), authority: { state: 'accepted', at: at(32) },
  } },
  { id: 'e-denied', flow: 'company', state: 'sealed', by: SUPERVISOR.id, updated: at(24), record: {
    id: 'r-denied', number: number(8), state: 'accepted', created: at(24), authority: { state: 'rejected', reason: 'identity doubt', at: at(33) },
  } },
  ...(['document', 'face', 'fingerprints', 'details', 'review', 'cancelled', 'abandoned'] as const)
    .map((state, i): Row => ({ id: `e-${state}`, state, updated: at(40 + i) })),
];

const base = { decision: null, reason: null, decidedAt: null, ahead: null, slipKept: false };

describe('listRecords', () => {
  it('shows every state along the way, newest first, and nothing that ended otherwise', () => {
    const db = store(ROWS);
    queueSynthetic(db, 'r-synthetic', at(11)); // between the two waiting enrollment records
    const entries = listRecords(db, {});
    for (const entry of entries) expect(RecordEntry.parse(entry)).toEqual(entry);
    expect(entries).toEqual([
      { ...base, enrollmentId: 'e-denied', recordId: 'r-denied', number: number(8), flow: 'company', at: at(24), ranBy: SUPERVISOR,
        state: 'decided', decision: 'rejected', reason: 'identity doubt', decidedAt: at(33) },
      { ...base, enrollmentId: 'e-accepted', recordId: 'r-accepted', number: number(7), flow: 'person', at: at(22), ranBy: OFFICER,
        state: 'decided', decision: 'accepted', decidedAt: at(32) },
      { ...base, enrollmentId: 'e-in-review', recordId: 'r-in-review', number: number(6), flow: 'person', at: at(20), ranBy: OFFICER,
        state: 'in-review', reason: 'second look' },
      { ...base, enrollmentId: 'e-received', recordId: 'r-received', number: number(5), flow: 'person', at: at(18), ranBy: OFFICER, state: 'received' },
      { ...base, enrollmentId: 'e-sent', recordId: 'r-sent', number: number(4), flow: 'person', at: at(16), ranBy: OFFICER, state: 'sent', slipKept: true },
      { ...base, enrollmentId: 'e-refused', recordId: 'r-refused', number: number(3), flow: 'person', at: at(14), ranBy: OFFICER, state: 'delivery-refused',
        reason: 'Record r-refused is already held with different content.' },
      { ...base, enrollmentId: 'e-sending', recordId: 'r-sending', number: number(2), flow: 'person', at: at(12), ranBy: SUPERVISOR,
        state: 'sealed', ahead: 2 },
      { ...base, enrollmentId: 'e-queued', recordId: 'r-queued', number: number(1), flow: 'person', at: at(10), ranBy: OFFICER,
        state: 'sealed', ahead: 0, slipKept: true },
      { ...base, enrollmentId: 'e-rejected', recordId: null, number: null, flow: 'company', at: at(5), ranBy: null,
        state: 'rejected-at-kiosk', reason: 'poor-captures', decidedAt: at(5) },
      { ...base, enrollmentId: 'e-held', recordId: null, number: null, flow: 'person', at: YESTERDAY, ranBy: OFFICER, state: 'held' },
    ]);
  });

  it('counts ahead only what waits to be sent and was sealed before', () => {
    const db = store(ROWS);
    const ahead = () => Object.fromEntries(listRecords(db, {}).filter((entry) => entry.state === 'sealed').map((entry) => [entry.recordId, entry.ahead]));
    expect(ahead()).toEqual({ 'r-queued': 0, 'r-sending': 1 });
    queueSynthetic(db, 'r-early', at(1));
    expect(ahead()).toEqual({ 'r-queued': 1, 'r-sending': 2 });
    db.prepare("UPDATE outbox SET state = 'accepted' WHERE record_id IN ('r-early', 'r-queued')").run();
    expect(ahead()).toEqual({ 'r-sending': 0 });
  });

  it('keeps what ended from `since` on, and held enrollments and refused deliveries whatever their age', () => {
    const db = store(ROWS);
    expect(listRecords(db, { since: at(16) }).map((entry) => entry.enrollmentId))
      .toEqual(['e-denied', 'e-accepted', 'e-in-review', 'e-received', 'e-sent', 'e-refused', 'e-held']);
    expect(listRecords(db, { since: at(60) }).map((entry) => entry.enrollmentId)).toEqual(['e-refused', 'e-held']);
    expect(listRecords(db, { since: null })).toHaveLength(10);
  });

  it('keeps one operator\'s enrollments with `operatorId`, and one record with `recordId`', () => {
    const db = store(ROWS);
    expect(listRecords(db, { operatorId: SUPERVISOR.id }).map((entry) => entry.enrollmentId)).toEqual(['e-denied', 'e-sending']);
    expect(listRecords(db, { operatorId: OFFICER.id, since: at(15) }).map((entry) => entry.enrollmentId))
      .toEqual(['e-accepted', 'e-in-review', 'e-received', 'e-sent', 'e-refused', 'e-held']);
    expect(listRecords(db, { operatorId: 99 })).toEqual([]);
    expect(listRecords(db, { recordId: 'r-sent' })).toEqual([expect.objectContaining({ enrollmentId: 'e-sent', state: 'sent', slipKept: true })]);
    expect(listRecords(db, { recordId: 'r-sent', operatorId: SUPERVISOR.id })).toEqual([]);
    expect(listRecords(db, { recordId: 'r-unknown' })).toEqual([]);
  });

  it('lists nothing from an empty store', () => {
    expect(listRecords(openDatabase(':memory:'), {})).toEqual([]);
  });
});

describe('startOfKioskDay', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it.each([
    ['UTC', '2026-03-01T08:30:00.000Z', '2026-03-01T00:00:00.000Z'],
    ['Europe/Berlin', '2026-03-01T08:30:00.000Z', '2026-02-28T23:00:00.000Z'],
    ['Europe/Berlin', '2026-02-28T23:30:00.000Z', '2026-02-28T23:00:00.000Z'], // already 1 March there
    ['America/New_York', '2026-03-01T03:00:00.000Z', '2026-02-28T05:00:00.000Z'], // still 28 February there
    ['Asia/Shanghai', '2026-03-01T15:59:59.000Z', '2026-02-28T16:00:00.000Z'],
  ])('is local midnight of the kiosk\'s day (%s, %s)', (timeZone, now, midnight) => {
    process.env.TZ = timeZone;
    expect(startOfKioskDay(new Date(now))).toBe(midnight);
  });
});
