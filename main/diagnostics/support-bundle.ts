// The support bundle a technician carries to support on a USB stick: one JSON file,
// gatehouse-support-<kiosk id>-<time>.json, readable in any text editor and searchable without
// tools (a tarball would need unpacking to check what it holds, and everything here is text).
// It holds versions, the station settings, the devices configuration, the diagnostics report,
// the schema version, outbox and enrollment counts by state and recent log lines; every value
// passes the redaction (redaction.ts), and nothing else is read from the store: no enrollment
// contents, envelopes, keys, operators or audit details. Written atomically (private-file.ts).

import fs from 'node:fs';
import path from 'node:path';
import { readDevicesConfig } from '../devices/device-config.js';
import { GatehouseError } from '../errors.js';
import { readSettings } from '../kiosk/station-settings.js';
import { readIdentity } from '../provisioning/kiosk-credentials.js';
import type { Db } from '../store/database.js';
import { writePrivateFile } from '../store/private-file.js';
import type { DiagnosticsReportView } from './diagnostics-run.js';
import { scrubLogLine, scrubValue } from './redaction.js';

export const SUPPORT_BUNDLE_FORMAT = 'gatehouse-support-bundle';

export interface LogExcerpt {
  /** Where the lines came from: the kiosk's memory, the journal, a file the technician named, or nowhere. */
  source: string;
  lines: string[];
}

export interface SupportBundleInput {
  db: Db;
  report: DiagnosticsReportView;
  log: LogExcerpt;
  now: Date;
}

/** What a setting that cannot be read says in the bundle instead of its value. */
const unreadable = (error: unknown) => ({ unreadable: error instanceof Error ? error.message : String(error) });

const countsBy = (db: Db, table: 'outbox' | 'enrollments') => Object.fromEntries(
  (db.prepare(`SELECT state, count(*) AS n FROM ${table} GROUP BY state ORDER BY state`).all() as Array<{ state: string; n: number }>)
    .map(({ state, n }) => [state, n]),
);

/** The bundle's content, scrubbed. */
export function supportBundle({ db, report, log, now }: SupportBundleInput): Record<string, unknown> {
  const identity = readIdentity(db);
  const attempt = <T>(read: () => T) => {
    try {
      return read();
    } catch (error) {
      return unreadable(error);
    }
  };
  return scrubValue({
    format: SUPPORT_BUNDLE_FORMAT,
    version: 1,
    writtenAt: now.toISOString(),
    kiosk: identity && { id: identity.kioskId, name: identity.name, authorityUrl: identity.authorityUrl, registeredAt: identity.registeredAt },
    versions: report.versions,
    settings: attempt(() => readSettings(db)),
    devices: attempt(() => readDevicesConfig(db)),
    diagnostics: report,
    outbox: countsBy(db, 'outbox'),
    enrollments: countsBy(db, 'enrollments'),
    log: { source: log.source, lines: log.lines.map(scrubLogLine) },
  }) as Record<string, unknown>;
}

/** gatehouse-support-<kiosk id or "unprovisioned">-<UTC time>.json */
export function supportBundleName(kioskId: string | null, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `gatehouse-support-${(kioskId ?? 'unprovisioned').replace(/[^A-Za-z0-9-]/g, '-')}-${stamp}.json`;
}

/** Writes the bundle into `folder` (which must exist: a USB stick that is not there is not made on the kiosk's disk). */
export function writeSupportBundle(folder: string, input: SupportBundleInput): { file: string; bytes: number } {
  let isFolder = false;
  try {
    isFolder = fs.statSync(folder).isDirectory();
  } catch {
    // reported below
  }
  if (!isFolder) {
    throw new GatehouseError('SUPPORT_BUNDLE_FOLDER_MISSING', `There is no folder ${folder}; insert the USB stick and choose its folder.`, { folder });
  }
  const bytes = Buffer.from(`${JSON.stringify(supportBundle(input), null, 2)}\n`);
  const file = path.join(folder, supportBundleName(readIdentity(input.db)?.kioskId ?? null, input.now));
  try {
    writePrivateFile(file, bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    throw new GatehouseError('SUPPORT_BUNDLE_FAILED', `The support bundle could not be written to ${folder} (${code}).`, { folder, cause: code });
  }
  return { file, bytes: bytes.length };
}
