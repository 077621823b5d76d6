// Which devices this kiosk has and how they are wired, as a technician configures them
// (settings key "devices"). No reader configured means the kiosk runs on simulators.

import { z } from 'zod';
import { mrzFramingSchema } from '../../native/idreader/mrz-reader/framings.js';
import type { Db } from '../store/database.js';
import { getSetting } from '../store/settings.js';

const serialPath = z.string().min(1).max(256);

export const DocumentReaderConfig = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('mrz'), path: serialPath, baud: z.number().int().positive().default(9600), framing: mrzFramingSchema }),
  z.strictObject({ kind: z.literal('cnid'), path: serialPath, baud: z.number().int().positive().default(115_200) }),
]);

export const DevicesConfig = z.strictObject({
  documentReader: DocumentReaderConfig.nullable().default(null),
});

export type DocumentReaderConfig = z.output<typeof DocumentReaderConfig>;
export type DevicesConfig = z.output<typeof DevicesConfig>;

export function readDevicesConfig(db: Db): DevicesConfig {
  return getSetting(db, 'devices', DevicesConfig, DevicesConfig.parse({}));
}
