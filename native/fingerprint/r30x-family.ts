// The R30x / ZFM / AS608 fingerprint module as a device family: a module on a UART, opened
// as a link that reconnects after an unplug plus a driver built on each connection; its
// simulator runs the module's protocol over a pseudo-terminal with virtual fingers.

import { join } from 'node:path';
import { z } from 'zod';
import type { DeviceFamily, DeviceSimulation } from '../device-family.js';
import { startFingerprintSimulator } from '../sim/fingerprint-sim.js';
import type { DeviceLink } from '../transport/device-link.js';
import { serialDeviceLink, serialDevicePath } from '../transport/serial-transport.js';
import type { Transport } from '../transport/transport.js';
import { R30xDriver } from './r30x-driver.js';
import { R30X_DEFAULT_ADDRESS } from './r30x-packet.js';

export const R30xSettings = z.strictObject({
  kind: z.literal('r30x'),
  path: serialDevicePath,
  baud: z.number().int().refine((baud) => baud % 9600 === 0 && baud >= 9600 && baud <= 115_200, '9600 × 1–12')
    .default(57_600).meta({ title: 'Baud rate', description: '9600 × 1–12, as set in the module (57600 from the factory).' }),
  address: z.number().int().min(0).max(0xffff_ffff).default(0xffff_ffff)
    .meta({ title: 'Module address', description: 'FFFFFFFF unless it was changed.' }),
  password: z.number().int().min(0).max(0xffff_ffff).default(0)
    .meta({ title: 'Module password', description: '0 unless it was set.' }),
}).meta({ title: 'R30x / ZFM / AS608 fingerprint module' });

export type R30xSettings = z.output<typeof R30xSettings>;

/** The opened module: its link, and the driver to build on the transport of each connection. */
export interface R30xModuleLink {
  readonly link: DeviceLink;
  driverOn(transport: Transport): R30xDriver;
}

export interface FingerprintSimulation extends DeviceSimulation<R30xSettings> {
  /** Puts one finger of a simulated person on the sensor; every finger of every person is its own virtual finger. */
  placeFinger(person: string, position: number): void;
  liftFinger(): void;
}

/** The simulator's seed for a person's finger: FNV-1a of the name (any case) and the finger position. */
export function virtualFingerSeed(person: string, position: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(`${person.toLowerCase()}#${position}`)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/** The simulated module runs at 115,200 baud, the fastest it can be set to (images take ~3.5 s). */
const SIMULATED_BAUD = 115_200;

export const r30xFamily: DeviceFamily<'r30x', R30xSettings, R30xModuleLink, FingerprintSimulation> = {
  kind: 'r30x',
  role: 'fingerprint',
  title: 'R30x / ZFM / AS608 fingerprint module',
  trace: 'bytes',
  config: R30xSettings,
  open(config) {
    const { address, password } = config;
    return {
      link: serialDeviceLink('fingerprint scanner', { path: config.path, baudRate: config.baud }),
      driverOn: (transport) => new R30xDriver(transport, { address, password }),
    };
  },
  /** On DATA/run/fingerprint, with its control socket at DATA/run/fingerprint.control. */
  async simulate({ runDir }) {
    const sim = await startFingerprintSimulator({ link: join(runDir, 'fingerprint'), baud: SIMULATED_BAUD });
    return {
      config: { kind: 'r30x', path: sim.path, baud: SIMULATED_BAUD, address: R30X_DEFAULT_ADDRESS, password: 0 },
      placeFinger: (person, position) => sim.control.placeFinger(virtualFingerSeed(person, position)),
      liftFinger: () => sim.control.liftFinger(),
      stop: () => sim.stop(),
    };
  },
};
