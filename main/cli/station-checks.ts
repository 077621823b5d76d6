// The doctor's checks of this station's own state, as opposed to the machine's: who may read
// its data folder and key, whether its store is encrypted and intact, whether its audit chain
// holds, whether it is provisioned, whether the authority answers and agrees on the time,
// whether the disk has room for the queue, and whether background jobs failed or are stuck. Each failure carries a reason code (for the
// diagnostics screen) and says in English what a technician should do (for the CLI).

import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SKEW_SECONDS } from '../../protocol/http-signature.js';
import { verifyAuditInSteps } from '../audit/audit-verify.js';
import { checkBackgroundJobs } from '../diagnostics/background-jobs-check.js';
import { CheckProblem, runChecks, type CheckDefinition, type DoctorCheck, type Finding, type ProgressListener } from '../diagnostics/doctor-check.js';
import { integrityCheckOffThread } from '../diagnostics/store-integrity.js';
import { readIdentity } from '../provisioning/kiosk-credentials.js';
import { databasePath, openKioskDatabase, type Db } from '../store/database.js';
import { databaseKeyVaultFor, isPlainSqliteFile } from '../store/database-key.js';

/** Below this, the queue of a kiosk offline for days no longer fits: ~1,700 records of 300 KB. */
export const MIN_FREE_BYTES = 512 * 1024 * 1024;
/** A clock off by more than this is refused by the authority before long (its window is DEFAULT_SKEW_SECONDS). */
export const MAX_CLOCK_SKEW_SECONDS = DEFAULT_SKEW_SECONDS / 2;
const AUTHORITY_TIMEOUT_MS = 10_000;
const MIB = 1024 * 1024;

/** The running kiosk's own store: checked as it is, never closed by the checks. */
export interface StationStore {
  db: Db;
  /** The store's key (for the integrity check's own connection); null for a store without one. */
  databaseKey(): Buffer | null;
}

export interface StationCheckOptions {
  /** The local clock the skew is measured with. */
  now?: () => number;
  /** The kiosk's running store; without it an existing store is opened (never made) and closed afterwards. */
  store?: StationStore;
}

/**
 * The station's checks for the data folder `dataDir`, to run one after the other (those reading
 * the store share one connection, opened only when a store exists: the doctor never makes one).
 * `release` closes what the checks opened.
 */
export function stationChecks(dataDir: string, { now = Date.now, store }: StationCheckOptions = {}): { checks: CheckDefinition[]; release(): void } {
  const file = databasePath(dataDir);
  let opened: StationStore | undefined;
  const storeOf = (): StationStore | null => {
    if (store) return store;
    if (!fs.existsSync(file)) return null;
    opened ??= { db: openKioskDatabase(dataDir), databaseKey: () => databaseKeyVaultFor(dataDir).loadDatabaseKey() };
    return opened;
  };
  const withStore = (check: (station: StationStore) => string | Finding | Promise<string | Finding>) => () => {
    const station = storeOf();
    return station ? check(station) : { detail: 'no database yet (it is made when the kiosk first starts)', reason: 'no-store' };
  };
  const checks: CheckDefinition[] = [
    { id: 'permissions', group: 'station', name: 'data folder and key permissions', required: true, probe: () => checkPermissions(dataDir) },
    { id: 'encryption', group: 'storage', name: 'database encryption', required: true, probe: () => checkEncryption(dataDir, file) },
    { id: 'integrity', group: 'storage', name: 'database integrity', required: true, probe: withStore(checkIntegrity) },
    { id: 'audit-chain', group: 'storage', name: 'audit chain', required: true, probe: withStore(({ db }) => checkAuditChain(db)) },
    { id: 'provisioning', group: 'station', name: 'provisioning', required: false, probe: withStore(({ db }) => checkProvisioning(db)) },
    { id: 'authority', group: 'authority', name: 'authority and clock', required: false, probe: withStore(({ db }) => checkAuthority(db, now)) },
    { id: 'disk-space', group: 'storage', name: 'disk space', required: true, probe: () => checkDiskSpace(dataDir) },
    { id: 'jobs', group: 'station', name: 'background jobs', required: false, probe: withStore(({ db }) => checkBackgroundJobs(db, now())) },
  ];
  return { checks, release: () => opened?.db.close() };
}

/** Runs the station's checks one after the other (see stationChecks). */
export async function runStationChecks(dataDir: string, options: StationCheckOptions = {}, onProgress?: ProgressListener): Promise<DoctorCheck[]> {
  const { checks, release } = stationChecks(dataDir, options);
  try {
    return await runChecks([], checks, onProgress);
  } finally {
    release();
  }
}

function checkPermissions(dataDir: string): Finding {
  if (!fs.existsSync(dataDir)) return { detail: `${dataDir} does not exist yet`, reason: 'no-folder' };
  const exposed: string[] = [];
  const visit = (entry: string) => {
    const stat = fs.lstatSync(entry);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) exposed.push(`${entry} (${(stat.mode & 0o777).toString(8)})`);
    if (stat.isDirectory() && entry !== path.join(dataDir, 'chromium-profile')) {
      for (const name of fs.readdirSync(entry)) visit(path.join(entry, name));
    }
  };
  visit(dataDir);
  if (exposed.length > 0) {
    throw new CheckProblem('exposed', `others than the kiosk's user may read ${exposed.slice(0, 5).join(', ')}${exposed.length > 5 ? ` and ${exposed.length - 5} more` : ''}; `
      + `run "chmod -R go-rwx ${dataDir}" and find out who could read them`, { count: exposed.length });
  }
  return { detail: `${dataDir} and everything in it readable by its owner only` };
}

function checkEncryption(dataDir: string, file: string): Finding {
  if (!fs.existsSync(file)) return { detail: 'no database yet', reason: 'no-store' };
  if (isPlainSqliteFile(file)) {
    throw new CheckProblem('plain', `${file} is not encrypted; start the kiosk (or run any gatehouse command) once and it is encrypted in place`);
  }
  return { detail: `encrypted; key in ${databaseKeyVaultFor(dataDir).description}` };
}

async function checkIntegrity({ db, databaseKey }: StationStore): Promise<Finding> {
  const lines = await integrityCheckOffThread(db.name, databaseKey());
  const problems = lines.filter((line) => line !== 'ok');
  if (problems.length > 0) {
    throw new CheckProblem('problems', `SQLite reports ${problems.length} problem(s), first: ${problems[0]}; copy the data folder aside and call support before changing anything`,
      { count: problems.length });
  }
  return { detail: 'integrity_check ok' };
}

async function checkAuditChain(db: Db): Promise<Finding> {
  const result = await verifyAuditInSteps(db);
  if (!result.ok) {
    throw new CheckProblem('broken', `broken at entry ${result.firstBroken.seq} (${result.firstBroken.message}); `
      + 'the log was changed outside the kiosk: report it to the authority, do not repair it', { seq: result.firstBroken.seq });
  }
  return { detail: `${result.entries} entries, chain intact`, values: { entries: result.entries } };
}

function checkProvisioning(db: Db): Finding {
  const identity = readIdentity(db);
  if (identity === null) {
    throw new CheckProblem('not-provisioned', 'not registered with an authority; provision it from the technician screen or with "gatehouse provision"');
  }
  return { detail: `kiosk ${identity.kioskId} (${identity.name}) registered with ${identity.authorityUrl} at ${identity.registeredAt}` };
}

/** Reachability and clock skew from the authority's health answer and its HTTP Date. */
async function checkAuthority(db: Db, now: () => number): Promise<Finding> {
  const identity = readIdentity(db);
  if (identity === null) return { detail: 'not provisioned: no authority to ask', reason: 'not-provisioned' };
  const url = identity.authorityUrl;
  const sentAt = now();
  let response: Response;
  try {
    response = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(AUTHORITY_TIMEOUT_MS) });
  } catch (error) {
    throw new CheckProblem('unreachable', `${url} does not answer (${error instanceof Error ? error.message : String(error)}); `
      + 'check the network cable and the firewall; the kiosk keeps enrolling offline meanwhile');
  }
  const receivedAt = now();
  await response.body?.cancel();
  if (!response.ok) throw new CheckProblem('refused', `${url} answers ${response.status}; tell the authority's operators`, { status: response.status });
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isNaN(date)) return { detail: `${url} reachable; it sends no time to compare with`, reason: 'no-time' };
  // The Date header has whole seconds: compare with the middle of the exchange, allow its rounding.
  const skew = Math.round((date + 500 - (sentAt + receivedAt) / 2) / 1000);
  if (Math.abs(skew) > MAX_CLOCK_SKEW_SECONDS) {
    throw new CheckProblem(skew > 0 ? 'clock-behind' : 'clock-ahead', `this kiosk's clock is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} the authority's; `
      + 'turn on time synchronisation (timedatectl set-ntp true) or set the clock, or the authority will refuse its requests', { skewSeconds: skew, seconds: Math.abs(skew) });
  }
  return { detail: `${url} reachable, clocks ${Math.abs(skew)} s apart`, values: { skewSeconds: skew, seconds: Math.abs(skew) } };
}

async function checkDiskSpace(dataDir: string): Promise<Finding> {
  let folder = dataDir;
  while (!fs.existsSync(folder)) folder = path.dirname(folder);
  const stats = await fs.promises.statfs(folder);
  const free = stats.bavail * stats.bsize;
  const values = { freeBytes: free, totalBytes: stats.blocks * stats.bsize, freeMiB: Math.floor(free / MIB), minMiB: MIN_FREE_BYTES / MIB };
  if (free < MIN_FREE_BYTES) {
    throw new CheckProblem('low', `only ${values.freeMiB} MiB free on the disk of ${dataDir} (at least ${values.minMiB} MiB needed); `
      + 'sync the kiosk so delivered records are purged, or free space', values);
  }
  return { detail: `${values.freeMiB} MiB free`, values };
}
