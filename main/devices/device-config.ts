// Which devices this kiosk has and how they are wired, as a technician configures them
// (settings key "devices"): for each role, the settings of one family from the registry,
// told apart by their `kind`, and the camera the screens open. A role not configured has no
// device ("not set up"); simulators stand in only on a kiosk started with --simulate.

import { z } from 'zod';
import { ChipReaderSettings } from '../../native/emrtd/chip-reader-family.js';
import type { DeviceRole } from '../../native/device-family.js';
import { CnidReaderSettings } from '../../native/idreader/cnid/cnid-reader-family.js';
import { MrzReaderSettings } from '../../native/idreader/mrz-reader/mrz-reader-family.js';
import { R30xSettings } from '../../native/fingerprint/r30x-family.js';
import { CameraChoice } from '../rpc/procedures/devices.js';
import type { Db } from '../store/database.js';
import { getSetting } from '../store/settings.js';

export const DocumentReaderConfig = z.discriminatedUnion('kind', [MrzReaderSettings, CnidReaderSettings]);
export const FingerprintConfig = z.discriminatedUnion('kind', [R30xSettings]);
export const ChipReaderConfig = z.discriminatedUnion('kind', [ChipReaderSettings]);

export const DevicesConfig = z.strictObject({
  documentReader: DocumentReaderConfig.nullable().default(null),
  /** Null: no chip reader (documents are enrolled without reading their chips). */
  chipReader: ChipReaderConfig.nullable().default(null),
  fingerprint: FingerprintConfig.nullable().default(null),
  /** Null: the browser's default camera. */
  camera: CameraChoice.default(null),
});

export type DocumentReaderConfig = z.output<typeof DocumentReaderConfig>;
export type FingerprintConfig = z.output<typeof FingerprintConfig>;
export type ChipReaderConfig = z.output<typeof ChipReaderConfig>;
export type DevicesConfig = z.output<typeof DevicesConfig>;
export type CameraChoice = z.output<typeof CameraChoice>;

/** The settings of each role a family fills. */
export interface RoleConfigs {
  'document-reader': DocumentReaderConfig;
  'chip-reader': ChipReaderConfig;
  fingerprint: FingerprintConfig;
}

/** Where each role's settings sit in the `devices` setting. */
export const ROLE_KEYS = {
  'document-reader': 'documentReader',
  'chip-reader': 'chipReader',
  fingerprint: 'fingerprint',
  camera: 'camera',
} as const satisfies Record<DeviceRole | 'camera', keyof DevicesConfig>;

export function readDevicesConfig(db: Db): DevicesConfig {
  return getSetting(db, 'devices', DevicesConfig, DevicesConfig.parse({}));
}
