// Which devices this kiosk has and how they are wired, as a technician configures them
// (settings key "devices"). A device not configured is simulated.

import { z } from 'zod';
import { mrzFramingSchema } from '../../native/idreader/mrz-reader/framings.js';
import type { Db } from '../store/database.js';
import { getSetting } from '../store/settings.js';

const serialPath = z.string().min(1).max(256);

export const DocumentReaderConfig = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('mrz'), path: serialPath, baud: z.number().int().positive().default(9600), framing: mrzFramingSchema }),
  z.strictObject({ kind: z.literal('cnid'), path: serialPath, baud: z.number().int().positive().default(115_200) }),
]);

/** An R30x / ZFM / AS608 module on a UART: 9600 × 1–12 baud, 32-bit address and password. */
export const FingerprintConfig = z.strictObject({
  path: serialPath,
  baud: z.number().int().refine((baud) => baud % 9600 === 0 && baud >= 9600 && baud <= 115_200, '9600 × 1–12')
    .default(57_600),
  address: z.number().int().min(0).max(0xffff_ffff).default(0xffff_ffff),
  password: z.number().int().min(0).max(0xffff_ffff).default(0),
});

export const DevicesConfig = z.strictObject({
  documentReader: DocumentReaderConfig.nullable().default(null),
  fingerprint: FingerprintConfig.nullable().default(null),
});

export type DocumentReaderConfig = z.output<typeof DocumentReaderConfig>;
export type FingerprintConfig = z.output<typeof FingerprintConfig>;
export type DevicesConfig = z.output<typeof DevicesConfig>;

export function readDevicesConfig(db: Db): DevicesConfig {
  return getSetting(db, 'devices', DevicesConfig, DevicesConfig.parse({}));
}
