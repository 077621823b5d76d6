// `npm run bench [-- NAME...]`: runs the benchmarks (all, or those named) and writes
// their figures with the machine description to docs/BENCHMARKS.md.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../main/kiosk/project-root.js';
import { fingerprintUploadBenchmark } from './fingerprint-upload.bench.js';
import { hostReadyBenchmark } from './host-ready.bench.js';
import { renderReport, type Benchmark, type Measurement } from './report.js';

const cli = join(projectRoot, 'bin', 'gatehouse.js');

const benchmarks: Record<string, Benchmark> = {
  host: hostReadyBenchmark(cli),
  fingerprint: fingerprintUploadBenchmark,
};

const wanted = process.argv.slice(2);
const results: Array<{ benchmark: Benchmark; measurements: Measurement[] }> = [];
for (const [key, benchmark] of Object.entries(benchmarks)) {
  if (wanted.length > 0 && !wanted.includes(key)) continue;
  process.stderr.write(`bench: ${benchmark.name}…\n`);
  results.push({ benchmark, measurements: await benchmark.run() });
}
const report = renderReport(results, new Date());
writeFileSync(join(projectRoot, 'docs', 'BENCHMARKS.md'), `${report}\n`);
process.stdout.write(report);
