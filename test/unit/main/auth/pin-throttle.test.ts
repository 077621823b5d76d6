// The PIN waits as numbers: free wrong PINs, then a doubling wait up to its cap, the station's
// count starting over after a quiet hour, and whole seconds left rounded up.

import { describe, expect, it } from 'vitest';
import {
  afterFailure, NO_FAILURES, PIN_THROTTLE, secondsToWait, waitAfter, type FailureCount, type ThrottlePolicy,
} from '../../../../main/auth/pin-throttle.js';

const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('waitAfter', () => {
  it('per operator: four wrong PINs cost nothing, then 2 s, 4 s, 8 s … up to 5 minutes', () => {
    const waits = Array.from({ length: 15 }, (_, i) => waitAfter(i + 1, PIN_THROTTLE.operator) / SECOND);
    expect(waits).toEqual([0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
    expect(waitAfter(10_000, PIN_THROTTLE.operator)).toBe(5 * MINUTE);
  });

  it('for the station: twenty wrong PINs cost nothing, then 2 s doubling up to 2 minutes', () => {
    const waits = Array.from({ length: 28 }, (_, i) => waitAfter(i + 1, PIN_THROTTLE.station) / SECOND);
    expect(waits.slice(0, 20)).toEqual(Array<number>(20).fill(0));
    expect(waits.slice(20)).toEqual([2, 4, 8, 16, 32, 64, 120, 120]);
  });

  it('caps what a guesser gets: at most 288 guesses a day for one name, 720 over all names', () => {
    const perDay = (policy: ThrottlePolicy) => (24 * 60 * MINUTE) / policy.maxWaitMs;
    expect(perDay(PIN_THROTTLE.operator)).toBe(288);
    expect(perDay(PIN_THROTTLE.station)).toBe(720);
  });
});

describe('afterFailure', () => {
  const run = (times: number, policy: ThrottlePolicy = PIN_THROTTLE.operator, step = SECOND): FailureCount => {
    let count = NO_FAILURES;
    for (let i = 0; i < times; i += 1) count = afterFailure(count, at(i * step), policy);
    return count;
  };

  it('counts and sets the wait from the latest wrong PIN', () => {
    expect(run(4)).toEqual({ failures: 4, lastFailedAt: at(3 * SECOND).toISOString(), waitUntil: null });
    expect(run(6)).toEqual({ failures: 6, lastFailedAt: at(5 * SECOND).toISOString(), waitUntil: at(9 * SECOND).toISOString() });
  });

  it('never starts an operator\'s count over by itself, however long the pause', () => {
    const count = afterFailure(run(5), at(30 * 24 * 60 * MINUTE), PIN_THROTTLE.operator);
    expect(count.failures).toBe(6);
  });

  it('starts the station\'s count over after an hour without a wrong PIN, not before', () => {
    const busy = run(25, PIN_THROTTLE.station);
    const last = Date.parse(busy.lastFailedAt!) - T0.getTime();
    expect(afterFailure(busy, at(last + 60 * MINUTE - 1), PIN_THROTTLE.station).failures).toBe(26);
    expect(afterFailure(busy, at(last + 60 * MINUTE), PIN_THROTTLE.station))
      .toEqual({ failures: 1, lastFailedAt: at(last + 60 * MINUTE).toISOString(), waitUntil: null });
  });
});

describe('secondsToWait', () => {
  it('rounds up to whole seconds and is 0 once the wait is over or when there is none', () => {
    const until = at(8 * SECOND).toISOString();
    expect(secondsToWait(until, T0)).toBe(8);
    expect(secondsToWait(until, at(7001))).toBe(1);
    expect(secondsToWait(until, at(8 * SECOND))).toBe(0);
    expect(secondsToWait(null, T0)).toBe(0);
  });
});
