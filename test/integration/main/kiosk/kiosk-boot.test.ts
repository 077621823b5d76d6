// The kiosk's start-up and shutdown order, as both hosts get it from bootKiosk: store, devices,
// screens, sync up; sync, screens, devices, store down — sync has finished stopping before the
// store closes (Electron used to close the database while sync was still stopping).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bootKiosk } from '../../../../main/kiosk/kiosk-boot.js';
import type { Kiosk } from '../../../../main/kiosk/kiosk.js';
import { Shutdown } from '../../../../main/kiosk/shutdown.js';
import { silentLog } from '../../../../main/log.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-boot-'));
  dirs.push(dir);
  return dir;
}

/** Records, in order, when sync starts and stops and when the store closes. */
function watchKiosk(kiosk: Kiosk, events: string[]): void {
  const { sync, db } = kiosk;
  const [start, stop, close] = [sync.start.bind(sync), sync.stop.bind(sync), db.close.bind(db)];
  vi.spyOn(sync, 'start').mockImplementation(() => { events.push('sync started'); start(); });
  vi.spyOn(sync, 'stop').mockImplementation(async () => { await stop(); events.push('sync stopped'); });
  vi.spyOn(db, 'close').mockImplementation(() => { events.push('store closed'); return close(); });
}

describe('bootKiosk', () => {
  it('starts store, devices, screens, then sync, and shuts down in reverse: the store last, after sync has stopped', async () => {
    const events: string[] = [];
    const shutdown = new Shutdown(silentLog, { signals: false });
    const booted = await bootKiosk({
      dataDir: dataDir(), host: 'browser', log: silentLog, simulation: {},
      openScreens: async (kiosk) => {
        watchKiosk(kiosk, events);
        events.push('screens opened');
        return { close: () => { events.push('screens closed'); } };
      },
    }, shutdown);
    expect(booted).not.toBeNull();
    const { devices, kiosk } = booted!;
    const stopDevices = devices.stop.bind(devices);
    vi.spyOn(devices, 'stop').mockImplementation(async () => { await stopDevices(); events.push('devices stopped'); });

    await shutdown.run();
    expect(events).toEqual(['screens opened', 'sync started', 'sync stopped', 'screens closed', 'devices stopped', 'sync stopped', 'store closed']);
    expect(kiosk.db.open).toBe(false);
  });

  it('releases what had started, the store included, when the screens cannot open, and says why', async () => {
    const events: string[] = [];
    const shutdown = new Shutdown(silentLog, { signals: false });
    let opened: Kiosk | null = null;
    await expect(bootKiosk({
      dataDir: dataDir(), host: 'browser', log: silentLog, simulation: {},
      openScreens: async (kiosk) => {
        opened = kiosk;
        watchKiosk(kiosk, events);
        throw new Error('port in use');
      },
    }, shutdown)).rejects.toThrow('port in use');
    expect(events).toEqual(['sync stopped', 'store closed']);
    expect(opened!.db.open).toBe(false);
  });

  it('answers null and leaves nothing running when shutdown begins while it starts', async () => {
    const shutdown = new Shutdown(silentLog, { signals: false });
    let opened: Kiosk | null = null;
    const booted = await bootKiosk({
      dataDir: dataDir(), host: 'browser', log: silentLog, simulation: {},
      openScreens: async (kiosk) => {
        opened = kiosk;
        void shutdown.run();
        return { close: () => undefined };
      },
    }, shutdown);
    await shutdown.finished;
    expect(booted).toBeNull();
    expect(opened!.db.open).toBe(false);
  });
});
