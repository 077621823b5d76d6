// `gatehouse jobs`: the kiosk's background work as it stands — each job's kind, state, attempts,
// next attempt and last error, newest first (payloads name records by id, never people) — and
// `--cancel ID` for a queued job nobody wants any more (a slip for a printer that is gone),
// audited. The running kiosk picks up a cancellation at its next look.

import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { GatehouseError } from '../../errors.js';
import { cancelJob, jobById, JOB_STATES, listJobs, type JobState } from '../../jobs/job-store.js';
import { printJson, withDatabase } from '../cli-context.js';
import { integerOption } from '../provisioned-store.js';

export function registerJobsCommand(program: Command): void {
  program.command('jobs')
    .description('show the background jobs (sync rounds, slip printing, update download): state, attempts, next attempt, last error')
    .option('--state <state>', `only jobs in this state (${JOB_STATES.join(', ')})`)
    .option('--limit <n>', 'list at most this many jobs', '100')
    .option('--cancel <id>', 'cancel the queued job with this id')
    .option('--json', 'print JSON')
    .action(async (options: { state?: string; limit: string; cancel?: string; json?: boolean }, command: Command) => {
      const limit = integerOption('--limit', options.limit, 0, 1_000_000);
      const state = options.state as JobState | undefined;
      if (state !== undefined && !JOB_STATES.includes(state)) {
        throw new GatehouseError('CLI_INVALID_OPTIONS', `--state must be one of ${JOB_STATES.join(', ')}, not "${options.state}".`);
      }
      if (options.cancel !== undefined) {
        const id = integerOption('--cancel', options.cancel, 1, Number.MAX_SAFE_INTEGER);
        const job = await withDatabase(command, (db) => cancelQueued(db, id));
        if (options.json) return printJson({ cancelled: job });
        return void process.stdout.write(`cancelled job ${job.id} (${job.kind})\n`);
      }
      const jobs = await withDatabase(command, (db) => listJobs(db, { state, limit }));
      if (options.json) return printJson({ jobs });
      for (const job of jobs) {
        const next = job.state === 'queued' ? `  next ${job.nextAttemptAt}` : job.finishedAt ? `  ended ${job.finishedAt}` : '';
        const error = job.lastError ? `  last error ${job.lastError.code}: ${job.lastError.message}` : '';
        process.stdout.write(`${String(job.id).padStart(6)}  ${job.kind.padEnd(16)}  ${job.state.padEnd(9)}  attempts ${job.attempts}${next}${error}\n`);
      }
    });
}

function cancelQueued(db: Parameters<typeof cancelJob>[0], id: number) {
  return db.transaction(() => {
    const job = jobById(db, id);
    if (job === undefined) throw new GatehouseError('JOB_NOT_FOUND', `There is no job ${id}; "gatehouse jobs" lists them.`, { id });
    const now = new Date();
    if (!cancelJob(db, id, now)) {
      throw new GatehouseError('JOB_NOT_QUEUED', `Job ${id} is ${job.state}; only a queued job can be cancelled.`, { id, state: job.state });
    }
    appendAudit(db, { actor: 'cli', action: 'job.cancelled', details: { jobId: id, kind: job.kind }, at: now });
    return { ...job, state: 'cancelled' as const };
  }).immediate();
}
