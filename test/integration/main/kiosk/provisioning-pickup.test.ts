// A technician provisions a running kiosk from the command line: the kiosk, which refused to
// start enrollments and said so on its status, finds the identity the other process stored, tells
// its screens that enrollments may start now, and starts one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKioskDatabase } from '../../../../main/store/database.js';
import { errorOf, openKioskHarness, outputOf, provisionOffline, type KioskHarness } from '../../../fixtures/kiosk-harness.js';
import { until } from '../../../unit/native/transport/waiting.js';

let h: KioskHarness;
beforeAll(async () => {
  h = await openKioskHarness({ provisioned: false });
});
afterAll(() => h?.close());

describe('provisioning from another process while the kiosk runs', () => {
  it('is picked up: the status says enrollments may start, and one starts', async () => {
    const officer = await h.loggedIn('officer');
    expect(outputOf<{ enrollmentBlocked: string | null }>(await h.call(officer.screen, 'system.status')).enrollmentBlocked).toBe('not-provisioned');
    expect(errorOf(await h.call(officer.screen, 'enrollment.start', { flow: 'person' })).code).toBe('KIOSK_NOT_PROVISIONED');

    // What `gatehouse provision` does, through its own connection to the same files.
    const cli = openKioskDatabase(h.dataDir);
    try {
      provisionOffline(h.dataDir, cli);
    } finally {
      cli.close();
    }
    const unblocked = () => officer.events.some((event) => event.name === 'system.statusChanged'
      && (event.payload as { enrollmentBlocked: string | null }).enrollmentBlocked === null);
    await until(unblocked);
    expect(h.kiosk.provisioning.credentials).not.toBeNull();
    expect(outputOf(await h.call(officer.screen, 'enrollment.start', { flow: 'person' }))).toMatchObject({ step: 'document' });
  });
});
