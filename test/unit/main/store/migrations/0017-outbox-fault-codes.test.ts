// Migration 0017: queued records keep their rows and gain an empty fault code and kind; the kind
// takes only the four kinds sync knows, and a fault a technician must fix is found while a
// record waits on it.

import { describe, expect, it } from 'vitest';
import { markRejected, scheduleRetry, standingConfigFault, storeReceipt } from '../../../../../main/store/outbox.js';
import { columnsOf, databaseAtVersion, migrateTo } from './database-at-version.js';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 9, minute)).toISOString();

function queue(db: ReturnType<typeof databaseAtVersion>, recordId: string): void {
  db.prepare(`INSERT INTO outbox (record_id, enrollment_id, state, size, digest, attempts, next_attempt_at, last_error, created_at, updated_at)
              VALUES (?, NULL, 'queued', 10, 'd', 2, ?, 'The authority cannot be reached.', ?, ?)`).run(recordId, at(0), at(0), at(0));
}

describe('migration 0017 outbox-fault-codes', () => {
  it('keeps queued records, their message and attempts, with no code or kind yet', () => {
    const db = databaseAtVersion(16);
    queue(db, 'r-1');
    expect(migrateTo(db, 17)).toEqual({ from: 16, to: 17 });
    expect(columnsOf(db, 'outbox')).toMatchObject({ last_error_code: { type: 'TEXT', notnull: 0 }, last_error_kind: { type: 'TEXT', notnull: 0 } });
    expect(db.prepare('SELECT attempts, last_error, last_error_code, last_error_kind FROM outbox').get())
      .toEqual({ attempts: 2, last_error: 'The authority cannot be reached.', last_error_code: null, last_error_kind: null });
    expect(standingConfigFault(db)).toBeNull();
  });

  it('takes only the kinds sync knows, and finds the latest fault for a technician while a record waits on it', () => {
    const db = databaseAtVersion(17);
    for (const id of ['r-1', 'r-2', 'r-3']) queue(db, id);
    expect(() => db.prepare("UPDATE outbox SET last_error_kind = 'fatal'").run()).toThrow(/CHECK/);

    const wrongKey = { code: 'ENVELOPE_WRONG_AUTHORITY_KEY', kind: 'config', message: 'Sealed to another key.' } as const;
    scheduleRetry(db, 'r-1', { nextAttemptAt: at(30), fault: wrongKey, now: at(1) });
    scheduleRetry(db, 'r-2', { nextAttemptAt: at(30), fault: { code: 'INTERNAL', kind: 'transient', message: 'A fault.' }, now: at(2) });
    markRejected(db, 'r-3', { code: 'RECORD_CONFLICT', kind: 'reject', message: 'Held with other content.' }, at(3));
    expect(standingConfigFault(db)).toEqual({ code: 'ENVELOPE_WRONG_AUTHORITY_KEY', message: 'Sealed to another key.', at: at(1) });

    db.prepare("UPDATE outbox SET receipt = NULL WHERE record_id = 'r-1'").run();
    expect(storeReceipt(db, 'r-1', { json: '{}', acceptedAt: at(4), purgeAfter: at(5) })).toBe(true);
    expect(db.prepare("SELECT last_error, last_error_code, last_error_kind FROM outbox WHERE record_id = 'r-1'").get())
      .toEqual({ last_error: null, last_error_code: null, last_error_kind: null });
    expect(standingConfigFault(db)).toBeNull();
  });
});
