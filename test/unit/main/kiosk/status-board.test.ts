// The status bar's source: device states, network state, the outbox depth, the enrollments
// held for a supervisor and why no enrollment may start, with a change event for screens.

import { describe, expect, it, vi } from 'vitest';
import { StatusBoard } from '../../../../main/kiosk/status-board.js';
import { SystemStatus } from '../../../../main/rpc/contract.js';
import { DeviceDiagnosis } from '../../../../main/rpc/procedures/devices.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

function enqueue(db: Db, id: string, state: string): void {
  db.prepare(`INSERT INTO outbox (record_id, state, size, digest, next_attempt_at, created_at, updated_at)
              VALUES (?, ?, 1, 'd', 'now', 'now', 'now')`).run(id, state);
}

describe('StatusBoard', () => {
  it('starts with every device unconfigured (the optional chip reader and the browser\'s camera not shown), not provisioned and an empty queue', () => {
    const board = new StatusBoard(openDatabase(':memory:'));
    const status = board.current();
    expect(SystemStatus.parse(status)).toEqual(status);
    expect(status.devices.map((d) => [d.kind, d.state])).toEqual([['document-reader', 'not-configured'], ['fingerprint', 'not-configured']]);
    board.setDevice({ kind: 'camera', name: 'Camera', state: 'ready', simulated: false });
    expect(board.current().devices.map((d) => d.kind)).toEqual(['document-reader', 'fingerprint', 'camera']);
    expect(status).toMatchObject({ network: 'not-provisioned', queueDepth: 0, heldEnrollments: 0, enrollmentBlocked: 'not-provisioned' });
  });

  it('counts only records still waiting to be delivered', () => {
    const db = openDatabase(':memory:');
    enqueue(db, 'a', 'queued');
    enqueue(db, 'b', 'sending');
    enqueue(db, 'c', 'accepted');
    enqueue(db, 'd', 'rejected');
    expect(new StatusBoard(db).current().queueDepth).toBe(2);
  });

  it('announces device and network changes with the whole new status', () => {
    const board = new StatusBoard(openDatabase(':memory:'));
    const changed = vi.fn();
    board.on('changed', changed);
    board.setDevice({ kind: 'fingerprint', name: 'R307 on /dev/ttyUSB0', state: 'ready', simulated: true });
    board.setNetwork('offline');
    expect(changed).toHaveBeenCalledTimes(2);
    expect(changed.mock.calls[1]![0]).toMatchObject({
      network: 'offline',
      devices: expect.arrayContaining([{ kind: 'fingerprint', name: 'R307 on /dev/ttyUSB0', state: 'ready', simulated: true }]),
    });
    expect(board.current().devices).toHaveLength(2);
  });

  it('shows the held enrollments and the block from the enrollments attached, asking each time', () => {
    const board = new StatusBoard(openDatabase(':memory:'));
    const changed = vi.fn();
    board.on('changed', changed);
    const gate = { held: 3, enrollmentBlocked: null as 'not-provisioned' | 'held-limit' | null };
    board.attachEnrollments(() => ({ ...gate }));
    expect(changed).toHaveBeenCalledTimes(1);
    expect(changed.mock.calls[0]![0]).toMatchObject({ heldEnrollments: 3, enrollmentBlocked: null });

    gate.held = 20;
    gate.enrollmentBlocked = 'held-limit';
    const status = board.current();
    expect(SystemStatus.parse(status)).toEqual(status);
    expect(status).toMatchObject({ heldEnrollments: 20, enrollmentBlocked: 'held-limit' });
    board.changed();
    expect(changed).toHaveBeenCalledTimes(2);
    expect(changed.mock.calls[1]![0]).toMatchObject({ heldEnrollments: 20, enrollmentBlocked: 'held-limit' });
  });

  it('keeps each device\'s last error and when its state changed for the technician, never on the status bar', () => {
    let clock = new Date('2026-12-07T10:00:00Z');
    const board = new StatusBoard(openDatabase(':memory:'), () => clock);
    const scanner = { kind: 'fingerprint', name: 'Fingerprint scanner', simulated: false } as const;
    clock = new Date('2026-12-07T10:01:00Z');
    board.setDevice({ ...scanner, state: 'error', problem: 'wrong-settings' }, { code: 'R30X_WRONG_PASSWORD', detail: 'VfyPwd refused' });
    clock = new Date('2026-12-07T10:02:00Z');
    board.setDevice({ ...scanner, state: 'error', problem: 'wrong-settings' }); // the same state again: since stays
    const diagnosis = board.diagnoses().find((device) => device.kind === 'fingerprint');
    expect(diagnosis).toEqual({
      ...scanner, state: 'error', problem: 'wrong-settings', since: '2026-12-07T10:01:00.000Z',
      lastError: { at: '2026-12-07T10:01:00.000Z', code: 'R30X_WRONG_PASSWORD', detail: 'VfyPwd refused' },
    });
    expect(DeviceDiagnosis.parse(diagnosis)).toEqual(diagnosis);

    clock = new Date('2026-12-07T10:03:00Z');
    board.setDevice({ ...scanner, state: 'ready' });
    expect(board.diagnoses().find((device) => device.kind === 'fingerprint')).toMatchObject({
      state: 'ready', since: '2026-12-07T10:03:00.000Z', lastError: { code: 'R30X_WRONG_PASSWORD' },
    });
    const shown = board.current().devices.find((device) => device.kind === 'fingerprint');
    expect(shown).toEqual({ ...scanner, state: 'ready' });
    expect(JSON.stringify(board.current())).not.toContain('R30X_WRONG_PASSWORD');
  });

  it('shows a chip reader on the status bar only once one is set up; diagnoses list it either way', () => {
    const board = new StatusBoard(openDatabase(':memory:'));
    expect(board.current().devices.map((device) => device.kind)).not.toContain('chip-reader');
    expect(board.diagnoses().map((device) => device.kind)).toEqual(['document-reader', 'fingerprint', 'chip-reader', 'camera']);
    board.setDevice({ kind: 'chip-reader', name: 'REINER SCT cyberJack', state: 'disconnected', simulated: false, problem: 'not-connected' });
    expect(board.current().devices).toContainEqual({
      kind: 'chip-reader', name: 'REINER SCT cyberJack', state: 'disconnected', simulated: false, problem: 'not-connected',
    });
  });
});
