// Sealing and sync against the reference authority on loopback: seal + enqueue latency of a
// realistic 300 KB record (goal ≤ 20 ms median), then `gatehouse sync --once` draining 10,000
// such records as its own process — throughput (goal ≥ 50 records/s) and its peak resident
// memory (VmHWM, goal < 300 MB). The authority (SQLite) runs in the benchmark's process.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuthority } from '../authority/authority.js';
import { initAuthorityKeys } from '../authority/keys/init-keys.js';
import { startAuthorityServer } from '../authority/http/server.js';
import { createProvisioningToken } from '../authority/registration.js';
import { percentile, registerBenchKiosk, sealBenchRecords } from './bench-kiosk.js';
import { samplePeakMemory } from './process-memory.js';
import type { Benchmark, Measurement } from './report.js';

/** Records sealed and then drained; GATEHOUSE_BENCH_SYNC_RECORDS overrides it for a quick look. */
const RECORDS = Number(process.env.GATEHOUSE_BENCH_SYNC_RECORDS ?? 10_000);

/** Seals RECORDS realistic records into the kiosk at `dataDir`, timing each seal + enqueue. */
async function sealRecords(dataDir: string, authorityUrl: string, token: string): Promise<{ latencies: number[]; bytes: number }> {
  const kiosk = await registerBenchKiosk(dataDir, authorityUrl, token);
  try {
    const sealed = sealBenchRecords(kiosk, RECORDS);
    return { latencies: sealed.latencies.sort((a, b) => a - b), bytes: sealed.bytes };
  } finally {
    kiosk.db.close();
  }
}

/** Runs `gatehouse sync --once --json`, sampling its peak resident set (VmHWM) until it exits. */
function drain(cli: string, dataDir: string): Promise<{ seconds: number; delivered: number; peakMiB: number }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [cli, '--data', dataDir, 'sync', '--once', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const memory = samplePeakMemory(child.pid!);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    memory.sample();
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const peakMiB = memory.stop();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`gatehouse sync --once exited with ${code}: ${stdout}`));
      const outcome = JSON.parse(stdout) as { delivered: number };
      resolve({ seconds, delivered: outcome.delivered, peakMiB });
    });
  });
}

export function syncBenchmark(cli: string): Benchmark {
  return {
    name: 'Sealing and sync to a loopback authority',
    command: 'npm run bench -- sync',
    async run(): Promise<Measurement[]> {
      const authorityDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-authority-'));
      const kioskDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-kiosk-'));
      await initAuthorityKeys({ dataDir: authorityDir });
      const authority = await openAuthority({ dataDir: authorityDir });
      const server = await startAuthorityServer(authority, { port: 0 });
      try {
        const { token } = await createProvisioningToken(authority, 600);
        const sealed = await sealRecords(kioskDir, server.url, token);
        const drained = await drain(cli, kioskDir);
        if (drained.delivered !== RECORDS) throw new Error(`delivered ${drained.delivered} of ${RECORDS} records`);
        const size = `${Math.round(sealed.bytes / RECORDS / 1000)} KB envelopes`;
        return [
          { metric: `seal + enqueue, median of ${RECORDS}`, value: percentile(sealed.latencies, 0.5), unit: 'ms', goal: { op: '<=', value: 20 }, note: size },
          { metric: 'seal + enqueue, 95th percentile', value: percentile(sealed.latencies, 0.95), unit: 'ms' },
          { metric: `sync --once draining ${RECORDS} records`, value: drained.delivered / drained.seconds, unit: 'records/s', goal: { op: '>=', value: 50 },
            note: `${drained.seconds.toFixed(1)} s including process start` },
          { metric: 'peak resident memory of sync --once (VmHWM)', value: drained.peakMiB, unit: 'MiB', goal: { op: '<=', value: 300 } },
        ];
      } finally {
        await server.close();
        await authority.close();
        rmSync(authorityDir, { recursive: true, force: true });
        rmSync(kioskDir, { recursive: true, force: true });
      }
    },
  };
}
