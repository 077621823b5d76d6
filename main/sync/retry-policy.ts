// When to try again after a failed exchange with the authority, and whether to: exponential
// backoff with full jitter up to a cap, never sooner than the authority's Retry-After; and the
// split between failures worth retrying, records refused for good, and refusals that must stop
// sync until a person acts (the kiosk's credentials or the authority's receipts do not hold).
import { GatehouseError } from '../errors.js';
import { AuthorityAnswerInvalid, AuthorityRefusal, AuthorityUnreachable } from './authority-client.js';

export interface RetryPolicy {
  /** The first retry waits up to this long. */
  baseMs: number;
  /** No wait grows beyond this (Retry-After aside). */
  capMs: number;
  /** A Retry-After longer than this is taken as this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1_000, capMs: 15 * 60_000, maxRetryAfterMs: 60 * 60_000 };

/** Full jitter: uniform in [0, min(cap, base·2^(failures−1))), but not before Retry-After. */
export function retryDelayMs(failures: number, policy: RetryPolicy, retryAfterMs: number | null, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === null ? jittered : Math.max(Math.min(retryAfterMs, policy.maxRetryAfterMs), jittered);
}

export type FailureKind =
  /** Try again later: no answer, overload, a server fault, an interrupted upload. */
  | 'transient'
  /** The authority refuses this record for good; keep it sealed, stop sending it. */
  | 'reject'
  /** The authority refuses the kiosk itself, or its answers do not verify: stop and alert. */
  | 'halt';

export interface SyncFailure {
  kind: FailureKind;
  code: string;
  /** In plain words, for the sync panel and the log; never record content. */
  message: string;
  retryAfterMs: number | null;
}

/** Upload refusals that a fresh attempt (create or resume the upload) resolves. */
const RESUMABLE_UPLOAD_CODES = new Set(['UPLOAD_NOT_FOUND', 'UPLOAD_CORRUPT', 'UPLOAD_OFFSET_MISMATCH', 'UPLOAD_INCOMPLETE']);
const HALTING_CODES = new Set(['RECEIPT_INVALID', 'AUTHORITY_DOCUMENT_INVALID', 'AUDIT_TRUNCATED']);

export function classifyFailure(error: unknown): SyncFailure {
  if (error instanceof AuthorityUnreachable || error instanceof AuthorityAnswerInvalid) {
    return { kind: 'transient', code: error.code, message: error.message, retryAfterMs: null };
  }
  if (error instanceof AuthorityRefusal) {
    const { status, code } = error;
    const kind: FailureKind = status === 401 || status === 403 ? 'halt'
      : status === 408 || status === 425 || status === 429 || status >= 500 || RESUMABLE_UPLOAD_CODES.has(code) ? 'transient'
        : 'reject';
    return { kind, code, message: refusalMessage(error), retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof GatehouseError) {
    return { kind: HALTING_CODES.has(error.code) ? 'halt' : 'transient', code: error.code, message: error.message, retryAfterMs: null };
  }
  return { kind: 'transient', code: 'SYNC_FAILED', message: error instanceof Error ? error.message : String(error), retryAfterMs: null };
}

function refusalMessage(error: AuthorityRefusal): string {
  if (error.status === 429) return `The authority is busy and asked the kiosk to wait (${error.message}).`;
  if (error.status >= 500) return `The authority had a fault (HTTP ${error.status}): ${error.message}`;
  if (error.status === 401 || error.status === 403) {
    return `The authority refused this kiosk's credentials: ${error.message} Sync is stopped until a technician fixes this.`;
  }
  return error.message;
}
