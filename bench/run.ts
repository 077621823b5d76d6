// `npm run bench [-- NAME...]`: runs the benchmarks (all, or those named) and writes
// their figures with the machine description to docs/BENCHMARKS.md.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../main/kiosk/project-root.js';
import { authorityBenchmark } from './authority.bench.js';
import { chipBenchmark } from './chip.bench.js';
import { diagnosticsBenchmark } from './diagnostics.bench.js';
import { faceBenchmark } from './face.bench.js';
import { fingerprintUploadBenchmark } from './fingerprint-upload.bench.js';
import { hostReadyBenchmark } from './host-ready.bench.js';
import { mergeReport, renderSection, type Benchmark } from './report.js';
import { syncBenchmark } from './sync.bench.js';

const cli = join(projectRoot, 'bin', 'gatehouse.js');

const benchmarks: Record<string, Benchmark> = {
  host: hostReadyBenchmark(cli),
  fingerprint: fingerprintUploadBenchmark,
  sync: syncBenchmark(cli),
  diagnostics: diagnosticsBenchmark(cli),
  face: faceBenchmark,
  chip: chipBenchmark,
  authority: authorityBenchmark,
};

const wanted = process.argv.slice(2);
const sections = new Map<string, string>();
for (const [key, benchmark] of Object.entries(benchmarks)) {
  if (wanted.length > 0 && !wanted.includes(key)) continue;
  process.stderr.write(`bench: ${benchmark.name}…\n`);
  const section = renderSection(benchmark, await benchmark.run(), new Date());
  sections.set(benchmark.name, section);
  process.stdout.write(`${section}\n\n`);
}
const reportPath = join(projectRoot, 'docs', 'BENCHMARKS.md');
const previous = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '';
writeFileSync(reportPath, mergeReport(previous, sections));
