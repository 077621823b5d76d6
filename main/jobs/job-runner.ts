// Runs the job table's work in the serving kiosk: one handler per kind (register), due jobs
// claimed and run with at most `concurrency` of a kind at once, a failure retried after a
// backoff with full jitter (main/sync/retry-policy.ts; never before the other side's
// Retry-After) until the kind's attempts run out, and a recurring job put back for its next
// time. It wakes when this process enqueues a job (job-store.ts tells it after the commit), at
// the next job's due time, and at least every `pollMs` for jobs another process (the CLI) wrote.
// Jobs left running by a process that died run again at start: at-least-once, so handlers are
// idempotent. stop() aborts the running handlers' signals and waits for them to end.
import { EventEmitter } from 'node:events';
import type { Log } from '../log.js';
import type { Db } from '../store/database.js';
import { retryDelayMs } from '../sync/retry-policy.js';
import { failureOf, type JobHandler } from './job-kind.js';
import {
  claimDueJobs, endAttempt, jobById, nextDueAt, onJobEnqueued, pruneEndedJobs, recoverRunningJobs,
  type AttemptEnd, type ClaimedJob, type JobView,
} from './job-store.js';

export interface JobRunnerOptions {
  db: Db;
  log: Log;
  now?: () => Date;
  random?: () => number;
  /** How often jobs enqueued by another process are looked for. */
  pollMs?: number;
  /** Jobs that ended well are kept this long for the job list, failed ones `keepFailedMs`. */
  keepDoneMs?: number;
  keepFailedMs?: number;
}

export interface JobProgress {
  id: number;
  kind: string;
  done: number;
  total: number | null;
}

const DEFAULT_POLL_MS = 5_000;
const DAY_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;

interface ActiveJob {
  kind: string;
  controller: AbortController;
  ended: Promise<void>;
}

/** An attempt's end: the job as it left it, and the duplicate (queued meanwhile) it took the place of, if any. */
export type Attempted = [job: JobView, absorbed: number | null];

export class JobRunner extends EventEmitter<{ attempted: Attempted; progress: [JobProgress] }> {
  private readonly db: Db;
  private readonly now: () => Date;
  // Handlers of several payload types live in one map; each is only given payloads its own schema parsed.
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  private readonly active = new Map<number, ActiveJob>();
  private started = false;
  private pumpPending = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private prunedAt = -Infinity;

  constructor(private readonly options: JobRunnerOptions) {
    super();
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
    this.setMaxListeners(0);
  }

  /** Takes on jobs of `handler.type.kind` (queued ones wait until their kind has a handler). */
  register<P>(handler: JobHandler<P>): void {
    const { kind } = handler.type;
    if (this.handlers.has(kind)) throw new Error(`a handler for "${kind}" jobs is registered already`);
    this.handlers.set(kind, handler as JobHandler<unknown>);
    this.wake();
  }

  /** Stops taking jobs of `kind`; its running ones are aborted and awaited (they run again later). */
  async release(kind: string): Promise<void> {
    this.handlers.delete(kind);
    await this.abortAndWait([...this.active.values()].filter((job) => job.kind === kind));
  }

  /** Queues again what a dead process left running, then runs due jobs until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const recovered = recoverRunningJobs(this.db, this.now());
    if (recovered > 0) this.options.log.warn('background jobs interrupted by the last stop run again', { count: recovered });
    this.unsubscribe = onJobEnqueued(this.db, () => this.wake());
    this.wake();
  }

  /** Takes no more jobs; running handlers are aborted and awaited. */
  async stop(): Promise<void> {
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.abortAndWait([...this.active.values()]);
  }

  /** Looks for due jobs soon (after the current synchronous work, so after the caller's transaction). */
  wake(): void {
    if (!this.started || this.pumpPending) return;
    this.pumpPending = true;
    setImmediate(() => {
      this.pumpPending = false;
      this.pump();
    });
  }

  /**
   * The job as its next attempt leaves it (or, for a duplicate merged into a running job of its
   * key, that job); at once when it has ended already (done, failed, cancelled).
   */
  nextAttempt(id: number): Promise<JobView | undefined> {
    const job = jobById(this.db, id);
    if (job === undefined || (job.state !== 'queued' && job.state !== 'running')) return Promise.resolve(job);
    return new Promise((resolve) => {
      const listener = (attempted: JobView, absorbed: number | null) => {
        if (attempted.id !== id && absorbed !== id) return;
        this.off('attempted', listener);
        resolve(attempted);
      };
      this.on('attempted', listener);
    });
  }

  /** Jobs running in this process now. */
  running(): Array<{ id: number; kind: string }> {
    return [...this.active].map(([id, { kind }]) => ({ id, kind }));
  }

  private pump(): void {
    if (!this.started || !this.db.open) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.now();
    const waiting: string[] = [];
    for (const [kind, handler] of this.handlers) {
      const free = (handler.concurrency ?? 1) - [...this.active.values()].filter((job) => job.kind === kind).length;
      const claimed = claimDueJobs(this.db, kind, now, free);
      for (const job of claimed) this.execute(job, handler);
      // A kind with every slot busy is woken by its jobs' ends, not by the clock.
      if (claimed.length < free) waiting.push(kind);
    }
    this.prune(now);
    const due = nextDueAt(this.db, waiting);
    const pollMs = this.options.pollMs ?? DEFAULT_POLL_MS;
    const delay = due === null ? pollMs : Math.min(pollMs, Math.max(Date.parse(due) - now.getTime(), 1));
    this.timer = setTimeout(() => this.wake(), delay).unref();
  }

  private execute(job: ClaimedJob, handler: JobHandler<unknown>): void {
    const controller = new AbortController();
    const ended = this.attempt(job, handler, controller.signal)
      .catch((error: unknown) => this.options.log.error('a background job\'s end could not be recorded', {
        id: job.id, kind: job.kind, error: error instanceof Error ? error.message : String(error),
      }))
      .finally(() => {
        this.active.delete(job.id);
        this.wake();
      });
    this.active.set(job.id, { kind: job.kind, controller, ended });
  }

  private async attempt(job: ClaimedJob, handler: JobHandler<unknown>, signal: AbortSignal): Promise<void> {
    const ended = await this.outcome(job, handler, signal);
    if (!this.db.open) return;
    const absorbed = endAttempt(this.db, job.id, ended, this.now());
    const view = jobById(this.db, job.id);
    if (view) this.emit('attempted', view, absorbed);
  }

  private async outcome(job: ClaimedJob, handler: JobHandler<unknown>, signal: AbortSignal): Promise<AttemptEnd> {
    const { maxAttempts } = handler.retry;
    if (maxAttempts !== null && job.attempts > maxAttempts) {
      return { end: 'failed', code: 'JOB_ATTEMPTS_EXHAUSTED', message: `Stopped after ${maxAttempts} attempts (the last ones were interrupted).` };
    }
    let payload: unknown;
    try {
      payload = handler.type.payload.parse(JSON.parse(job.payload));
    } catch {
      return { end: 'failed', code: 'JOB_PAYLOAD_INVALID', message: `The stored payload is not a valid "${job.kind}" payload.` };
    }
    try {
      const result = await handler.run(payload, {
        id: job.id,
        signal,
        attempt: job.attempts,
        progress: (done, total) => this.emit('progress', { id: job.id, kind: job.kind, done, total }),
      });
      return result ? { end: 'again', at: result.again } : { end: 'done' };
    } catch (error) {
      if (signal.aborted) return { end: 'interrupted' };
      const failure = failureOf(error);
      this.options.log.warn('background job failed', { id: job.id, kind: job.kind, attempt: job.attempts, code: failure.code, message: failure.message });
      if (!failure.retryable || (maxAttempts !== null && job.attempts >= maxAttempts)) {
        return { end: 'failed', code: failure.code, message: failure.message };
      }
      const delay = retryDelayMs(job.attempts, handler.retry, failure.retryAfterMs, this.options.random);
      return { end: 'retry', at: new Date(this.now().getTime() + delay), code: failure.code, message: failure.message };
    }
  }

  private async abortAndWait(jobs: ActiveJob[]): Promise<void> {
    for (const job of jobs) job.controller.abort();
    await Promise.all(jobs.map((job) => job.ended));
  }

  private prune(now: Date): void {
    if (now.getTime() - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now.getTime();
    pruneEndedJobs(this.db, {
      doneBefore: new Date(now.getTime() - (this.options.keepDoneMs ?? 7 * DAY_MS)),
      failedBefore: new Date(now.getTime() - (this.options.keepFailedMs ?? 30 * DAY_MS)),
    });
  }
}
