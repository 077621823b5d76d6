// The station settings an operator can see and a technician can change, read from the
// settings table with their defaults.

import type { z } from 'zod';
import type { Settings } from '../rpc/contract.js';
import type { Db } from '../store/database.js';
import { getSetting, setSetting, SettingKeys, type Setting } from '../store/settings.js';

export type StationSettings = z.infer<typeof Settings>;

const read = <T>({ key, schema, fallback }: Setting<T>, db: Db): T => getSetting(db, key, schema, fallback);

export function readSettings(db: Db): StationSettings {
  return {
    idleTimeoutSeconds: read(SettingKeys.idleTimeoutSeconds, db),
    defaultLanguage: read(SettingKeys.defaultLanguage, db),
    secondApprover: read(SettingKeys.secondApprover, db),
    heldEnrollmentLimit: read(SettingKeys.heldEnrollmentLimit, db),
    heldEnrollmentMaxAgeHours: read(SettingKeys.heldEnrollmentMaxAgeHours, db),
    slipPrinter: read(SettingKeys.slipPrinter, db),
    slipFolder: read(SettingKeys.slipFolder, db),
  };
}

export function writeSettings(db: Db, changes: Partial<StationSettings>): StationSettings {
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) setSetting(db, key, value);
  }
  return readSettings(db);
}
