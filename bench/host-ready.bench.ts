// How long `gatehouse serve --no-browser --port 0` takes from process start to its
// `ready <url>` line (goal ≤ 3 s), measured over several cold starts.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Benchmark } from './report.js';

const RUNS = 7;

function timeToReady(cli: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [cli, '--data', dataDir, 'serve', '--no-browser', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      child.once('exit', () => {
        rmSync(dataDir, { recursive: true, force: true });
        if (line.startsWith('ready ')) resolve(ms);
        else reject(new Error(`unexpected line: ${line}`));
      });
      child.kill('SIGTERM');
    });
  });
}

export function hostReadyBenchmark(cli: string): Benchmark {
  return {
    name: 'Browser host start-up',
    command: 'npm run bench -- host',
    async run() {
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i += 1) samples.push(await timeToReady(cli));
      samples.sort((a, b) => a - b);
      return [
        { metric: `ready line, median of ${RUNS} cold starts`, value: samples[Math.floor(RUNS / 2)]!, unit: 'ms', goal: { op: '<=', value: 3000 } },
        { metric: 'ready line, slowest', value: samples[RUNS - 1]!, unit: 'ms', goal: { op: '<=', value: 3000 } },
      ];
    },
  };
}
