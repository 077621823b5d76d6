// The station settings as a technician reads and changes them: the values, each setting's
// bounds or choices (taken from the `Settings` schema, so the screen, the CLI and the store
// agree), which second-approval reasons are mandatory, and the retention the authority imposes.
import { z } from 'zod';
import { procedure } from '../define.js';
import { Empty, SecondApprovalReason, Settings } from '../schemas.js';

const technician = ['technician'] as const;

/** What a setting's value may be: a whole number within bounds, one choice, several choices, or text (empty: none). */
export const SettingField = z.discriminatedUnion('type', [
  z.object({ key: z.string(), type: z.literal('integer'), min: z.number().int(), max: z.number().int() }),
  z.object({ key: z.string(), type: z.literal('choice'), options: z.array(z.string()) }),
  z.object({ key: z.string(), type: z.literal('choices'), options: z.array(z.string()) }),
  z.object({ key: z.string(), type: z.literal('text') }),
]);

export const StationSettingsView = z.object({
  settings: Settings,
  fields: z.array(SettingField),
  /** Reasons that always need a second approval; no setting switches them off. */
  mandatorySecondApproval: z.array(SecondApprovalReason),
  /** The retention the authority's station configuration sets (it overrides `sealedRetentionHours`); null when it sets none. */
  authorityRetentionHours: z.number().nullable(),
});

export const settingsProcedures = {
  'settings.get': procedure({
    summary: 'The station settings with their bounds, the mandatory second-approval reasons and the authority\'s retention.',
    input: Empty,
    output: StationSettingsView,
    access: technician,
  }),
  'settings.update': procedure({
    summary: 'Change station settings; audited with each changed key\'s old and new value.',
    input: Settings.partial().strict(),
    output: Settings,
    access: technician,
    audit: 'settings.update',
  }),
} as const;
