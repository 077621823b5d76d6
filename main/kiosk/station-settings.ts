// The station settings a technician changes on the staff screen or with `gatehouse settings`:
// read from the settings table with their defaults, described with their bounds (taken from the
// same zod schemas, so the screen, the CLI and the store agree), and changed together in one
// transaction that checks them against each other and says, per changed key, the old and the new
// value (what `settings.update` audits).

import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { MANDATORY_SECOND_APPROVAL_REASONS } from '../enrollment/four-eyes.js';
import { GatehouseError } from '../errors.js';
import type { SettingField, StationSettingsView } from '../rpc/procedures/settings.js';
import { Settings } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';
import { reschedulePurges } from '../store/outbox.js';
import { defaultIdleWarningSeconds, getSetting, setSetting, SettingKeys, type Setting } from '../store/settings.js';
import { authorityRetentionHours, retentionMs } from '../sync/authority-documents.js';

export type StationSettings = z.infer<typeof Settings>;
export type SettingName = keyof StationSettings;
export type SettingFieldView = z.infer<typeof SettingField>;

/** One changed setting, as the audit entry records it. */
export interface SettingChange {
  key: SettingName;
  old: unknown;
  new: unknown;
}

const read = <T>({ key, schema, fallback }: Setting<T>, db: Db): T => getSetting(db, key, schema, fallback);

export function readSettings(db: Db): StationSettings {
  const idleTimeoutSeconds = read(SettingKeys.idleTimeoutSeconds, db);
  const { idleWarningSeconds: warning } = SettingKeys;
  return {
    idleTimeoutSeconds,
    idleWarningSeconds: getSetting(db, warning.key, warning.schema, defaultIdleWarningSeconds(idleTimeoutSeconds)),
    defaultLanguage: read(SettingKeys.defaultLanguage, db),
    secondApprover: read(SettingKeys.secondApprover, db),
    alwaysSecondApproval: read(SettingKeys.alwaysSecondApproval, db),
    heldEnrollmentLimit: read(SettingKeys.heldEnrollmentLimit, db),
    heldEnrollmentMaxAgeHours: read(SettingKeys.heldEnrollmentMaxAgeHours, db),
    sealedRetentionHours: read(SettingKeys.sealedRetentionHours, db),
    slipPrinter: read(SettingKeys.slipPrinter, db),
    slipFolder: read(SettingKeys.slipFolder, db),
  };
}

/**
 * Writes the values of `changes` that differ from the current ones, in one transaction (a savepoint
 * inside the caller's): a bad value, or an idle warning not shorter than the timeout, changes
 * nothing. A new retention applies to the envelopes already kept.
 */
export function writeSettings(db: Db, changes: Partial<StationSettings>, now = new Date()): { settings: StationSettings; changed: SettingChange[] } {
  return db.transaction(() => {
    const before = readSettings(db);
    const changed = (Object.keys(changes) as SettingName[])
      .filter((key) => changes[key] !== undefined && !isDeepStrictEqual(changes[key], before[key]))
      .map((key): SettingChange => ({ key, old: before[key], new: changes[key] }));
    for (const change of changed) setSetting(db, change.key, change.new);
    const settings = readSettings(db);
    if (settings.idleWarningSeconds >= settings.idleTimeoutSeconds) {
      const key: SettingName = 'idleWarningSeconds' in changes ? 'idleWarningSeconds' : 'idleTimeoutSeconds';
      throw new GatehouseError('SETTING_IDLE_WARNING_TOO_LONG',
        `The idle warning (${settings.idleWarningSeconds} s) must be shorter than the idle timeout (${settings.idleTimeoutSeconds} s): `
        + 'shorten the warning or lengthen the timeout.',
        { key, idleWarningSeconds: settings.idleWarningSeconds, idleTimeoutSeconds: settings.idleTimeoutSeconds });
    }
    if (changed.some((change) => change.key === 'sealedRetentionHours')) reschedulePurges(db, retentionMs(db), now);
    return { settings, changed };
  })();
}

/** What each setting may be, in the order of the `Settings` schema. */
export function settingFields(): SettingFieldView[] {
  return Object.entries(Settings.shape).map(([key, schema]) => fieldOf(key, schema));
}

function fieldOf(key: string, schema: z.ZodType): SettingFieldView {
  if (schema instanceof z.ZodNumber) return { key, type: 'integer', min: schema.minValue ?? 0, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER };
  if (schema instanceof z.ZodEnum) return { key, type: 'choice', options: schema.options.map(String) };
  if (schema instanceof z.ZodArray && schema.element instanceof z.ZodEnum) return { key, type: 'choices', options: schema.element.options.map(String) };
  if (schema instanceof z.ZodNullable && schema.unwrap() instanceof z.ZodString) return { key, type: 'text' };
  throw new Error(`setting "${key}" has a schema the settings screen cannot describe`);
}

/** Everything the settings section shows. */
export function stationSettingsView(db: Db): z.infer<typeof StationSettingsView> {
  return {
    settings: readSettings(db),
    fields: settingFields(),
    mandatorySecondApproval: [...MANDATORY_SECOND_APPROVAL_REASONS],
    authorityRetentionHours: authorityRetentionHours(db),
  };
}
