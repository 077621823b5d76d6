// Backoff with full jitter, a cap and Retry-After; and which failures are retried, which refuse
// a record for good and which stop sync until a person acts.

import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../../main/errors.js';
import { AuthorityAnswerInvalid, AuthorityRefusal, AuthorityUnreachable, retryAfterMs } from '../../../../main/sync/authority-client.js';
import { classifyFailure, DEFAULT_RETRY_POLICY, retryDelayMs } from '../../../../main/sync/retry-policy.js';

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

describe('classifyFailure', () => {
  const refusal = (status: number, code: string, retryAfter: number | null = null) => new AuthorityRefusal(status, code, `${code} message.`, retryAfter);

  it('retries what time may fix', () => {
    for (const error of [
      new AuthorityUnreachable('http://a', 'ECONNRESET'), new AuthorityAnswerInvalid('PUT /v1/records', 'not JSON'),
      refusal(503, 'INTERNAL'), refusal(500, 'INTERNAL'), refusal(408, 'HTTP_408'),
      refusal(404, 'UPLOAD_NOT_FOUND'), refusal(422, 'UPLOAD_CORRUPT'), refusal(409, 'UPLOAD_OFFSET_MISMATCH'), refusal(409, 'UPLOAD_INCOMPLETE'),
      new Error('unexpected'),
    ]) expect(classifyFailure(error).kind, String(error)).toBe('transient');
    expect(classifyFailure(refusal(429, 'RATE_LIMITED', 5_000))).toMatchObject({ kind: 'transient', retryAfterMs: 5_000, message: expect.stringContaining('busy') });
  });

  it('gives a record up only when the authority refuses that record', () => {
    for (const code of ['RECORD_CONFLICT', 'RECORD_ID_MISMATCH', 'ENVELOPE_DECRYPT_FAILED', 'UPLOAD_TOO_LARGE', 'REQUEST_INVALID']) {
      expect(classifyFailure(refusal(code === 'UPLOAD_TOO_LARGE' ? 413 : 422, code)).kind, code).toBe('reject');
    }
  });

  it('halts on a refused kiosk and on answers that do not verify', () => {
    expect(classifyFailure(refusal(401, 'SIG_EXPIRED'))).toMatchObject({ kind: 'halt', message: expect.stringContaining('stopped until a technician') });
    expect(classifyFailure(refusal(403, 'KEY_REVOKED')).kind).toBe('halt');
    for (const code of ['RECEIPT_INVALID', 'AUTHORITY_DOCUMENT_INVALID', 'AUDIT_TRUNCATED']) {
      expect(classifyFailure(new GatehouseError(code, 'x')).kind, code).toBe('halt');
    }
  });
});
