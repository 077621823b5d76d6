// The authority's intake under a fleet: N kiosks (real kiosk stores, real sealing, the kiosk's
// own sync service) deliver their queued records at once through a round-robin proxy to one or
// two `gatehouse-authority serve` replicas, on SQLite and on PostgreSQL. Reported per set-up:
// intake (records/s), p50/p99 latency of record uploads as the proxy saw them, each replica's
// peak memory, and exactly-once checked (every record stored once, none rejected).
// The kiosks run in the benchmark's process and share the machine's cores with the replicas.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLog } from '../main/log.js';
import { queueSummary } from '../main/store/outbox.js';
import { SyncService } from '../main/sync/sync-service.js';
import { projectRoot } from '../main/kiosk/project-root.js';
import { startPostgres, postgresBinDir } from '../tools/postgres/throwaway-postgres.js';
import { percentile, registerBenchKiosk, sealBenchRecords, type BenchKiosk } from './bench-kiosk.js';
import { samplePeakMemory, type PeakMemory } from './process-memory.js';
import type { Benchmark, Measurement } from './report.js';
import { startRoundRobinProxy } from '../tools/fleet/round-robin-proxy.js';

/** Kiosks and records per kiosk; GATEHOUSE_BENCH_AUTHORITY_KIOSKS / _RECORDS override them for a quick look. */
const KIOSKS = Number(process.env.GATEHOUSE_BENCH_AUTHORITY_KIOSKS ?? 20);
const RECORDS_PER_KIOSK = Number(process.env.GATEHOUSE_BENCH_AUTHORITY_RECORDS ?? 50);
/** A fleet that has not delivered everything by then has a fault, not a slow authority. */
const DRAIN_DEADLINE_MS = 20 * 60_000;

const authorityCli = join(projectRoot, 'bin', 'gatehouse-authority.js');

interface Store {
  name: 'SQLite' | 'PostgreSQL';
  /** The postgres:// URL, none for SQLite in the shared data directory. */
  database?: string;
}

interface Replica {
  url: string;
  process: ChildProcess;
  memory: PeakMemory;
}

/** The command line of `gatehouse-authority … args` on this set-up's store. */
const authorityArgs = (dataDir: string, store: Store, args: readonly string[]): string[] =>
  [authorityCli, '--data', dataDir, ...(store.database ? ['--database', store.database] : []), ...args];

/** Runs one authority command to its end; its standard output. */
function runAuthority(dataDir: string, store: Store, args: string[]): Promise<string> {
  const child = spawn(process.execPath, authorityArgs(dataDir, store, args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => code === 0 ? resolve(out) : reject(new Error(`gatehouse-authority ${args.join(' ')} exited with ${code}: ${err}`)));
  });
}

/** Starts `serve` and resolves once it prints `ready <url>`; its request log is dropped, its last words kept for a failure. */
function startReplica(dataDir: string, store: Store): Promise<Replica> {
  // The whole fleet registers from 127.0.0.1, as kiosks behind one NAT would.
  const child = spawn(process.execPath, authorityArgs(dataDir, store, ['serve', '--port', '0', '--registration-attempts', String(KIOSKS)]),
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const memory = samplePeakMemory(child.pid!, 100);
  let lastWords = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { lastWords = (lastWords + chunk).slice(-2_000); });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const ready = /^ready (\S+)$/m.exec(out);
      if (ready) resolve({ url: ready[1]!, process: child, memory });
    });
    child.once('exit', (code) => reject(new Error(`gatehouse-authority serve exited with ${code} before it was ready: ${lastWords}`)));
  });
}

async function stopReplica(replica: Replica): Promise<number> {
  replica.memory.sample();
  const exited = new Promise((resolve) => replica.process.once('exit', resolve));
  replica.process.kill('SIGTERM');
  await exited;
  return replica.memory.stop();
}

/** Runs the kiosk's sync rounds until its queue is empty; records it had to refuse count as a failure. */
async function drainKiosk(kiosk: BenchKiosk, deadline: number): Promise<void> {
  const sync = new SyncService({
    db: kiosk.db, credentials: () => kiosk.credentials, log: silentLog, timeoutMs: 60_000,
    policy: { baseMs: 50, capMs: 1_000, maxRetryAfterMs: 2_000 },
  });
  for (;;) {
    const round = await sync.runOnce();
    if (round.rejected > 0) throw new Error(`a kiosk had ${round.rejected} records rejected: ${round.failure?.message ?? ''}`);
    if (round.failure?.kind === 'halt') throw new Error(`a kiosk halted: ${round.failure.message}`);
    if (queueSummary(kiosk.db).queued === 0) return;
    if (Date.now() > deadline) throw new Error('the fleet did not deliver its records in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every record stored exactly once: as many rows as records sealed, no (kiosk, record) twice. */
async function checkExactlyOnce(dataDir: string, store: Store, expected: number): Promise<void> {
  const { records } = JSON.parse(await runAuthority(dataDir, store, ['records', '--json'])) as { records: { kioskId: string; recordId: string }[] };
  const distinct = new Set(records.map((r) => `${r.kioskId}/${r.recordId}`)).size;
  if (records.length !== expected || distinct !== expected) {
    throw new Error(`the authority holds ${records.length} record rows (${distinct} distinct) for ${expected} records sent`);
  }
}

async function measureFleet(store: Store, replicaCount: number): Promise<Measurement[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-authority-'));
  const kioskDirs: string[] = [];
  const kiosks: BenchKiosk[] = [];
  const replicas: Replica[] = [];
  try {
    await runAuthority(dataDir, store, ['keys', 'init']);
    for (let i = 0; i < replicaCount; i += 1) replicas.push(await startReplica(dataDir, store));
    const proxy = await startRoundRobinProxy(replicas.map((r) => r.url));
    try {
      for (let i = 0; i < KIOSKS; i += 1) {
        const { token } = JSON.parse(await runAuthority(dataDir, store, ['token', 'create', '--json'])) as { token: string };
        const kioskDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-fleet-kiosk-'));
        kioskDirs.push(kioskDir);
        const kiosk = await registerBenchKiosk(kioskDir, proxy.url, token, `Benchmark kiosk ${i + 1}`);
        kiosks.push(kiosk);
        sealBenchRecords(kiosk, RECORDS_PER_KIOSK, i * RECORDS_PER_KIOSK);
      }
      proxy.resetLatencies();
      const started = process.hrtime.bigint();
      const deadline = Date.now() + DRAIN_DEADLINE_MS;
      await Promise.all(kiosks.map((kiosk) => drainKiosk(kiosk, deadline)));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const total = KIOSKS * RECORDS_PER_KIOSK;
      const latencies = proxy.latencies('PUT', /^\/v1\/records\//).sort((a, b) => a - b);
      await checkExactlyOnce(dataDir, store, total);
      const peaks: number[] = [];
      for (const replica of replicas.splice(0)) peaks.push(await stopReplica(replica));
      const setUp = `${store.name}, ${replicaCount} replica${replicaCount > 1 ? 's' : ''}`;
      return [
        { metric: `intake, ${setUp}`, value: total / seconds, unit: 'records/s', note: `${KIOSKS} kiosks × ${RECORDS_PER_KIOSK} records, exactly once` },
        { metric: `record upload p50, ${setUp}`, value: percentile(latencies, 0.5), unit: 'ms', note: `${latencies.length} uploads` },
        { metric: `record upload p99, ${setUp}`, value: percentile(latencies, 0.99), unit: 'ms' },
        { metric: `peak memory per replica, ${setUp}`, value: Math.max(...peaks), unit: 'MiB', note: `VmHWM of each: ${peaks.map((p) => p.toFixed(0)).join(', ')} MiB` },
      ];
    } finally {
      await proxy.close();
    }
  } finally {
    for (const replica of replicas) await stopReplica(replica);
    for (const kiosk of kiosks) kiosk.db.close();
    for (const dir of [dataDir, ...kioskDirs]) rmSync(dir, { recursive: true, force: true });
  }
}

export const authorityBenchmark: Benchmark = {
  name: 'Authority intake from a fleet',
  command: 'npm run bench -- authority',
  async run(): Promise<Measurement[]> {
    const measurements: Measurement[] = [];
    for (const replicas of [1, 2]) measurements.push(...await measureFleet({ name: 'SQLite' }, replicas));
    if (postgresBinDir === undefined) return measurements;
    const postgres = await startPostgres();
    try {
      for (const replicas of [1, 2]) measurements.push(...await measureFleet({ name: 'PostgreSQL', database: await postgres.createDatabase() }, replicas));
    } finally {
      await postgres.stop();
    }
    return measurements;
  },
};
