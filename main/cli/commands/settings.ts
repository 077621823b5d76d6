// `gatehouse settings list|get|set`: the station settings from a shell, for a technician
// installing or servicing a kiosk without its screen. A value is read by its setting's schema
// (a refusal names the setting and what it may be), and a change is audited exactly as the
// screen's: `settings.update` with each changed key's old and new value, in one transaction.

import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { GatehouseError } from '../../errors.js';
import {
  settingFields, stationSettingsView, writeSettings, type SettingFieldView, type SettingName, type StationSettings,
} from '../../kiosk/station-settings.js';
import { Settings } from '../../rpc/schemas.js';
import { printJson, withDatabase } from '../cli-context.js';

function fieldNamed(key: string): SettingFieldView {
  const field = settingFields().find((candidate) => candidate.key === key);
  if (!field) {
    throw new GatehouseError('SETTING_UNKNOWN',
      `There is no setting "${key}"; the settings are ${settingFields().map((f) => f.key).join(', ')}.`, { key });
  }
  return field;
}

/** What a setting may be, in words: "a whole number from 15 to 3600", "one of en, de, zh-CN", … */
function allowed(field: SettingFieldView): string {
  switch (field.type) {
    case 'integer': return `a whole number from ${field.min} to ${field.max}`;
    case 'choice': return `one of ${field.options.join(', ')}`;
    case 'choices': return `a comma-separated list of ${field.options.join(', ')} (each at most once), or '' for none`;
    case 'text': return "text, or '' for none";
  }
}

function refused(field: SettingFieldView, raw: string, why = allowed(field)): GatehouseError {
  return new GatehouseError('SETTING_INVALID', `Setting "${field.key}" must be ${why}; ${JSON.stringify(raw)} is not.`, {
    key: field.key, ...(field.type === 'integer' ? { min: field.min, max: field.max } : {}),
  });
}

/** VALUE as typed on the command line, turned into the setting's value and checked by its schema. */
function parseValue(field: SettingFieldView, raw: string): unknown {
  const value = field.type === 'integer' ? (/^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN)
    : field.type === 'choices' ? raw.split(',').map((item) => item.trim()).filter((item) => item !== '')
      : field.type === 'text' && raw === '' ? null
        : raw;
  const checked = Settings.shape[field.key as SettingName].safeParse(value);
  if (checked.success) return checked.data;
  throw refused(field, raw, field.type === 'text' ? `${checked.error.issues[0]?.message ?? 'text'}, or '' for none` : allowed(field));
}

/** A value as a technician reads it back: lists comma-separated, none for null. */
function shown(value: unknown): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  return String(value);
}

export function registerSettingsCommand(program: Command): void {
  const settings = program.command('settings').description('the station settings: idle timeout, language, second approvals, held enrollments, retention, slips');

  settings.command('list')
    .description('every setting with its value and what it may be')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const view = await withDatabase(command, (db) => stationSettingsView(db));
      if (options.json) return printJson(view);
      for (const field of view.fields) {
        const value = view.settings[field.key as SettingName];
        process.stdout.write(`${field.key.padEnd(26)}  ${shown(value).padEnd(20)}  (${allowed(field)})\n`);
      }
      if (view.authorityRetentionHours !== null) {
        process.stdout.write(`The authority's station configuration keeps envelopes ${view.authorityRetentionHours} h after the receipt; sealedRetentionHours applies only without it.\n`);
      }
    });

  settings.command('get')
    .description('one setting\'s value')
    .argument('<key>', 'the setting, as `gatehouse settings list` names it')
    .option('--json', 'print JSON')
    .action(async (key: string, options: { json?: boolean }, command: Command) => {
      const field = fieldNamed(key);
      const value = (await withDatabase(command, (db) => stationSettingsView(db))).settings[field.key as SettingName];
      if (options.json) return printJson({ key: field.key, value });
      process.stdout.write(`${shown(value)}\n`);
    });

  settings.command('set')
    .description('change one setting (audited with its old and new value)')
    .argument('<key>', 'the setting, as `gatehouse settings list` names it')
    .argument('<value>', "the new value; lists comma-separated; '' for none")
    .option('--json', 'print JSON')
    .action(async (key: string, raw: string, options: { json?: boolean }, command: Command) => {
      const field = fieldNamed(key);
      const value = parseValue(field, raw);
      const { changed } = await withDatabase(command, (db) => db.transaction(() => {
        const written = writeSettings(db, { [field.key]: value } as Partial<StationSettings>);
        appendAudit(db, { actor: 'cli', action: 'settings.update', details: { changes: written.changed } });
        return written;
      })());
      if (options.json) return printJson({ key: field.key, value, changes: changed });
      const change = changed[0];
      process.stdout.write(change ? `${field.key}: ${shown(change.old)} → ${shown(change.new)}\n` : `${field.key} is already ${shown(value)}\n`);
    });
}
