// One doctor check as data: a definition (stable id, group, the English name the CLI prints,
// whether the doctor fails without it) and a probe that returns what it found or throws a
// CheckProblem with a reason code; runChecks turns probes into results and reports each
// check's progress, so the CLI prints lines and the diagnostics screen shows translated words.

import type { z } from 'zod';
import type { CheckGroup, CheckId, CheckProgress, CheckResult, CheckValues } from '../rpc/procedures/diagnostics.js';

export type DoctorCheck = z.infer<typeof CheckResult>;
export type CheckProgressView = z.infer<typeof CheckProgress>;
type Values = z.infer<typeof CheckValues>;

/** What a probe found: a technician's detail line, optionally a reason code and figures for the screen. */
export interface Finding {
  detail: string;
  reason?: string;
  values?: Values;
}

export interface CheckDefinition {
  id: z.infer<typeof CheckId>;
  group: z.infer<typeof CheckGroup>;
  name: string;
  required: boolean;
  probe(): string | Finding | Promise<string | Finding>;
}

/** A check that did not pass, with the code the screen translates and, in the message, what to do in English. */
export class CheckProblem extends Error {
  constructor(readonly reason: string, message: string, readonly values: Values = {}) {
    super(message);
    this.name = 'CheckProblem';
  }
}

/** Runs one check; a probe's failure becomes the result, never an exception. */
export async function runCheck(check: CheckDefinition): Promise<DoctorCheck> {
  const base = { id: check.id, group: check.group, name: check.name, required: check.required };
  try {
    const found = await check.probe();
    const finding = typeof found === 'string' ? { detail: found } : found;
    return { ...base, ok: true, outcome: 'ok', reason: finding.reason ?? null, detail: finding.detail, values: finding.values ?? {} };
  } catch (error) {
    const problem = error instanceof CheckProblem ? error : null;
    return {
      ...base,
      ok: false,
      outcome: check.required ? 'failed' : 'warning',
      reason: problem?.reason ?? null,
      detail: error instanceof Error ? error.message : String(error),
      values: problem?.values ?? {},
    };
  }
}

export type ProgressListener = (checks: CheckProgressView[]) => void;

/**
 * Runs `parallel` together, then `sequential` one after the other, telling `onProgress` every
 * check's state (waiting, running, done) whenever one changes. Results come in definition order.
 */
export async function runChecks(parallel: CheckDefinition[], sequential: CheckDefinition[], onProgress: ProgressListener = () => {}): Promise<DoctorCheck[]> {
  const all = [...parallel, ...sequential];
  const progress: CheckProgressView[] = all.map((check) => ({ id: check.id, group: check.group, state: 'waiting', result: null }));
  const mark = (index: number, state: CheckProgressView['state'], result: DoctorCheck | null = null) => {
    progress[index] = { ...progress[index]!, state, result };
    onProgress(progress.map((entry) => ({ ...entry })));
  };
  const run = async (check: CheckDefinition, index: number) => {
    mark(index, 'running');
    const result = await runCheck(check);
    mark(index, 'done', result);
    return result;
  };
  const results = await Promise.all(parallel.map((check, index) => run(check, index)));
  for (const [offset, check] of sequential.entries()) results.push(await run(check, parallel.length + offset));
  return results;
}

/** Whether the doctor passes: every required check did. */
export const doctorPasses = (checks: readonly DoctorCheck[]): boolean => checks.every((check) => check.ok || !check.required);
