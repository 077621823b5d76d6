// What a kind of background job is: its name and payload schema (shared by whoever enqueues it
// and its handler), and the handler the runner calls — run(payload, {signal, attempt, progress}),
// how often it may be tried and how long to wait between tries, how many run at once. A handler
// says how an attempt went by returning (done, or run again at a time: a recurring job) or by
// throwing (JobFailure says whether a retry can help and whether the other side asked to wait).
import type { z } from 'zod';
import { GatehouseError } from '../errors.js';
import type { RetryPolicy } from '../sync/retry-policy.js';

/** A kind's name and payload: the payload names what the job works on by id, never personal data. */
export interface JobType<P> {
  readonly kind: string;
  readonly payload: z.ZodType<P>;
}

export function jobType<S extends z.ZodType>(kind: string, payload: S): JobType<z.infer<S>> {
  return { kind, payload: payload as z.ZodType<z.infer<S>> };
}

export interface JobContext {
  /** The job's row id. */
  id: number;
  /** Aborted when the runner stops (or the kind is released): end soon; the job runs again later. */
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
  /** How far the attempt is (bytes, records …); total null when unknown. */
  progress(done: number, total: number | null): void;
}

/** An attempt that went well: the job is done, or (a recurring job) runs again at `again`. */
export type JobResult = void | { again: Date };

export interface JobRetryPolicy extends RetryPolicy {
  /** After this many attempts a job that still fails is `failed`; null: it is tried as long as it fails. */
  maxAttempts: number | null;
}

export interface JobHandler<P> {
  type: JobType<P>;
  run(payload: P, context: JobContext): Promise<JobResult>;
  retry: JobRetryPolicy;
  /** Jobs of this kind run at once at most (default 1). */
  concurrency?: number;
}

/** How an attempt failed, as a handler throws it: with a code, whether a retry can help, and the other side's Retry-After. */
export class JobFailure extends GatehouseError {
  constructor(code: string, message: string, readonly retry: { retryable: boolean; retryAfterMs?: number | null }) {
    super(code, message);
  }
}

/** Any error a handler throws, as the runner records it: GatehouseErrors by their code, anything else as JOB_FAILED (retryable). */
export function failureOf(error: unknown): { code: string; message: string; retryable: boolean; retryAfterMs: number | null } {
  if (error instanceof JobFailure) {
    return { code: error.code, message: error.message, retryable: error.retry.retryable, retryAfterMs: error.retry.retryAfterMs ?? null };
  }
  if (error instanceof GatehouseError) return { code: error.code, message: error.message, retryable: true, retryAfterMs: null };
  return { code: 'JOB_FAILED', message: error instanceof Error ? error.message : String(error), retryable: true, retryAfterMs: null };
}
