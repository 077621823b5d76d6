// The technician's diagnostics: every `gatehouse doctor` check as data (a stable id, an
// outcome, a reason code and the technical detail; screens word the id and reason in the
// screen's language), the devices' live states with their last error, the authority
// connection, disk space and versions; and the support bundle written to a USB folder.

import { z } from 'zod';
import { event, procedure } from '../define.js';
import { Empty } from '../schemas.js';
import { DeviceDiagnosis } from './devices.js';

export const CheckGroup = z.enum(['machine', 'devices', 'station', 'storage', 'authority']);

/** Stable ids: the CLI prints them, the screen translates `diagnostics.checks.<id>.*`. */
export const CheckId = z.enum([
  'node', 'sqlite', 'serial-ports', 'hid', 'chip-readers', 'chromium', 'face', 'data-writable',
  'permissions', 'encryption', 'integrity', 'audit-chain', 'provisioning', 'authority', 'disk-space', 'jobs',
]);

/** failed: a required check did not pass; warning: an optional one did not (the kiosk still runs). */
export const CheckOutcome = z.enum(['ok', 'warning', 'failed']);

/** Figures a check measured, for the screen's sentence (no paths, names or personal data). */
export const CheckValues = z.record(z.string(), z.union([z.string(), z.number()]));

export const CheckResult = z.object({
  id: CheckId,
  group: CheckGroup,
  /** The English name `gatehouse doctor` prints. */
  name: z.string(),
  /** Whether the doctor fails when this check does not pass. */
  required: z.boolean(),
  ok: z.boolean(),
  outcome: CheckOutcome,
  /** Why, as a code (`clock-skew`, `no-store` …); null: the plain outcome. The screen's words: `diagnostics.checks.<id>.<reason ?? outcome>`. */
  reason: z.string().regex(/^[a-z][a-z-]*$/).nullable(),
  /** What the check found, in English for the technician (paths, versions, the operating system's message). */
  detail: z.string(),
  values: CheckValues,
});

/** A check while a run is under way: waiting, running, or done with its result. */
export const CheckProgress = z.object({
  id: CheckId,
  group: CheckGroup,
  state: z.enum(['waiting', 'running', 'done']),
  result: CheckResult.nullable(),
});

export const AuthorityConnection = z.object({
  /** Null: not provisioned. */
  url: z.string().nullable(),
  /** Null: not asked (not provisioned). */
  reachable: z.boolean().nullable(),
  /** Positive: the kiosk's clock is behind the authority's; null when not measured. */
  clockSkewSeconds: z.number().int().nullable(),
  lastSyncAt: z.string().nullable(),
  lastFailure: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
});

export const Versions = z.object({
  kiosk: z.string(),
  node: z.string(),
  /** `chromium --version`, or null when no Chromium is installed. */
  chromium: z.string().nullable(),
  sqlite: z.string(),
  cipher: z.string(),
  /** The store's schema version (PRAGMA user_version); null without a store. */
  migration: z.number().int().nullable(),
});

/** The update channel (main/updates/): what runs, what was found, downloaded, staged or refused, and why. */
export const UpdatesStatus = z.object({
  installedVersion: z.string(),
  architecture: z.string(),
  /** False: provisioned before signed updates; the kiosk refuses updates until provisioned again. Null: not provisioned. */
  keyPinned: z.boolean().nullable(),
  state: z.enum(['idle', 'available', 'downloading', 'downloaded', 'staged', 'refused', 'failed']),
  lastCheckedAt: z.string().nullable(),
  /** The version found, downloaded, staged or refused. */
  version: z.string().nullable(),
  /** Why it was refused, failed or waits (UPDATE_* codes); the screen words `diagnostics.updates.reasons.<code>`. */
  reason: z.object({ code: z.string(), message: z.string() }).nullable(),
  updatedAt: z.string().nullable(),
  /**
   * What the privileged installer last did (its status file), or null where it never ran:
   * an install under way (phase), or the last outcome; `unreadable` when its status file is damaged.
   */
  installer: z.object({
    outcome: z.enum(['in-progress', 'installed', 'rolled-back', 'rollback-failed', 'refused', 'unreadable']),
    phase: z.enum(['installing', 'checking', 'rolling-back']).nullable(),
    at: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    /** Why it refused or failed (UPDATE_* codes), for the technician. */
    code: z.string().nullable(),
  }).nullable(),
});

export const DiagnosticsReport = z.object({
  at: z.string(),
  /** False when a required check failed. */
  ok: z.boolean(),
  checks: z.array(CheckResult),
  devices: z.array(DeviceDiagnosis),
  authority: AuthorityConnection,
  disk: z.object({ folder: z.string(), freeBytes: z.number().nonnegative(), totalBytes: z.number().nonnegative() }).nullable(),
  versions: Versions,
  updates: UpdatesStatus,
});

/** A folder the bundle may go to: a mounted removable medium. */
export const UsbFolder = z.object({ path: z.string(), device: z.string(), label: z.string() });

/** A path on the kiosk, e.g. a mounted USB stick. */
const LocalPath = z.string().trim().min(1).max(4096).refine((p) => p.startsWith('/'), 'an absolute path');

const technician = ['technician'] as const;

export const diagnosticsProcedures = {
  'diagnostics.run': procedure({
    summary: 'Run every doctor check (progress as diagnostics.progress) and report devices, authority, disk and versions.',
    input: Empty,
    output: DiagnosticsReport,
    access: technician,
  }),
  'diagnostics.usbFolders': procedure({
    summary: 'The removable media mounted under /media and /run/media, for the support bundle.',
    input: Empty,
    output: z.array(UsbFolder),
    access: technician,
  }),
  'diagnostics.writeSupportBundle': procedure({
    summary: 'Write a support bundle (versions, settings, diagnostics, recent log lines; no personal data, no keys) into a folder.',
    input: z.strictObject({ folder: LocalPath }),
    output: z.object({ file: z.string(), bytes: z.number().int().positive() }),
    access: technician,
    audit: 'diagnostics.support-bundle-written',
  }),
} as const;

export const diagnosticsEvents = {
  'diagnostics.progress': event({
    summary: 'A diagnostics run on this screen moved on: every check with its state.',
    payload: z.object({ checks: z.array(CheckProgress) }),
  }),
} as const;
