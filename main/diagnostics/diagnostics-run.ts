// One diagnostics run over a kiosk's store: every doctor check (progress reported check by
// check), the devices' live states with their last error, the authority connection (what the
// check measured and what the sync loop last saw), disk space, the versions in use and the update
// channel. The kiosk runs it for the diagnostics screen, the CLI for `gatehouse support-bundle`.

import type { z } from 'zod';
import { runDoctorChecks, chromiumVersion, sqliteVersions } from '../cli/doctor-checks.js';
import type { StationStore } from '../cli/station-checks.js';
import { version } from '../kiosk/project-root.js';
import { readIdentity } from '../provisioning/kiosk-credentials.js';
import type { AuthorityConnection, DiagnosticsReport, Versions } from '../rpc/procedures/diagnostics.js';
import type { DeviceDiagnosis } from '../rpc/procedures/devices.js';
import { updatesStatus } from '../updates/update-status.js';
import { doctorPasses, type DoctorCheck, type ProgressListener } from './doctor-check.js';

export type DiagnosticsReportView = z.infer<typeof DiagnosticsReport>;

export interface DiagnosticsSources {
  dataDir: string;
  /** The store checked; the kiosk's own while it runs. */
  store: StationStore;
  /** Live device states (the status board's); none from the CLI, which has no devices open. */
  devices(): Array<z.infer<typeof DeviceDiagnosis>>;
  /** What the sync loop last saw; null from the CLI. */
  sync(): { lastSuccessAt: string | null; lastError: z.infer<typeof AuthorityConnection>['lastFailure'] } | null;
  now?: () => Date;
}

export async function runDiagnostics(sources: DiagnosticsSources, onProgress?: ProgressListener): Promise<DiagnosticsReportView> {
  const now = sources.now ?? (() => new Date());
  const [checks, versions] = await Promise.all([
    runDoctorChecks(sources.dataDir, { store: sources.store, now: () => now().getTime() }, onProgress),
    versionsOf(sources.store),
  ]);
  const disk = checks.find((check) => check.id === 'disk-space');
  return {
    at: now().toISOString(),
    ok: doctorPasses(checks),
    checks,
    devices: sources.devices(),
    authority: authorityConnection(sources, checks),
    disk: disk && typeof disk.values.freeBytes === 'number' && typeof disk.values.totalBytes === 'number'
      ? { folder: sources.dataDir, freeBytes: disk.values.freeBytes, totalBytes: disk.values.totalBytes }
      : null,
    versions,
    updates: updatesStatus(sources.store.db),
  };
}

function authorityConnection(sources: DiagnosticsSources, checks: readonly DoctorCheck[]): z.infer<typeof AuthorityConnection> {
  const check = checks.find((candidate) => candidate.id === 'authority');
  const identity = readIdentity(sources.store.db);
  const sync = sources.sync();
  const skew = check?.values.skewSeconds;
  return {
    url: identity?.authorityUrl ?? null,
    reachable: identity === null || check === undefined ? null : check.reason !== 'unreachable',
    clockSkewSeconds: typeof skew === 'number' ? skew : null,
    lastSyncAt: sync?.lastSuccessAt ?? null,
    lastFailure: sync?.lastError ?? null,
  };
}

async function versionsOf(store: StationStore): Promise<z.infer<typeof Versions>> {
  const chromium = await chromiumVersion().catch(() => null);
  return {
    kiosk: version,
    node: process.versions.node,
    chromium: chromium?.version ?? null,
    ...sqliteVersions(),
    migration: store.db.pragma('user_version', { simple: true }) as number,
  };
}
