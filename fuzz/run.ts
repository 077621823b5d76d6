// `npm run fuzz [-- --runs N | --seconds S] [--target NAME]... [--seed S --path P]`: runs every
// fuzz target (a million inputs in total by default, shared by weight) in a worker thread that a
// watchdog on the main thread ends when no input completes for --hang-seconds; a target with a
// known finding gets 100 inputs outside that total. Prints per-target
// counts, time and failures with the command that reproduces each; exits 1 on any failure.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { allTargets } from './targets/index.js';
import { runTarget, type TargetReport } from './fuzz-runner.js';

interface FuzzOptions {
  runs: number;
  seconds: number | null;
  targets: string[];
  seed: number;
  path: string | null;
  inputBudgetMs: number;
  hangSeconds: number;
  list: boolean;
}

const USAGE = 'usage: npm run fuzz -- [--runs N] [--seconds S] [--target NAME]... [--seed N] [--path P] [--input-budget-ms MS] [--hang-seconds S] [--list]';

function parseOptions(argv: readonly string[]): FuzzOptions {
  const options: FuzzOptions = {
    runs: 1_000_000, seconds: null, targets: [], seed: Date.now() % 2 ** 31, path: null, inputBudgetMs: 2_000, hangSeconds: 30, list: false,
  };
  const number = (flag: string, text: string | undefined): number => {
    const value = Number(text);
    if (text === undefined || !Number.isFinite(value) || value < 0) throw new Error(`${flag} needs a non-negative number. ${USAGE}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    switch (flag) {
      case '--runs': options.runs = Math.floor(number(flag, value)); i++; break;
      case '--seconds': options.seconds = number(flag, value); i++; break;
      case '--target': options.targets.push(value ?? ''); i++; break;
      case '--seed': options.seed = Math.floor(number(flag, value)); i++; break;
      case '--path': options.path = value ?? null; i++; break;
      case '--input-budget-ms': options.inputBudgetMs = number(flag, value); i++; break;
      case '--hang-seconds': options.hangSeconds = number(flag, value); i++; break;
      case '--list': options.list = true; break;
      default: throw new Error(`unknown option ${flag}. ${USAGE}`);
    }
  }
  return options;
}

const selected = (options: FuzzOptions) => allTargets.filter((t) => options.targets.length === 0 || options.targets.some((name) => t.name === name || t.name.includes(name)));

/** Splits the total runs (or seconds) by weight over the targets. */
function shares(options: FuzzOptions): Array<{ runs: number; timeLimitMs?: number }> {
  const targets = selected(options);
  const total = targets.reduce((sum, t) => sum + t.weight, 0) || 1;
  return targets.map((t) => {
    const share = t.weight / total;
    if (options.seconds !== null) return { runs: Number.MAX_SAFE_INTEGER, timeLimitMs: Math.max(200, options.seconds * 1000 * share) };
    return { runs: Math.max(1, Math.ceil(options.runs * share)) };
  });
}

type WorkerMessage = { type: 'start'; index: number } | { type: 'report'; report: TargetReport } | { type: 'unhandled'; error: string } | { type: 'done' };

async function work(options: FuzzOptions, heartbeat: Int32Array): Promise<void> {
  const post = (message: WorkerMessage) => parentPort!.postMessage(message);
  process.on('unhandledRejection', (reason) => post({ type: 'unhandled', error: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason) }));
  const targets = selected(options);
  const plan = shares(options);
  for (const [index, target] of targets.entries()) {
    post({ type: 'start', index });
    const report = await runTarget(target, {
      numRuns: plan[index]!.runs, seed: options.seed, inputBudgetMs: options.inputBudgetMs,
      ...(options.path ? { path: options.path } : {}),
      ...(plan[index]!.timeLimitMs ? { timeLimitMs: plan[index]!.timeLimitMs } : {}),
      onInput: () => { Atomics.add(heartbeat, 0, 1); },
    });
    post({ type: 'report', report });
  }
  post({ type: 'done' });
}

const pad = (text: string | number, width: number) => String(text).padStart(width);

function printReport(reports: TargetReport[], extra: string[], elapsedMs: number): boolean {
  const width = Math.max(...reports.map((r) => r.name.length), 6);
  const out: string[] = [`${'target'.padEnd(width)} ${pad('inputs', 9)} ${pad('seconds', 8)} ${pad('inputs/s', 9)}  result`];
  for (const r of reports) {
    out.push(`${r.name.padEnd(width)} ${pad(r.runs, 9)} ${pad((r.ms / 1000).toFixed(1), 8)} ${pad(Math.round(r.runs / Math.max(r.ms / 1000, 0.001)), 9)}  ${r.failed ? 'FAILED' : 'ok'}`);
  }
  const runs = reports.reduce((sum, r) => sum + r.runs, 0);
  const bad = reports.filter((r) => r.failed).length + extra.length;
  out.push(`${'total'.padEnd(width)} ${pad(runs, 9)} ${pad((elapsedMs / 1000).toFixed(1), 8)} ${pad(Math.round(runs / (elapsedMs / 1000)), 9)}  ${bad === 0 ? 'ok' : `${bad} failure(s)`}`);
  for (const r of reports.filter((report) => report.failed)) {
    out.push('', `FAILED ${r.name}: ${r.error}`, `  counterexample: ${r.counterexample}`,
      `  reproduce: npm run fuzz -- --target ${r.name} --seed ${r.seed}${r.path ? ` --path ${r.path}` : ''}`);
  }
  for (const line of extra) out.push('', line);
  process.stdout.write(`${out.join('\n')}\n`);
  return bad === 0;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.list) {
    for (const t of allTargets) process.stdout.write(`${t.name}\n`);
    return;
  }
  const targets = selected(options);
  if (targets.length === 0) throw new Error(`no target matches ${options.targets.join(', ')}; --list shows them`);
  process.stderr.write(`fuzz: ${targets.length} targets, ${options.seconds !== null ? `${options.seconds} s` : `${options.runs} inputs`}, seed ${options.seed}\n`);
  const heartbeat = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), { workerData: { options, heartbeat } });
  const reports: TargetReport[] = [];
  const extra: string[] = [];
  let current = -1;
  const started = performance.now();
  let lastBeat = -1;
  let quietSince = performance.now();
  const finished = new Promise<void>((resolve) => {
    const watchdog = setInterval(() => {
      const beat = Atomics.load(heartbeat, 0);
      if (beat !== lastBeat) { lastBeat = beat; quietSince = performance.now(); return; }
      if (performance.now() - quietSince < options.hangSeconds * 1000) return;
      const name = targets[current]?.name ?? '(start-up)';
      extra.push(`HANG ${name}: no input finished for ${options.hangSeconds} s (after ${beat} inputs in all).\n  reproduce: npm run fuzz -- --target ${name} --seed ${options.seed}`);
      clearInterval(watchdog);
      void worker.terminate().then(() => resolve());
    }, 500);
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'start') {
        current = message.index;
        process.stderr.write(`fuzz: ${targets[current]!.name}…\n`);
      } else if (message.type === 'report') {
        reports.push(message.report);
      } else if (message.type === 'unhandled') {
        extra.push(`UNHANDLED REJECTION during ${targets[current]?.name}: ${message.error}\n  reproduce: npm run fuzz -- --target ${targets[current]?.name} --seed ${options.seed}`);
      } else {
        clearInterval(watchdog);
        void worker.terminate().then(() => resolve());
      }
    });
    worker.on('error', (error) => {
      extra.push(`CRASH during ${targets[current]?.name}: ${error.stack ?? error.message}\n  reproduce: npm run fuzz -- --target ${targets[current]?.name} --seed ${options.seed}`);
      clearInterval(watchdog);
      resolve();
    });
  });
  await finished;
  const ok = printReport(reports, extra, performance.now() - started);
  process.exitCode = ok ? 0 : 1;
}

if (isMainThread) {
  main().catch((error: unknown) => {
    process.stderr.write(`fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
} else {
  const { options, heartbeat } = workerData as { options: FuzzOptions; heartbeat: Int32Array };
  await work(options, heartbeat);
}
