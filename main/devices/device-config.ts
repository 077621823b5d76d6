// Which devices this kiosk has and how they are wired, as a technician configures them
// (settings key "devices"): for each role, the settings of one family from the registry,
// told apart by their `kind`. A device not configured is simulated.

import { z } from 'zod';
import { CnidReaderSettings } from '../../native/idreader/cnid/cnid-reader-family.js';
import { MrzReaderSettings } from '../../native/idreader/mrz-reader/mrz-reader-family.js';
import { R30xSettings } from '../../native/fingerprint/r30x-family.js';
import type { Db } from '../store/database.js';
import { getSetting } from '../store/settings.js';

export const DocumentReaderConfig = z.discriminatedUnion('kind', [MrzReaderSettings, CnidReaderSettings]);
export const FingerprintConfig = z.discriminatedUnion('kind', [R30xSettings]);

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
