// The per-client token bucket behind the authority's registration and failed-signature limits:
// a client gets `limit` attempts at once, then one more each window/limit, with the wait said in
// whole seconds; clients are counted apart, and the number of clients tracked stays bounded.

import { describe, expect, it } from 'vitest';
import { ClientRateLimit } from '../../../authority/rate-limit.js';

function limiter(limit: number, windowSeconds: number, maxClients?: number) {
  let now = Date.parse('2025-03-01T12:00:00Z');
  const rateLimit = new ClientRateLimit({ limit, windowSeconds, clock: () => new Date(now), maxClients });
  return { rateLimit, advance: (seconds: number) => void (now += seconds * 1000) };
}

describe('ClientRateLimit', () => {
  it('lets `limit` attempts through, then says how long until the next', () => {
    const { rateLimit, advance } = limiter(3, 60);
    expect([1, 2, 3].map(() => rateLimit.take('a').ok)).toEqual([true, true, true]);
    expect(rateLimit.take('a')).toEqual({ ok: false, retryAfterSeconds: 20 });
    advance(19);
    expect(rateLimit.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    advance(1);
    expect(rateLimit.take('a').ok).toBe(true);
    expect(rateLimit.take('b').ok).toBe(true);
  });

  it('counts failures already spent without letting the budget go below nothing, and refills it within the window', () => {
    const { rateLimit, advance } = limiter(2, 10);
    for (let i = 0; i < 5; i++) rateLimit.spend('a');
    expect(rateLimit.check('a')).toEqual({ ok: false, retryAfterSeconds: 5 });
    advance(10);
    expect(rateLimit.check('a').ok).toBe(true);
    expect(rateLimit.check('a').ok).toBe(true);
  });

  it('forgets idle clients first when it tracks as many as it may', () => {
    const { rateLimit } = limiter(1, 60, 2);
    rateLimit.take('busy');
    rateLimit.check('idle');
    rateLimit.take('new');
    expect(rateLimit.check('busy').ok).toBe(false);
  });
});
