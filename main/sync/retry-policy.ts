// When to try again after a failed exchange with the authority, and whether to: exponential
// backoff with full jitter up to a cap, never sooner than the authority's Retry-After; and, per
// authority code, the split between failures worth retrying (some of which a technician must fix
// first), records refused for good (only a verdict on the record's own content), and refusals that
// must stop sync until a person acts. Also whether a failure ends the sync round or only that
// record's attempt: behind a load balancer one request's fault says little about the next.
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
  /** Try again later, but waiting alone will not fix it: keys, clock, limits or the address disagree. Shown to a technician. */
  | 'config'
  /** The authority's verdict on this record's content (a digest conflict, a malformed envelope): keep it sealed, stop sending it. */
  | 'reject'
  /** The authority refuses the kiosk for good, or its answers do not verify: stop and alert. */
  | 'halt';

export interface SyncFailure {
  kind: FailureKind;
  code: string;
  /** In plain words, for the sync panel and the log; never record content. */
  message: string;
  retryAfterMs: number | null;
  /** Ends the sync round (the rest waits for the next one); otherwise only this record's attempt failed. */
  endsRound: boolean;
}

interface Verdict {
  kind: FailureKind;
  endsRound: boolean;
}

const RETRY: Verdict = { kind: 'transient', endsRound: false };
const FIX: Verdict = { kind: 'config', endsRound: false };
/** A fault of the kiosk's standing with the authority: every further request would fail alike (and spend its address's budget of failed signatures). */
const FIX_THEN_RETRY_ROUND: Verdict = { kind: 'config', endsRound: true };
const REJECT: Verdict = { kind: 'reject', endsRound: false };
const HALT: Verdict = { kind: 'halt', endsRound: true };
const PAUSE: Verdict = { kind: 'transient', endsRound: true };

/**
 * Every code the authority answers a kiosk's sync requests with, decided one by one. Codes not
 * listed (a newer authority's) are decided by their HTTP status in `byStatus`, never rejected.
 */
export const AUTHORITY_CODE_VERDICTS: Readonly<Record<string, Verdict>> = {
  // The record's content: the same bytes will be refused again, whatever is fixed elsewhere.
  RECORD_CONFLICT: REJECT, // the record id is held with another digest
  RECORD_ID_MISMATCH: REJECT, // the envelope is sealed as another record
  ENVELOPE_KIOSK_MISMATCH: REJECT, // sealed under another kiosk identity (one given up by recovery)
  RECORD_NUMBER_TAKEN: REJECT, // its enrollment number is held for another record
  ENVELOPE_BAD_MAGIC: REJECT,
  ENVELOPE_TRUNCATED: REJECT,
  ENVELOPE_MALFORMED: REJECT,
  ENVELOPE_SIGNATURE_INVALID: REJECT, // altered after sealing (the request itself verified with the same kiosk key)
  ENVELOPE_KEY_UNWRAP_FAILED: REJECT, // signed, sealed to the authority's key id, and still does not open
  ENVELOPE_DECRYPT_FAILED: REJECT,
  ENVELOPE_CONTENT_INVALID: REJECT,

  // Configuration: kiosk and authority (or a replica, or a proxy between them) disagree.
  ENVELOPE_WRONG_AUTHORITY_KEY: FIX, // sealed to a key this replica does not hold: a replica with other keys, or a rotation
  ENVELOPE_BAD_VERSION: FIX, // an authority older than the kiosk
  RECORD_NUMBER_FOREIGN: FIX, // the authority holds another kiosk code for this kiosk
  UPLOAD_TOO_LARGE: FIX, // the authority's record size limit
  BODY_TOO_LARGE: FIX, // the authority's single-request limit is below the kiosk's
  UNSUPPORTED_MEDIA_TYPE: FIX,
  REQUEST_INVALID: FIX,
  BODY_NOT_JSON: FIX,
  BAD_REQUEST: FIX,
  CHUNK_EMPTY: FIX,
  NOT_FOUND: FIX, // no such route: the authority address points elsewhere, or the authority is another version
  NOT_PUBLISHED: FIX, // no station configuration or operator list published yet
  CHECKPOINT_CONFLICT: FIX, // the audit chain differs from what the authority acknowledged (a restored kiosk?)
  CHECKPOINT_KIOSK_MISMATCH: FIX,
  CHECKPOINT_SIGNATURE_INVALID: FIX,
  SIG_EXPIRED: FIX_THEN_RETRY_ROUND, // the kiosk's clock is off
  SIG_MISSING: FIX_THEN_RETRY_ROUND, // a proxy strips or rewrites signed parts of requests
  SIG_MALFORMED: FIX_THEN_RETRY_ROUND,
  SIG_BAD: FIX_THEN_RETRY_ROUND, // the kiosk's key is not the one registered, or a proxy rewrites the path
  DIGEST_MISMATCH: FIX_THEN_RETRY_ROUND,
  KEY_UNKNOWN: FIX_THEN_RETRY_ROUND, // this replica's database does not know the kiosk

  // Transient: a fresh attempt resolves it.
  SIG_REPLAYED: RETRY, // a proxy sent a request again (after a replica died mid-request); the next attempt has a fresh nonce
  UPLOAD_NOT_FOUND: RETRY,
  UPLOAD_CORRUPT: RETRY,
  UPLOAD_OFFSET_MISMATCH: RETRY,
  UPLOAD_INCOMPLETE: RETRY,
  UPLOAD_OVERFLOW: RETRY,
  UPLOAD_DIGEST_MISMATCH: RETRY,
  RECORD_NOT_FOUND: RETRY,
  INTERNAL: RETRY,
  KEY_FILE_EXPOSED: RETRY, // the authority's own fault (5xx): its operators are told, not the kiosk's technician
  STORE_FROM_NEWER_VERSION: RETRY,

  // The authority asked for a pause: the round waits out Retry-After.
  AUTHORITY_BUSY: PAUSE,
  UPLOADS_OPEN_LIMIT: PAUSE,
  SIGNATURE_FAILURES_RATE_LIMITED: PAUSE,

  // The kiosk itself is refused for good.
  KEY_REVOKED: HALT,
};

/** For a code the table does not know: never a rejection, since only a known content verdict may refuse a record. */
function byStatus(status: number): Verdict {
  if (status === 429) return PAUSE;
  if (status >= 500 || status === 408 || status === 409 || status === 425) return RETRY;
  if (status === 401) return FIX_THEN_RETRY_ROUND;
  if (status === 403) return HALT;
  return FIX;
}

/** Kiosk-side failures that must stop sync until a person acts: the authority's answers do not verify. */
const HALTING_CODES = new Set(['RECEIPT_INVALID', 'AUTHORITY_DOCUMENT_INVALID', 'AUDIT_TRUNCATED']);
/** Kiosk-side failures a technician must fix: a queued record whose envelope is gone from the store. */
const KIOSK_CONFIG_CODES = new Set(['OUTBOX_ENVELOPE_MISSING']);

export function classifyFailure(error: unknown): SyncFailure {
  if (error instanceof AuthorityUnreachable || error instanceof AuthorityAnswerInvalid) {
    return { ...RETRY, code: error.code, message: error.message, retryAfterMs: null };
  }
  if (error instanceof AuthorityRefusal) {
    const verdict = AUTHORITY_CODE_VERDICTS[error.code] ?? byStatus(error.status);
    return { ...verdict, code: error.code, message: refusalMessage(error, verdict.kind), retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof GatehouseError) {
    const verdict = HALTING_CODES.has(error.code) ? HALT : KIOSK_CONFIG_CODES.has(error.code) ? FIX : RETRY;
    return { ...verdict, code: error.code, message: error.message, retryAfterMs: null };
  }
  return { ...RETRY, code: 'SYNC_FAILED', message: error instanceof Error ? error.message : String(error), retryAfterMs: null };
}

function refusalMessage(error: AuthorityRefusal, kind: FailureKind): string {
  if (error.status === 429) return `The authority is busy and asked the kiosk to wait (${error.message}).`;
  if (error.status >= 500) return `The authority had a fault (HTTP ${error.status}): ${error.message}`;
  if (kind === 'halt') return `The authority refused this kiosk's credentials: ${error.message} Sync is stopped until a technician fixes this.`;
  if (kind === 'config') return `${error.message} The records stay queued and are tried again; a technician must fix the cause.`;
  return error.message;
}
