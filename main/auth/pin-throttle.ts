// How long PIN attempts wait after wrong PINs, per operator and for the whole station: pure
// functions over a failure count, so the numbers are tested without a clock or a store. A
// wait only delays the next PIN attempt; it never refuses the right PIN once it is over, and
// it never stops a finger, so a stranger typing wrong PINs cannot lock an officer out.
//
// The numbers, against a 6-digit PIN (10^6 values):
// - Per operator: 4 wrong PINs cost nothing (typos on a touch pad); from the 5th on, the next
//   attempt waits 2 s, 4 s, 8 s … doubling up to 5 minutes (from the 13th). At that pace one
//   name allows at most 288 guesses a day: ≈ 0.03 % a day of hitting a random PIN, and a
//   success or a supervisor's unlock gives a guesser only 4 quick tries more.
// - The station: a guesser could rotate through the operators to dodge the per-name wait, so
//   every wrong PIN at this kiosk (any name, known or not) also counts here. 20 cost nothing,
//   then 2 s doubling up to 2 minutes (from the 27th): at most 720 guesses a day over all names (≈ 0.07 % a day of
//   hitting a given operator's PIN), while a stranger can make PIN logins wait no longer than
//   2 minutes; fingers are never throttled. The count starts over after an hour without a wrong
//   PIN, so the free 20 give a patient guesser at most 20 an hour, less than the capped pace.
// Both counts live in the store (operators, station_pin_throttle), so a restart resets nothing.

export interface ThrottlePolicy {
  /** Wrong PINs in a row that cost no wait; each one beyond makes the next attempt wait. */
  freeFailures: number;
  /** The wait after the first wrong PIN beyond the free ones; it doubles with each further one. */
  firstWaitMs: number;
  maxWaitMs: number;
  /** After this long without a wrong PIN the count starts over; null: only a success or an unlock clears it. */
  quietResetMs: number | null;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const PIN_THROTTLE = {
  operator: { freeFailures: 4, firstWaitMs: 2 * SECOND, maxWaitMs: 5 * MINUTE, quietResetMs: null },
  station: { freeFailures: 20, firstWaitMs: 2 * SECOND, maxWaitMs: 2 * MINUTE, quietResetMs: 60 * MINUTE },
} as const satisfies Record<'operator' | 'station', ThrottlePolicy>;

/** The wait before the next PIN attempt after `failures` wrong PINs in a row. */
export function waitAfter(failures: number, policy: ThrottlePolicy): number {
  const beyond = failures - policy.freeFailures;
  if (beyond <= 0) return 0;
  // 2^beyond overflows nothing before the cap is reached (the exponent is capped too).
  return Math.min(policy.firstWaitMs * 2 ** Math.min(beyond - 1, 30), policy.maxWaitMs);
}

export interface FailureCount {
  failures: number;
  lastFailedAt: string | null;
  /** PIN attempts wait until then; null when they need not wait. */
  waitUntil: string | null;
}

export const NO_FAILURES: FailureCount = { failures: 0, lastFailedAt: null, waitUntil: null };

/** The count after one more wrong PIN at `at`. */
export function afterFailure(count: FailureCount, at: Date, policy: ThrottlePolicy): FailureCount {
  const quiet = policy.quietResetMs !== null && count.lastFailedAt !== null
    && at.getTime() - Date.parse(count.lastFailedAt) >= policy.quietResetMs;
  const previous = quiet ? NO_FAILURES : count;
  const failures = previous.failures + 1;
  const wait = waitAfter(failures, policy);
  return {
    failures,
    lastFailedAt: at.toISOString(),
    waitUntil: wait > 0 ? new Date(at.getTime() + wait).toISOString() : null,
  };
}

/** Whole seconds left to wait at `now` (at least 1 while any wait is left); 0 when none. */
export function secondsToWait(waitUntil: string | null, now: Date): number {
  if (waitUntil === null) return 0;
  const left = Date.parse(waitUntil) - now.getTime();
  return left > 0 ? Math.ceil(left / SECOND) : 0;
}
