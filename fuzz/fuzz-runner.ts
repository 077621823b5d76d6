// Runs one fuzz target with fast-check for a number of inputs or a time budget, each input
// under a per-input time budget, and reports what a person needs to reproduce a failure:
// the seed and the shrunk counterexample path (`--seed S --path P`).
import fc from 'fast-check';
import { FuzzFinding, type FuzzTarget } from './fuzz-target.js';

export interface RunOptions {
  numRuns: number;
  seed: number;
  /** Replays one counterexample (from a report) instead of generating. */
  path?: string;
  /** Stops generating after this long (the runs done count). */
  timeLimitMs?: number;
  /** An input taking longer than this is a finding (a near-hang). */
  inputBudgetMs: number;
  /** Called after every input (the watchdog's heartbeat). */
  onInput?: () => void;
}

export interface TargetReport {
  name: string;
  runs: number;
  ms: number;
  failed: boolean;
  seed: number;
  path?: string;
  counterexample?: string;
  error?: string;
}

function timed<T>(target: FuzzTarget<T>, options: RunOptions): (input: T) => void | Promise<void> {
  const overBudget = (started: number) => {
    const ms = performance.now() - started;
    if (ms > options.inputBudgetMs) throw new FuzzFinding(`one input took ${ms.toFixed(0)} ms (budget ${options.inputBudgetMs} ms)`);
  };
  if (target.async) {
    return async (input) => {
      options.onInput?.();
      const started = performance.now();
      await target.check(input);
      overBudget(started);
    };
  }
  return (input) => {
    options.onInput?.();
    const started = performance.now();
    const result = target.check(input);
    if (result instanceof Promise) throw new FuzzFinding(`${target.name} returned a promise but is not declared async`);
    overBudget(started);
  };
}

const render = (value: unknown): string => {
  const text = fc.stringify(value);
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} characters)` : text;
};

export async function runTarget<T>(target: FuzzTarget<T>, options: RunOptions): Promise<TargetReport> {
  const check = timed(target, options);
  const property = target.async
    ? fc.asyncProperty(target.arbitrary, check as (input: T) => Promise<void>)
    : fc.property(target.arbitrary, check as (input: T) => void);
  const parameters: fc.Parameters<[T]> = {
    numRuns: options.numRuns,
    seed: options.seed,
    ...(options.path ? { path: options.path, endOnFailure: true } : {}),
    ...(options.timeLimitMs ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false } : {}),
  };
  const started = performance.now();
  await target.setUp?.();
  try {
    const details = await fc.check(property as fc.IAsyncProperty<[T]>, parameters);
    const ms = performance.now() - started;
    const report: TargetReport = {
      name: target.name, runs: details.numRuns, ms, failed: details.failed, seed: details.seed,
    };
    if (details.failed) {
      report.path = details.counterexamplePath ?? undefined;
      report.counterexample = details.counterexample ? render(details.counterexample[0]) : undefined;
      const error = details.errorInstance;
      report.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    return report;
  } finally {
    await target.tearDown?.();
  }
}
