// `gatehouse records requeue ID` of the built CLI: a record the authority refused for good, named
// by its enrollment number or its record id, goes back into the queue with its backoff started
// afresh and a `record.requeued` audit entry carrying its code and refusal; a record that was not
// refused, or that does not exist, is refused in one line.

import { describe, expect, it } from 'vitest';
import { openKioskDatabase } from '../../../../main/store/database.js';
import { builtCliDataDirs, runCli } from './run-cli.js';

const dataDir = builtCliDataDirs();
const RECORD_ID = '3c9a7f1e-2b4d-4e6f-8a1b-2c3d4e5f6a7b';
const NUMBER = 'K00A-261207-0001-XX';
const REFUSAL = 'Record sealed to authority key 5f0c, not 9a41.';

/** A store with one record the authority refused (as a kiosk before issue 16 recorded it). */
function storeWithRefusedRecord(): string {
  const dir = dataDir();
  const db = openKioskDatabase(dir);
  try {
    const at = '2026-12-07T09:00:00.000Z';
    db.prepare(`INSERT INTO outbox (record_id, enrollment_id, number, state, size, digest, attempts, next_attempt_at, last_error, last_error_code,
                last_error_kind, created_at, updated_at) VALUES (?, NULL, ?, 'rejected', 10, 'd', 3, ?, ?, 'ENVELOPE_WRONG_AUTHORITY_KEY', 'reject', ?, ?)`)
      .run(RECORD_ID, NUMBER, at, REFUSAL, at, at);
  } finally {
    db.close();
  }
  return dir;
}

function read<T>(dir: string, sql: string): T {
  const db = openKioskDatabase(dir);
  try {
    return db.prepare(sql).get() as T;
  } finally {
    db.close();
  }
}

describe('gatehouse records requeue', () => {
  it('queues a refused record again by its number, audited with its refusal', async () => {
    const dir = storeWithRefusedRecord();
    const run = await runCli(['--data', dir, 'records', 'requeue', NUMBER, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual({ recordId: RECORD_ID, number: NUMBER });
    expect(read(dir, 'SELECT state, attempts FROM outbox')).toEqual({ state: 'queued', attempts: 0 });
    const audit = read<{ actor: string; details: string }>(dir, "SELECT actor, details FROM audit WHERE action = 'record.requeued'");
    expect(audit.actor).toBe('cli');
    expect(JSON.parse(audit.details)).toEqual({ recordId: RECORD_ID, number: NUMBER, code: 'ENVELOPE_WRONG_AUTHORITY_KEY', reason: REFUSAL });
    expect(read(dir, "SELECT count(*) AS n FROM jobs WHERE kind = 'sync.round' AND state = 'queued'")).toEqual({ n: 1 });

    const again = await runCli(['--data', dir, 'records', 'requeue', RECORD_ID, '--json']);
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'RECORD_NOT_REJECTED' } });
  });

  it('says in one line when there is no such record', async () => {
    const dir = storeWithRefusedRecord();
    const run = await runCli(['--data', dir, 'records', 'requeue', 'K00A-261207-0009-XX']);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: 'gatehouse: There is no record K00A-261207-0009-XX on this kiosk. (RECORD_NOT_FOUND)\n' });
    const plain = await runCli(['--data', dir, 'records', 'requeue', RECORD_ID]);
    expect(plain).toMatchObject({ code: 0, stdout: `record ${NUMBER} is queued again; the kiosk's sync sends it\n` });
  });
});
