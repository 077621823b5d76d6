// The shape every benchmark returns and the Markdown it becomes in
// docs/BENCHMARKS.md, together with the machine the figures came from.

import { cpus, totalmem } from 'node:os';

export interface Measurement {
  metric: string;
  value: number;
  unit: string;
  /** e.g. "≤ 3000" or "≥ 95"; compared with `value` to fill the "goal met" column. */
  goal?: { op: '<=' | '>='; value: number };
  note?: string;
}

export interface Benchmark {
  name: string;
  /** The command that reproduces the figures. */
  command: string;
  run(): Promise<Measurement[]>;
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`;
  return `${cpus().length} × ${cpu}, ${memory} RAM, Node ${process.versions.node}, ${process.platform} ${process.arch}`;
}

/** One benchmark's section: its figures, when and on what machine they were measured. */
export function renderSection(benchmark: Benchmark, measurements: Measurement[], at: Date): string {
  const lines = [
    `## ${benchmark.name}`, '',
    `Reproduce: \`${benchmark.command}\` — measured ${at.toISOString().slice(0, 10)} on ${machineDescription()}.`, '',
    '| metric | value | goal | met | note |', '|---|---:|---|---|---|',
  ];
  for (const m of measurements) {
    const goal = m.goal ? `${m.goal.op === '<=' ? '≤' : '≥'} ${m.goal.value} ${m.unit}` : '';
    const met = m.goal ? (m.goal.op === '<=' ? m.value <= m.goal.value : m.value >= m.goal.value) ? 'yes' : '**no**' : '';
    lines.push(`| ${m.metric} | ${formatValue(m.value)} ${m.unit} | ${goal} | ${met} | ${m.note ?? ''} |`);
  }
  return lines.join('\n');
}

/**
 * The whole report: sections rerun now replace their earlier versions in `previous`;
 * sections of benchmarks not rerun are kept as they were.
 */
export function mergeReport(previous: string, sections: ReadonlyMap<string, string>): string {
  const kept = new Map<string, string>();
  for (const chunk of previous.split(/\n(?=## )/).slice(1)) {
    const title = chunk.slice(3, chunk.indexOf('\n')).trim();
    kept.set(title, chunk.trim());
  }
  for (const [title, section] of sections) kept.set(title, section);
  return ['# Benchmarks', '', 'Written by `npm run bench`; each section says when and where it was measured.', '',
    [...kept.values()].join('\n\n'), ''].join('\n');
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}
