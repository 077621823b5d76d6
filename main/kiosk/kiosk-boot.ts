// The one place that knows the kiosk's start-up and shutdown order, for both hosts: the store
// (and the services on it), then the devices, then the host's screens, then sync; shutdown in
// the reverse order, so sync has stopped before the screens go, the devices are closed before
// the store, and the store closes last. Each part is handed to the Shutdown as soon as it
// exists, so a signal in the middle of start-up releases exactly what was started. At start the
// kiosk audits what the update installer did while it was down (it restarts mid-update).

import { startDeviceRig, type DeviceRig, type DeviceRigOptions } from '../devices/device-rig.js';
import type { Log } from '../log.js';
import type { KeyVault } from '../provisioning/key-vault.js';
import { openKiosk, type Kiosk, type KioskOptions } from './kiosk.js';
import type { Shutdown } from './shutdown.js';

export interface KioskBootOptions<Screens extends { close(): unknown }> {
  dataDir: string;
  host: KioskOptions['host'];
  log: Log;
  keyVault?: KeyVault;
  /** Which simulators stand in for devices not set up (only when asked: never on a packaged kiosk). */
  simulation: Pick<DeviceRigOptions, 'simulate' | 'simulatedReader' | 'simulateChip' | 'simulatedPortrait'>;
  /** Starts the host's screens (a window, or the loopback server); returns how to close them. */
  openScreens(kiosk: Kiosk): Promise<Screens>;
}

export interface BootedKiosk<Screens> {
  kiosk: Kiosk;
  devices: DeviceRig;
  screens: Screens;
}

/**
 * Starts the kiosk in order; null when shutdown began while it was starting (what had started is
 * released by then). A failure releases what had started, in reverse order, and is rethrown.
 */
export async function bootKiosk<Screens extends { close(): unknown }>(options: KioskBootOptions<Screens>, shutdown: Shutdown): Promise<BootedKiosk<Screens> | null> {
  const { dataDir, host, log, keyVault, simulation } = options;
  try {
    const kiosk = openKiosk({ dataDir, host, log, keyVault });
    shutdown.add('store', () => kiosk.close());
    kiosk.updates.auditInstaller();
    const devices = await startDeviceRig({ dataDir, db: kiosk.db, now: () => new Date(), log, ...simulation });
    shutdown.add('devices', () => devices.stop());
    if (shutdown.requested) return null;
    kiosk.attachDevices(devices);
    const screens = await options.openScreens(kiosk);
    shutdown.add('screens', () => screens.close());
    if (shutdown.requested) return null;
    kiosk.sync.start();
    shutdown.add('sync', () => kiosk.sync.stop());
    return { kiosk, devices, screens };
  } catch (error) {
    await shutdown.run();
    throw error;
  }
}
