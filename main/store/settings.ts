// Station settings kept as JSON in the store, validated whenever they are read so a bad
// value is reported by name instead of surfacing later as odd behaviour.
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import { canonicalJson } from '../../protocol/canonical-json.js';
import { Settings } from '../rpc/schemas.js';
import type { Db } from './database.js';

export type Setting<T> = { key: string; schema: z.ZodType<T>; fallback: T };

/** The settings the kiosk knows, with their schema and the value used when none is stored. */
export const SettingKeys = {
  idleTimeoutSeconds: {
    key: 'idleTimeoutSeconds',
    schema: Settings.shape.idleTimeoutSeconds,
    fallback: 120,
  } satisfies Setting<number>,
  /** The countdown before the idle logout; unset, 30 s or half the timeout when that is shorter (`defaultIdleWarningSeconds`). */
  idleWarningSeconds: {
    key: 'idleWarningSeconds',
    schema: Settings.shape.idleWarningSeconds,
    fallback: 30,
  } satisfies Setting<number>,
  defaultLanguage: {
    key: 'defaultLanguage',
    schema: Settings.shape.defaultLanguage,
    fallback: 'en',
  } satisfies Setting<'en' | 'de' | 'zh-CN'>,
  /** Who gives the second approval an enrollment with exceptions or doubts needs. */
  secondApprover: {
    key: 'secondApprover',
    schema: Settings.shape.secondApprover,
    fallback: 'supervisor',
  } satisfies Setting<'supervisor' | 'supervisor-or-officer'>,
  /** Flows whose every enrollment needs a second approval here, besides the mandatory reasons. */
  alwaysSecondApproval: {
    key: 'alwaysSecondApproval',
    schema: Settings.shape.alwaysSecondApproval,
    fallback: [],
  } satisfies Setting<Array<'person' | 'company'>>,
  heldEnrollmentLimit: {
    key: 'heldEnrollmentLimit',
    schema: Settings.shape.heldEnrollmentLimit,
    fallback: 20,
  } satisfies Setting<number>,
  heldEnrollmentMaxAgeHours: {
    key: 'heldEnrollmentMaxAgeHours',
    schema: Settings.shape.heldEnrollmentMaxAgeHours,
    fallback: 24,
  } satisfies Setting<number>,
  /** Hours a sealed envelope and its slip stay after the receipt, unless the authority's station configuration says. */
  sealedRetentionHours: {
    key: 'sealedRetentionHours',
    schema: Settings.shape.sealedRetentionHours,
    fallback: 7 * 24,
  } satisfies Setting<number>,
  slipPrinter: {
    key: 'slipPrinter',
    schema: Settings.shape.slipPrinter,
    fallback: null,
  } satisfies Setting<string | null>,
  slipFolder: {
    key: 'slipFolder',
    schema: Settings.shape.slipFolder,
    fallback: null,
  } satisfies Setting<string | null>,
} as const;

/** The idle countdown of a station that never set one: 30 s, or half the timeout when that is shorter (at least 5 s). */
export const defaultIdleWarningSeconds = (timeoutSeconds: number): number =>
  Math.max(Settings.shape.idleWarningSeconds.minValue ?? 0, Math.min(SettingKeys.idleWarningSeconds.fallback, Math.floor(timeoutSeconds / 2)));

/** The stored value of `key` checked against `schema`, or `fallback` when none is stored. */
export function getSetting<T>(db: Db, key: string, schema: z.ZodType<T>, fallback: T): T {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  if (row === undefined) return fallback;
  let stored: unknown;
  try {
    stored = JSON.parse(row.value);
  } catch {
    throw invalidSetting(key, 'it is not valid JSON', fallback);
  }
  const parsed = schema.safeParse(stored);
  if (!parsed.success) throw invalidSetting(key, z.prettifyError(parsed.error), fallback);
  return parsed.data;
}

/** Stores `value` for `key`; a known key's value must pass its schema. */
export function setSetting(db: Db, key: string, value: unknown): void {
  const known = Object.values(SettingKeys).find((setting) => setting.key === key);
  const parsed = known?.schema.safeParse(value);
  if (parsed && !parsed.success) {
    throw new GatehouseError('SETTING_INVALID', `Setting "${key}" cannot be set to ${JSON.stringify(value)}: ${z.prettifyError(parsed.error)}`, {
      key,
    });
  }
  db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, canonicalJson(value), new Date().toISOString());
}

function invalidSetting(key: string, problem: string, fallback: unknown): GatehouseError {
  return new GatehouseError(
    'SETTING_INVALID',
    `The stored setting "${key}" is invalid (${problem}). Set it again, or remove it to use the default ${JSON.stringify(fallback)}.`,
    { key },
  );
}
