// The Chinese resident-ID card reader (a SAM module on a serial line) as a device family:
// its driver polls for a card and reads each one once; its simulator answers the SAM
// protocol over a pseudo-terminal with a sample card.

import { join } from 'node:path';
import { z } from 'zod';
import { DeviceError } from '../../device-error.js';
import type { DeviceFamily } from '../../device-family.js';
import { SAMPLE_CNID_CARD, startCnidSimulator } from '../../sim/cnid-sim.js';
import { serialDeviceLink, serialDevicePath } from '../../transport/serial-transport.js';
import { DocumentReader, type DocumentReaderSimulation } from '../document-reader.js';
import { CnidPoller } from './cnid-poller.js';

export const CnidReaderSettings = z.strictObject({
  kind: z.literal('cnid'),
  path: serialDevicePath,
  baud: z.number().int().positive().default(115_200).meta({ title: 'Baud rate', description: 'SAM modules ship at 115200.' }),
}).meta({ title: 'CN resident-ID card reader' });

export type CnidReaderSettings = z.output<typeof CnidReaderSettings>;

export const cnidReaderFamily: DeviceFamily<'cnid', CnidReaderSettings, DocumentReader, DocumentReaderSimulation<CnidReaderSettings>> = {
  kind: 'cnid',
  role: 'document-reader',
  title: 'CN resident-ID card reader',
  trace: 'bytes',
  config: CnidReaderSettings,
  open(config, { now }) {
    const name = 'ID card reader';
    const link = serialDeviceLink(name, { path: config.path, baudRate: config.baud });
    const poller = new CnidPoller(link);
    const driver = new DocumentReader(name, link, () => poller.stop());
    poller.on('inserted', (card) => driver.emit('reading', { kind: 'cnid', at: now(), card }));
    poller.on('fault', (error) => driver.emit('failure', error));
    poller.start();
    return driver;
  },
  async simulate({ runDir }) {
    const sim = await startCnidSimulator({ link: join(runDir, 'cnid-reader'), scenario: 'idle' });
    return {
      config: { kind: 'cnid', path: sim.path, baud: 115_200 },
      present: async (document) => {
        if (document !== 'cnid') {
          throw new DeviceError('DEVICES_WRONG_SIMULATOR', 'The simulated reader is a CN resident-ID card reader; it reads no MRZ documents.');
        }
        sim.simulator.insert(SAMPLE_CNID_CARD);
      },
      presentMisread: async () => {
        sim.simulator.inject('bad-read');
        sim.simulator.insert(SAMPLE_CNID_CARD);
      },
      remove: () => sim.simulator.remove(),
      stop: () => sim.stop(),
    };
  },
};
