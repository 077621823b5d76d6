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

export function renderReport(results: Array<{ benchmark: Benchmark; measurements: Measurement[] }>, at: Date): string {
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${at.toISOString().slice(0, 10)}.`,
    '',
    `Machine: ${machineDescription()}.`,
    '',
  ];
  for (const { benchmark, measurements } of results) {
    lines.push(`## ${benchmark.name}`, '', `Reproduce: \`${benchmark.command}\``, '',
      '| metric | value | goal | met | note |', '|---|---:|---|---|---|');
    for (const m of measurements) {
      const goal = m.goal ? `${m.goal.op === '<=' ? '≤' : '≥'} ${m.goal.value} ${m.unit}` : '';
      const met = m.goal ? (m.goal.op === '<=' ? m.value <= m.goal.value : m.value >= m.goal.value) ? 'yes' : '**no**' : '';
      lines.push(`| ${m.metric} | ${formatValue(m.value)} ${m.unit} | ${goal} | ${met} | ${m.note ?? ''} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}
