// The diagnostics run on a realistic store (1,700 queued records of 300 KB, what a kiosk keeps
// offline for days, and 50,000 audit entries): how long SQLite's integrity_check and the audit
// chain check take, and the longest the kiosk's event loop waits while the station checks run
// against its open store (integrity_check on its own thread, the chain in batches). The store is
// made the way a technician would: provisioned against a loopback authority, records sealed
// with `gatehouse enroll --synthetic`.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { openAuthority } from '../authority/authority.js';
import { initAuthorityKeys } from '../authority/keys/init-keys.js';
import { startAuthorityServer } from '../authority/http/server.js';
import { createProvisioningToken } from '../authority/registration.js';
import { appendAudit } from '../main/audit/audit-log.js';
import { verifyAudit } from '../main/audit/audit-verify.js';
import { runStationChecks } from '../main/cli/station-checks.js';
import { databasePath, openKioskDatabase } from '../main/store/database.js';
import { databaseKeyVaultFor } from '../main/store/database-key.js';
import type { Benchmark, Measurement } from './report.js';

/** GATEHOUSE_BENCH_DIAGNOSTICS_RECORDS overrides it for a quick look. */
const RECORDS = Number(process.env.GATEHOUSE_BENCH_DIAGNOSTICS_RECORDS ?? 1_700);
const AUDIT_ENTRIES = 50_000;

const timed = <T>(work: () => T): [T, number] => {
  const started = performance.now();
  return [work(), performance.now() - started];
};

/** Runs a CLI command as its own process (asynchronously: the authority answers from this one). */
async function gatehouse(cli: string, dataDir: string, ...args: string[]): Promise<void> {
  await promisify(execFile)(process.execPath, [cli, '--data', dataDir, ...args], { maxBuffer: 64 * 1024 * 1024 });
}

export function diagnosticsBenchmark(cli: string): Benchmark {
  return {
    name: 'Diagnostics on a realistic store',
    command: 'npm run bench -- diagnostics',
    async run(): Promise<Measurement[]> {
      const authorityDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-authority-'));
      const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-kiosk-'));
      await initAuthorityKeys({ dataDir: authorityDir });
      const authority = await openAuthority({ dataDir: authorityDir });
      const server = await startAuthorityServer(authority, { port: 0 });
      try {
        const { token } = await createProvisioningToken(authority, 600);
        await gatehouse(cli, dataDir, 'provision', '--authority', server.url, '--token', token, '--name', 'Benchmark kiosk');
        await gatehouse(cli, dataDir, 'enroll', '--synthetic', String(RECORDS), '--json');
        const db = openKioskDatabase(dataDir);
        try {
          db.transaction(() => {
            for (let index = 0; index < AUDIT_ENTRIES; index += 1) appendAudit(db, { actor: 'operator:1', action: 'auth.login', details: { operatorId: 1 } });
          })();
          db.pragma('wal_checkpoint(TRUNCATE)');
          const size = `${Math.round(statSync(databasePath(dataDir)).size / 2 ** 20)} MiB store`;
          const [, integrityMs] = timed(() => db.pragma('integrity_check'));
          const [, chainMs] = timed(() => verifyAudit(db));
          const delay = monitorEventLoopDelay({ resolution: 5 });
          delay.enable();
          const started = performance.now();
          const results = await runStationChecks(dataDir, { store: { db, databaseKey: () => databaseKeyVaultFor(dataDir).loadDatabaseKey() } });
          const checksMs = performance.now() - started;
          delay.disable();
          const failed = results.filter((check) => check.id === 'integrity' || check.id === 'audit-chain').filter((check) => !check.ok);
          if (failed.length > 0) throw new Error(`store checks failed: ${failed.map((check) => check.detail).join('; ')}`);
          return [
            { metric: 'integrity_check, in one go', value: integrityMs, unit: 'ms', note: `${size}, ${RECORDS} records; what it would block` },
            { metric: `audit chain check of ${AUDIT_ENTRIES} entries, in one go`, value: chainMs, unit: 'ms' },
            { metric: 'station checks against the open store', value: checksMs, unit: 'ms', note: 'integrity off thread, chain in batches of 500' },
            { metric: 'longest event-loop delay meanwhile', value: delay.max / 1e6, unit: 'ms', goal: { op: '<=', value: 250 } },
          ];
        } finally {
          db.close();
        }
      } finally {
        await server.close();
        await authority.close();
        rmSync(authorityDir, { recursive: true, force: true });
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
