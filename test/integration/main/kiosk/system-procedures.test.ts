// What every screen reads through a real kiosk: system.info and system.status, and
// station settings as a technician changes them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../../../main/kiosk/project-root.js';
import { openKioskHarness, outputOf, type KioskHarness } from '../../../fixtures/kiosk-harness.js';

let h: KioskHarness;
beforeAll(async () => {
  h = await openKioskHarness();
});
afterAll(() => h.close());

describe('system procedures', () => {
  it('tells the start screen the version, host, first-run state and defaults', async () => {
    expect(outputOf(await h.call(h.openScreen().screen, 'system.info'))).toEqual({
      version, host: 'browser', firstRun: false, simulatedDevices: false,
      settings: { idleTimeoutSeconds: 120, defaultLanguage: 'en' },
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
    expect(outputOf(await h.call(a.screen, 'system.status'))).toMatchObject({ network: 'online', queueDepth: 0 });
  });

  it('lets a technician change the settings, partly, and shows them to everyone', async () => {
    const technician = (await h.loggedIn('technician')).screen;
    expect(outputOf(await h.call(technician, 'settings.update', { defaultLanguage: 'zh-CN' })))
      .toEqual({ idleTimeoutSeconds: 120, defaultLanguage: 'zh-CN' });
    expect(outputOf(await h.call(technician, 'settings.update', {}))).toEqual({ idleTimeoutSeconds: 120, defaultLanguage: 'zh-CN' });
    expect(outputOf(await h.call(h.openScreen().screen, 'system.info'))).toMatchObject({ settings: { defaultLanguage: 'zh-CN' } });
  });
});
