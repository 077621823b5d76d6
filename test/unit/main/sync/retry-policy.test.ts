// Backoff with full jitter, a cap and Retry-After; and, code by code, which failures are retried
// (and which of those a technician must fix), which refuse a record for good (only a verdict on
// its content), which stop sync until a person acts, and which end the round rather than only
// that record's attempt. Every code the authority sends a kiosk is in the table, and a code it
// does not know is never a rejection.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../../main/errors.js';
import { AuthorityAnswerInvalid, AuthorityRefusal, AuthorityUnreachable, retryAfterMs } from '../../../../main/sync/authority-client.js';
import { AUTHORITY_CODE_VERDICTS, classifyFailure, DEFAULT_RETRY_POLICY, retryDelayMs } from '../../../../main/sync/retry-policy.js';
import { projectRoot } from '../../../e2e/support/kiosk-process.js';

const policy = { baseMs: 1_000, capMs: 60_000, maxRetryAfterMs: 600_000 };

describe('retryDelayMs', () => {
  it('draws uniformly below a ceiling that doubles per failure up to the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 10, 50].map((failures) => retryDelayMs(failures, policy, null, () => 0.999_999));
    expect(ceilings).toEqual([999, 1_999, 3_999, 7_999, 15_999, 31_999, 59_999, 59_999, 59_999]);
    expect(retryDelayMs(4, policy, null, () => 0)).toBe(0);
    expect(retryDelayMs(4, policy, null, () => 0.5)).toBe(4_000);
  });

  it('never retries before Retry-After, and takes at most maxRetryAfterMs of it', () => {
    expect(retryDelayMs(1, policy, 30_000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(7, policy, 2_000, () => 0.5)).toBe(30_000); // the jitter is longer
    expect(retryDelayMs(1, policy, 10 * 24 * 3_600_000, () => 0)).toBe(600_000);
  });

  it('caps the default policy at 15 minutes', () => {
    expect(retryDelayMs(100, DEFAULT_RETRY_POLICY, null, () => 0.999_999)).toBeLessThan(15 * 60_000);
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  it('reads delay-seconds and HTTP dates, and ignores anything else', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('-5', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});

const refusal = (status: number, code: string, retryAfter: number | null = null) => new AuthorityRefusal(status, code, `${code} message.`, retryAfter);

/**
 * Every code the authority can answer a kiosk's sync requests with (records, uploads, status,
 * documents, checkpoints, request signatures, admission, HTTP layer), with its status and the
 * decision: kind, and whether it ends the round.
 */
const AUTHORITY_CODES: Array<[code: string, status: number, kind: string, endsRound: boolean]> = [
  // A verdict on the record's content: rejected, the round goes on.
  ['RECORD_CONFLICT', 422, 'reject', false],
  ['RECORD_ID_MISMATCH', 422, 'reject', false],
  ['ENVELOPE_KIOSK_MISMATCH', 422, 'reject', false],
  ['RECORD_NUMBER_TAKEN', 422, 'reject', false],
  ['ENVELOPE_BAD_MAGIC', 422, 'reject', false],
  ['ENVELOPE_TRUNCATED', 422, 'reject', false],
  ['ENVELOPE_MALFORMED', 422, 'reject', false],
  ['ENVELOPE_SIGNATURE_INVALID', 422, 'reject', false],
  ['ENVELOPE_KEY_UNWRAP_FAILED', 422, 'reject', false],
  ['ENVELOPE_DECRYPT_FAILED', 422, 'reject', false],
  ['ENVELOPE_CONTENT_INVALID', 422, 'reject', false],
  // Configuration: retried, shown to a technician.
  ['ENVELOPE_WRONG_AUTHORITY_KEY', 422, 'config', false],
  ['ENVELOPE_BAD_VERSION', 422, 'config', false],
  ['RECORD_NUMBER_FOREIGN', 422, 'config', false],
  ['UPLOAD_TOO_LARGE', 413, 'config', false],
  ['BODY_TOO_LARGE', 413, 'config', false],
  ['UNSUPPORTED_MEDIA_TYPE', 415, 'config', false],
  ['REQUEST_INVALID', 400, 'config', false],
  ['BODY_NOT_JSON', 400, 'config', false],
  ['BAD_REQUEST', 400, 'config', false],
  ['CHUNK_EMPTY', 400, 'config', false],
  ['NOT_FOUND', 404, 'config', false],
  ['NOT_PUBLISHED', 404, 'config', false],
  ['CHECKPOINT_CONFLICT', 422, 'config', false],
  ['CHECKPOINT_KIOSK_MISMATCH', 422, 'config', false],
  ['CHECKPOINT_SIGNATURE_INVALID', 422, 'config', false],
  ['SIG_EXPIRED', 401, 'config', true],
  ['SIG_MISSING', 401, 'config', true],
  ['SIG_MALFORMED', 401, 'config', true],
  ['SIG_BAD', 401, 'config', true],
  ['DIGEST_MISMATCH', 401, 'config', true],
  ['KEY_UNKNOWN', 401, 'config', true],
  // Transient: retried, the round goes on.
  ['SIG_REPLAYED', 401, 'transient', false],
  ['UPLOAD_NOT_FOUND', 404, 'transient', false],
  ['UPLOAD_CORRUPT', 422, 'transient', false],
  ['UPLOAD_OFFSET_MISMATCH', 409, 'transient', false],
  ['UPLOAD_INCOMPLETE', 409, 'transient', false],
  ['UPLOAD_OVERFLOW', 422, 'transient', false],
  ['UPLOAD_DIGEST_MISMATCH', 422, 'transient', false],
  ['RECORD_NOT_FOUND', 404, 'transient', false],
  ['INTERNAL', 500, 'transient', false],
  ['KEY_FILE_EXPOSED', 500, 'transient', false],
  ['STORE_FROM_NEWER_VERSION', 500, 'transient', false],
  // The authority asked for a pause: the round ends and waits out Retry-After.
  ['AUTHORITY_BUSY', 429, 'transient', true],
  ['UPLOADS_OPEN_LIMIT', 429, 'transient', true],
  ['SIGNATURE_FAILURES_RATE_LIMITED', 429, 'transient', true],
  // The kiosk refused for good.
  ['KEY_REVOKED', 403, 'halt', true],
];

describe('classifyFailure: every authority code', () => {
  it.each(AUTHORITY_CODES)('%s (HTTP %i) → %s, ends the round: %s', (code, status, kind, endsRound) => {
    expect(classifyFailure(refusal(status, code, status === 429 ? 1_000 : null))).toMatchObject({ code, kind, endsRound });
  });

  it('the table above and the policy decide the same codes', () => {
    expect(Object.keys(AUTHORITY_CODE_VERDICTS).sort()).toEqual(AUTHORITY_CODES.map(([code]) => code).sort());
  });

  it('decides every 4xx code the authority raises, but those of its command line, start-up and other routes', () => {
    // 5xx codes are the authority's own faults (retried by status); these prefixes never answer a sync request.
    const notForSync = new RegExp('^(CLI_|UPDATE_|DECISION_|DATABASE_|TOKEN_|REGISTRATION_|SETTING_|TLS_|AUTHORITY_(KE[YK]|ROTATION)|ENVELOPE_STORE_'
      + '|KIOSK_(KEY_TAKEN|CODES_EXHAUSTED|NOT_FOUND|UNKNOWN)$|PUBLISH_CONFLICT$|RECORD_NUMBER_UNKNOWN$)');
    const raised = new Set<string>();
    for (const file of sourceFiles(join(projectRoot, 'authority'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:AuthorityError\(\s*4\d\d,\s*|tooManyRequests\(|\[4\d\d, |code: )'([A-Z][A-Z0-9_]+)'/g)) raised.add(match[1]!);
      for (const match of text.matchAll(/\b([A-Z][A-Z_]+): 40[13],/g)) raised.add(match[1]!); // the signature refusals' status table
    }
    // The envelope's own refusals, which intake answers with 422 under the ENVELOPE_ prefix.
    for (const file of ['sealed-record.ts', 'container-framing.ts']) {
      for (const match of readFileSync(join(projectRoot, 'protocol', file), 'utf8').matchAll(/(?:envelopeError|containerError\(format)\(?,?\s*'([A-Z_]+)'/g)) {
        if (match[1] !== 'INPUT_INVALID') raised.add(`ENVELOPE_${match[1]!}`); // INPUT_INVALID: sealing only
      }
    }
    raised.add('ENVELOPE_TRUNCATED'); // truncatedError
    for (const code of ['RECORD_CONFLICT', 'SIG_EXPIRED', 'AUTHORITY_BUSY', 'ENVELOPE_WRONG_AUTHORITY_KEY', 'BAD_REQUEST']) expect(raised).toContain(code); // the scans work
    expect([...raised].filter((code) => !notForSync.test(code) && !(code in AUTHORITY_CODE_VERDICTS)).sort()).toEqual([]);
  });
});

describe('classifyFailure: codes it does not know', () => {
  it('never rejects a record for a code it does not know, whatever the status', () => {
    fc.assert(fc.property(fc.integer({ min: 300, max: 599 }), fc.stringMatching(/^[A-Z][A-Z_]{2,30}$/), (status, code) => {
      fc.pre(!(code in AUTHORITY_CODE_VERDICTS));
      expect(classifyFailure(refusal(status, code)).kind).not.toBe('reject');
    }));
  });

  it('decides by status: 5xx, 408, 409, 425 retried; 429 pauses; 401 for a technician; 403 halts; other 4xx for a technician', () => {
    const decided = (status: number) => {
      const { kind, endsRound } = classifyFailure(refusal(status, 'SOMETHING_NEW'));
      return `${kind}${endsRound ? '/ends' : ''}`;
    };
    expect([500, 502, 503, 504, 408, 409, 425].map(decided)).toEqual(Array(7).fill('transient'));
    expect(decided(429)).toBe('transient/ends');
    expect(decided(401)).toBe('config/ends');
    expect(decided(403)).toBe('halt/ends');
    expect([400, 404, 410, 413, 415, 422, 302].map(decided)).toEqual(Array(7).fill('config'));
  });
});

describe('classifyFailure: what the kiosk itself sees', () => {
  it('retries no answer and answers of the wrong form, going on with the round', () => {
    for (const error of [new AuthorityUnreachable('http://a', 'ECONNRESET'), new AuthorityAnswerInvalid('PUT /v1/records', 'not JSON'), new Error('unexpected')]) {
      expect(classifyFailure(error), String(error)).toMatchObject({ kind: 'transient', endsRound: false });
    }
    expect(classifyFailure(new Error('unexpected')).code).toBe('SYNC_FAILED');
  });

  it('halts on answers that do not verify, and asks a technician about a queued record without its envelope', () => {
    for (const code of ['RECEIPT_INVALID', 'AUTHORITY_DOCUMENT_INVALID', 'AUDIT_TRUNCATED']) {
      expect(classifyFailure(new GatehouseError(code, 'x')), code).toMatchObject({ kind: 'halt', endsRound: true });
    }
    expect(classifyFailure(new GatehouseError('OUTBOX_ENVELOPE_MISSING', 'x'))).toMatchObject({ kind: 'config', endsRound: false });
    expect(classifyFailure(new GatehouseError('SOMETHING_ELSE', 'x'))).toMatchObject({ kind: 'transient', endsRound: false });
  });

  it('says in plain words what happens next', () => {
    expect(classifyFailure(refusal(429, 'AUTHORITY_BUSY', 5_000))).toMatchObject({ retryAfterMs: 5_000, message: expect.stringContaining('busy') });
    expect(classifyFailure(refusal(503, 'INTERNAL')).message).toMatch(/fault \(HTTP 503\)/);
    expect(classifyFailure(refusal(403, 'KEY_REVOKED')).message).toMatch(/stopped until a technician/);
    expect(classifyFailure(refusal(422, 'ENVELOPE_WRONG_AUTHORITY_KEY')).message).toMatch(/stay queued and are tried again; a technician must fix/);
    expect(classifyFailure(refusal(422, 'RECORD_CONFLICT')).message).toBe('RECORD_CONFLICT message.');
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}
