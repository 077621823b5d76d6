// The status bar's source: device states, network state, the outbox depth, the enrollments
// held for a supervisor and why no enrollment may start, with a change event for screens.

import { describe, expect, it, vi } from 'vitest';
import { StatusBoard } from '../../../../main/kiosk/status-board.js';
import { SystemStatus } from '../../../../main/rpc/contract.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

function enqueue(db: Db, id: string, state: string): void {
  db.prepare(`INSERT INTO outbox (record_id, state, size, digest, next_attempt_at, created_at, updated_at)
              VALUES (?, ?, 1, 'd', 'now', 'now', 'now')`).run(id, state);
}

describe('StatusBoard', () => {
  it('starts with every device unconfigured, not provisioned and an empty queue', () => {
    const status = new StatusBoard(openDatabase(':memory:')).current();
    expect(SystemStatus.parse(status)).toEqual(status);
    expect(status.devices.map((d) => [d.kind, d.state])).toEqual([
      ['document-reader', 'not-configured'], ['fingerprint', 'not-configured'], ['camera', 'not-configured'],
    ]);
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
    expect(board.current().devices).toHaveLength(3);
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
});
