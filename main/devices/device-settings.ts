// Changing which device fills a role, from the set-up screen (`devices.configure`) and the
// CLI (`gatehouse devices set`) alike: the settings are validated by the chosen family's own
// schema, a fingerprint module's stored password is kept when the input leaves it out, and
// the change comes back as the audit entry shows it (old and new, never the password).

import type { z } from 'zod';
import type { DeviceRole } from '../../native/device-family.js';
import { GatehouseError } from '../errors.js';
import { CameraChoice, type ConfigurableRole } from '../rpc/procedures/devices.js';
import type { Db } from '../store/database.js';
import { setSetting } from '../store/settings.js';
import { DevicesConfig, ROLE_KEYS, readDevicesConfig } from './device-config.js';
import { familyOf } from './device-registry.js';

export type ConfigurableRoleName = z.infer<typeof ConfigurableRole>;
type Settings = Record<string, unknown>;

/** A role's settings before and after a change, fit for the audit log and the screen. */
export interface DeviceSettingsChange {
  role: ConfigurableRoleName;
  /** The settings as stored before (a module password left out); null: none was configured. */
  old: Settings | null;
  /** The settings as stored now (a module password left out); null: the role has no device. */
  new: Settings | null;
  /**
   * Whether a fingerprint module's password was set or changed. (The audit log refuses keys
   * named like a password, so this flag is called for what it guards: access to the module.)
   */
  credentialChanged: boolean;
}

/**
 * Validates `settings` for `role` (null: remove the role's device) and stores it in the
 * `devices` setting, in one transaction. DEVICES_SETTINGS_INVALID names each field that is
 * wrong. A running kiosk picks the change up by itself (`watchDeviceSettings`).
 */
export function writeDeviceSettings(db: Db, role: ConfigurableRoleName, settings: Settings | null): DeviceSettingsChange {
  return db.transaction((): DeviceSettingsChange => {
    const stored = readDevicesConfig(db);
    const key = ROLE_KEYS[role];
    const before = stored[key] as Settings | null;
    const after = settings === null ? null
      : role === 'camera' ? parse(role, CameraChoice, settings) : familySettings(role, settings, before);
    setSetting(db, 'devices', DevicesConfig.parse({ ...stored, [key]: after }));
    return {
      role,
      old: deviceSettingsView(before, false),
      new: deviceSettingsView(after, false),
      credentialChanged: (before?.password ?? 0) !== (after?.password ?? 0),
    };
  }).immediate();
}

/**
 * A role's stored settings as screens and audit entries show them: a module password is
 * never shown; with `passwordSet` the view says whether one is stored.
 */
export function deviceSettingsView(settings: Settings | null, withPasswordSet = true): Settings | null {
  if (settings === null || !('password' in settings)) return settings;
  const { password, ...shown } = settings;
  return withPasswordSet ? { ...shown, passwordSet: password !== 0 } : shown;
}

function familySettings(role: DeviceRole, settings: Settings, before: Settings | null): Settings {
  const family = familyOf(role, settings.kind);
  if (!family) {
    throw new GatehouseError('DEVICES_SETTINGS_INVALID', `There is no ${role} of kind ${JSON.stringify(settings.kind)}; choose one of the listed kinds.`,
      { role, fields: ['kind'] });
  }
  // A password left out (the screen never receives the stored one) keeps the stored one.
  const stored = before !== null && before.kind === settings.kind ? before.password : undefined;
  return parse(role, family.config, !('password' in settings) && stored !== undefined ? { ...settings, password: stored } : settings);
}

function parse(role: ConfigurableRoleName, schema: z.ZodType, settings: Settings): Settings {
  const parsed = schema.safeParse(settings);
  if (parsed.success) return parsed.data as Settings;
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(settings)'))];
  // The message names the fields and the rules, never a value (a password could be among them).
  const rules = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`).join('; ');
  throw new GatehouseError('DEVICES_SETTINGS_INVALID', `The ${role} settings are not valid (${rules}).`, { role, fields });
}
