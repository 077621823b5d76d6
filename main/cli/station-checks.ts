// The doctor's checks of this station's own state, as opposed to the machine's: who may read
// its data folder and key, whether its store is encrypted and intact, whether its audit chain
// holds, whether it is provisioned, whether the authority answers and agrees on the time, and
// whether the disk has room for the queue. Each answers with what a technician should do.

import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SKEW_SECONDS } from '../../authority/protocol/http-signature.js';
import { verifyAudit } from '../audit/audit-verify.js';
import { readIdentity } from '../provisioning/kiosk-credentials.js';
import { databasePath, openKioskDatabase, type Db } from '../store/database.js';
import { databaseKeyVaultFor, isPlainSqliteFile } from '../store/database-key.js';
import type { DoctorCheck } from './doctor-checks.js';

/** Below this, the queue of a kiosk offline for days no longer fits: ~1,700 records of 300 KB. */
export const MIN_FREE_BYTES = 512 * 1024 * 1024;
/** A clock off by more than this is refused by the authority before long (its window is DEFAULT_SKEW_SECONDS). */
export const MAX_CLOCK_SKEW_SECONDS = DEFAULT_SKEW_SECONDS / 2;
const AUTHORITY_TIMEOUT_MS = 10_000;

type Check = [name: string, required: boolean, run: () => string | Promise<string>];

/**
 * Checks the station whose data folder is `dataDir`, one after the other (those reading the
 * store share one connection, opened only when a store exists: the doctor never makes one).
 * `now` is the local clock the skew is measured with.
 */
export async function runStationChecks(dataDir: string, now: () => number = Date.now): Promise<DoctorCheck[]> {
  const file = databasePath(dataDir);
  let db: Db | undefined;
  const withStore = (check: (store: Db) => string | Promise<string>) => () => {
    if (!fs.existsSync(file)) return 'no database yet (it is made when the kiosk first starts)';
    db ??= openKioskDatabase(dataDir);
    return check(db);
  };
  const checks: Check[] = [
    ['data folder and key permissions', true, () => checkPermissions(dataDir)],
    ['database encryption', true, () => checkEncryption(dataDir, file)],
    ['database integrity', true, withStore(checkIntegrity)],
    ['audit chain', true, withStore(checkAuditChain)],
    ['provisioning', false, withStore(checkProvisioning)],
    ['authority and clock', false, withStore((store) => checkAuthority(store, now))],
    ['disk space', true, () => checkDiskSpace(dataDir)],
  ];
  const results: DoctorCheck[] = [];
  try {
    for (const [name, required, run] of checks) {
      try {
        results.push({ name, required, ok: true, detail: await run() });
      } catch (error) {
        results.push({ name, required, ok: false, detail: error instanceof Error ? error.message : String(error) });
      }
    }
  } finally {
    db?.close();
  }
  return results;
}

function checkPermissions(dataDir: string): string {
  if (!fs.existsSync(dataDir)) return `${dataDir} does not exist yet`;
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
    throw new Error(`others than the kiosk's user may read ${exposed.slice(0, 5).join(', ')}${exposed.length > 5 ? ` and ${exposed.length - 5} more` : ''}; `
      + `run "chmod -R go-rwx ${dataDir}" and find out who could read them`);
  }
  return `${dataDir} and everything in it readable by its owner only`;
}

function checkEncryption(dataDir: string, file: string): string {
  if (!fs.existsSync(file)) return 'no database yet';
  if (isPlainSqliteFile(file)) {
    throw new Error(`${file} is not encrypted; start the kiosk (or run any gatehouse command) once and it is encrypted in place`);
  }
  return `encrypted; key in ${databaseKeyVaultFor(dataDir).description}`;
}

function checkIntegrity(db: Db): string {
  const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
  const problems = rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
  if (problems.length > 0) {
    throw new Error(`SQLite reports ${problems.length} problem(s), first: ${problems[0]}; copy the data folder aside and call support before changing anything`);
  }
  return 'integrity_check ok';
}

function checkAuditChain(db: Db): string {
  const result = verifyAudit(db);
  if (!result.ok) {
    throw new Error(`broken at entry ${result.firstBroken.seq} (${result.firstBroken.message}); `
      + 'the log was changed outside the kiosk: report it to the authority, do not repair it');
  }
  return `${result.entries} entries, chain intact`;
}

function checkProvisioning(db: Db): string {
  const identity = readIdentity(db);
  if (identity === null) throw new Error('not registered with an authority; provision it from the technician screen or with "gatehouse provision"');
  return `kiosk ${identity.kioskId} (${identity.name}) registered with ${identity.authorityUrl} at ${identity.registeredAt}`;
}

/** Reachability and clock skew from the authority's health answer and its HTTP Date. */
async function checkAuthority(db: Db, now: () => number): Promise<string> {
  const identity = readIdentity(db);
  if (identity === null) return 'not provisioned: no authority to ask';
  const sentAt = now();
  let response: Response;
  try {
    response = await fetch(`${identity.authorityUrl}/v1/health`, { signal: AbortSignal.timeout(AUTHORITY_TIMEOUT_MS) });
  } catch (error) {
    throw new Error(`${identity.authorityUrl} does not answer (${error instanceof Error ? error.message : String(error)}); `
      + 'check the network cable and the firewall; the kiosk keeps enrolling offline meanwhile');
  }
  const receivedAt = now();
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${identity.authorityUrl} answers ${response.status}; tell the authority's operators`);
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isNaN(date)) return `${identity.authorityUrl} reachable; it sends no time to compare with`;
  // The Date header has whole seconds: compare with the middle of the exchange, allow its rounding.
  const skew = Math.round((date + 500 - (sentAt + receivedAt) / 2) / 1000);
  if (Math.abs(skew) > MAX_CLOCK_SKEW_SECONDS) {
    throw new Error(`this kiosk's clock is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} the authority's; `
      + 'turn on time synchronisation (timedatectl set-ntp true) or set the clock, or the authority will refuse its requests');
  }
  return `${identity.authorityUrl} reachable, clocks ${Math.abs(skew)} s apart`;
}

async function checkDiskSpace(dataDir: string): Promise<string> {
  let folder = dataDir;
  while (!fs.existsSync(folder)) folder = path.dirname(folder);
  const stats = await fs.promises.statfs(folder);
  const free = stats.bavail * stats.bsize;
  const mib = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MiB`;
  if (free < MIN_FREE_BYTES) {
    throw new Error(`only ${mib(free)} free on the disk of ${dataDir} (at least ${mib(MIN_FREE_BYTES)} needed); `
      + 'sync the kiosk so delivered records are purged, or free space');
  }
  return `${mib(free)} free`;
}
