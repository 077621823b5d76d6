// The MRZ document reader as a device family: a reader on a serial line that sends the
// lines it read in the framing it is configured for. Its driver parses each read; its
// simulator sends the sample holder's documents over a pseudo-terminal, byte for byte.

import { join } from 'node:path';
import { z } from 'zod';
import type { DeviceFamily } from '../../device-family.js';
import { startMrzSimulator } from '../../sim/mrz-sim.js';
import { sampleMrzLines } from '../../sim/sample-holder.js';
import { DeviceError } from '../../device-error.js';
import { serialDeviceLink, serialDevicePath } from '../../transport/serial-transport.js';
import { DocumentReader, type DocumentReaderSimulation } from '../document-reader.js';
import { mrzFramingSchema } from './framings.js';
import { MrzReader } from './mrz-reader.js';

export const MrzReaderSettings = z.strictObject({
  kind: z.literal('mrz'),
  path: serialDevicePath,
  baud: z.number().int().positive().default(9600).meta({ title: 'Baud rate', description: 'As set on the reader; 9600 for most.' }),
  framing: mrzFramingSchema.meta({ title: 'Framing', description: 'How the reader marks the start and end of a read (see its manual).' }),
}).meta({ title: 'MRZ document reader' });

export type MrzReaderSettings = z.output<typeof MrzReaderSettings>;

/** Lines ending in CR: what the simulator sends. */
const SIMULATED_FRAMING = mrzFramingSchema.parse({ framing: 'lines', lineEnd: 'cr' });

export const mrzReaderFamily: DeviceFamily<'mrz', MrzReaderSettings, DocumentReader, DocumentReaderSimulation<MrzReaderSettings>> = {
  kind: 'mrz',
  role: 'document-reader',
  title: 'MRZ document reader',
  trace: 'bytes',
  config: MrzReaderSettings,
  open(config, { now }) {
    const name = 'MRZ document reader';
    const link = serialDeviceLink(name, { path: config.path, baudRate: config.baud });
    const reader = new MrzReader(link, { framing: config.framing, now });
    const driver = new DocumentReader(name, link, () => reader.stop());
    reader.on('read', ({ parse, at }) => {
      if (parse.ok) driver.emit('reading', { kind: 'mrz', at: new Date(at), result: parse.result });
      else driver.emit('failure', parse.error);
    });
    reader.on('fault', (error) => driver.emit('failure', error));
    reader.start();
    return driver;
  },
  async simulate({ runDir, now }) {
    const sim = await startMrzSimulator({ link: join(runDir, 'mrz-reader'), framing: SIMULATED_FRAMING, scenario: 'idle' });
    return {
      config: { kind: 'mrz', path: sim.path, baud: 9600, framing: SIMULATED_FRAMING },
      present: async (document) => {
        if (document === 'cnid') throw new DeviceError('DEVICES_WRONG_SIMULATOR', 'The simulated reader is an MRZ reader; it cannot read a CN ID card.');
        await sim.control.present(sampleMrzLines(document, now()));
      },
      presentMisread: async () => {
        sim.control.injectFault('bad-read');
        await sim.control.present(sampleMrzLines('passport', now()));
      },
      remove: () => undefined,
      stop: () => sim.stop(),
    };
  },
};
