// The idle countdown with fake timers: silence until the warning stretch (the station's idle
// warning time), a warning every second with the seconds left, then expiry exactly once at the deadline.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer } from '../../../../main/auth/idle-timer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function timer() {
  const warnings: number[] = [];
  const onExpire = vi.fn();
  const idle = new IdleTimer({ onWarning: (s) => warnings.push(s), onExpire });
  return { idle, warnings, onExpire };
}

const countdown = (from: number) => Array.from({ length: from }, (_, i) => from - i);

describe('IdleTimer', () => {
  it('is idle until started', () => {
    const { idle, onExpire } = timer();
    expect(idle.running).toBe(false);
    vi.advanceTimersByTime(1_000_000);
    expect(onExpire).not.toHaveBeenCalled();
  });

  it('warns each second through the last 30 s of a 120 s timeout, then expires once', () => {
    const { idle, warnings, onExpire } = timer();
    idle.restart(120_000, 30_000);
    expect(idle.running).toBe(true);
    vi.advanceTimersByTime(89_999);
    expect(warnings).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(warnings).toEqual([30]);
    vi.advanceTimersByTime(29_000);
    expect(warnings).toEqual(countdown(30));
    vi.advanceTimersByTime(999);
    expect(onExpire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onExpire).toHaveBeenCalledTimes(1);
    expect(idle.running).toBe(false);
    vi.advanceTimersByTime(600_000);
    expect(onExpire).toHaveBeenCalledTimes(1);
    expect(warnings).toHaveLength(30);
  });

  it('starts over from the full timeout on restart, even in the middle of the countdown', () => {
    const { idle, warnings, onExpire } = timer();
    idle.restart(120_000, 30_000);
    vi.advanceTimersByTime(110_000);
    expect(warnings).toEqual(countdown(30).slice(0, 21)); // 30..10
    idle.restart(120_000, 30_000);
    vi.advanceTimersByTime(89_999);
    expect(warnings).toHaveLength(21);
    vi.advanceTimersByTime(30_000);
    expect(onExpire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onExpire).toHaveBeenCalledTimes(1);
    expect(warnings.slice(21)).toEqual(countdown(30));
  });

  it('does nothing more after stop', () => {
    const { idle, warnings, onExpire } = timer();
    idle.restart(120_000, 30_000);
    vi.advanceTimersByTime(100_000);
    idle.stop();
    expect(idle.running).toBe(false);
    vi.advanceTimersByTime(600_000);
    expect(warnings).toEqual(countdown(30).slice(0, 11)); // 30 at 90 s … 20 at 100 s
    expect(onExpire).not.toHaveBeenCalled();
  });

  it('takes the timeout and warning stretch of each restart', () => {
    const { idle, warnings, onExpire } = timer();
    idle.restart(60_000, 5_000);
    vi.advanceTimersByTime(55_000);
    expect(warnings).toEqual([5]);
    vi.advanceTimersByTime(5_000);
    expect(warnings).toEqual(countdown(5));
    expect(onExpire).toHaveBeenCalledTimes(1);
    idle.restart(20_000, 10_000);
    vi.advanceTimersByTime(9_999);
    expect(warnings).toHaveLength(5);
    vi.advanceTimersByTime(10_001);
    expect(warnings.slice(5)).toEqual(countdown(10));
    expect(onExpire).toHaveBeenCalledTimes(2);
  });

  it('counts down at once when the warning stretch is as long as the timeout', () => {
    const { idle, warnings, onExpire } = timer();
    idle.restart(15_000, 15_000);
    vi.advanceTimersByTime(0);
    expect(warnings).toEqual([15]);
    vi.advanceTimersByTime(15_000);
    expect(warnings).toEqual(countdown(15));
    expect(onExpire).toHaveBeenCalledTimes(1);
  });
});
