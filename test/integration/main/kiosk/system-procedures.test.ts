// What every screen reads through a real kiosk: system.info and system.status (with the
// enrollments held for a supervisor and whether one may start), and station settings as a
// technician changes them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../../../main/kiosk/project-root.js';
import { errorOf, openKioskHarness, outputOf, type KioskHarness } from '../../../fixtures/kiosk-harness.js';

const DEFAULT_SETTINGS = {
  idleTimeoutSeconds: 120, idleWarningSeconds: 30, defaultLanguage: 'en', secondApprover: 'supervisor', alwaysSecondApproval: [],
  heldEnrollmentLimit: 20, heldEnrollmentMaxAgeHours: 24, sealedRetentionHours: 168, slipPrinter: null, slipFolder: null,
};

let h: KioskHarness;
beforeAll(async () => {
  h = await openKioskHarness();
});
afterAll(() => h.close());

describe('system procedures', () => {
  it('tells the start screen the version, host, first-run state and defaults', async () => {
    expect(outputOf(await h.call(h.openScreen().screen, 'system.info'))).toEqual({
      version, host: 'browser', firstRun: false, simulatedDevices: false, camera: null,
      settings: DEFAULT_SETTINGS,
    });
  });

  it('reports status changes to every open screen as events', async () => {
    const a = h.openScreen();
    const b = h.openScreen();
    h.kiosk.status.setNetwork('offline');
    for (const screen of [a, b]) {
      expect(screen.events).toEqual([{ name: 'system.statusChanged', payload: expect.objectContaining({ network: 'offline' }) }]);
    }
    h.kiosk.closeScreen(b.screen);
    h.kiosk.status.setNetwork('online');
    expect(a.events).toHaveLength(2);
    expect(b.events).toHaveLength(1);
    expect(outputOf(await h.call(a.screen, 'system.status'))).toMatchObject({
      network: 'online', queueDepth: 0, heldEnrollments: 0, enrollmentBlocked: null,
    });
  });

  it('tells the status bar that an unprovisioned kiosk cannot start enrollments', async () => {
    const unprovisioned = await openKioskHarness({ provisioned: false, operators: false });
    try {
      expect(outputOf(await unprovisioned.call(unprovisioned.openScreen().screen, 'system.status'))).toMatchObject({
        network: 'not-provisioned', heldEnrollments: 0, enrollmentBlocked: 'not-provisioned',
      });
    } finally {
      await unprovisioned.close();
    }
  });

  it('lets a technician change the settings, partly, and shows them to everyone', async () => {
    const technician = (await h.loggedIn('technician')).screen;
    expect(outputOf(await h.call(technician, 'settings.update', { defaultLanguage: 'zh-CN' })))
      .toEqual({ ...DEFAULT_SETTINGS, defaultLanguage: 'zh-CN' });
    expect(outputOf(await h.call(technician, 'settings.update', {}))).toEqual({ ...DEFAULT_SETTINGS, defaultLanguage: 'zh-CN' });
    expect(outputOf(await h.call(h.openScreen().screen, 'system.info'))).toMatchObject({ settings: { defaultLanguage: 'zh-CN' } });
  });

  it('lets a technician set who gives second approvals and how many enrollments may be held, within bounds', async () => {
    const technician = (await h.loggedIn('technician')).screen;
    const changed = { secondApprover: 'supervisor-or-officer', heldEnrollmentLimit: 5, heldEnrollmentMaxAgeHours: 48 } as const;
    expect(outputOf(await h.call(technician, 'settings.update', changed))).toMatchObject(changed);
    expect(outputOf(await h.call(h.openScreen().screen, 'system.info'))).toMatchObject({ settings: changed });
    for (const refused of [{ secondApprover: 'officer' }, { heldEnrollmentLimit: 0 }, { heldEnrollmentMaxAgeHours: 721 }]) {
      expect(errorOf(await h.call(technician, 'settings.update', refused)).code, JSON.stringify(refused)).toBe('RPC_INVALID_INPUT');
    }
    outputOf(await h.call(technician, 'settings.update', { secondApprover: 'supervisor', heldEnrollmentLimit: 20, heldEnrollmentMaxAgeHours: 24 }));
  });

  it('lets a technician name the slip printer (a CUPS queue) or the folder slips are saved to (an absolute path), and clear them', async () => {
    const technician = (await h.loggedIn('technician')).screen;
    const changed = { slipPrinter: 'front-desk_2', slipFolder: '/srv/gatehouse/slips' } as const;
    expect(outputOf(await h.call(technician, 'settings.update', changed))).toMatchObject(changed);
    expect(outputOf(await h.call(h.openScreen().screen, 'system.info'))).toMatchObject({ settings: changed });
    for (const refused of [{ slipPrinter: 'front desk' }, { slipPrinter: '' }, { slipPrinter: 'lp;rm' }, { slipFolder: 'slips' }, { slipFolder: '~/slips' }]) {
      expect(errorOf(await h.call(technician, 'settings.update', refused)).code, JSON.stringify(refused)).toBe('RPC_INVALID_INPUT');
    }
    expect(outputOf(await h.call(technician, 'settings.update', { slipPrinter: null, slipFolder: null }))).toMatchObject({ slipPrinter: null, slipFolder: null });
  });
});
