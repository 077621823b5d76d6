// Keeping the kiosk's Chromium up: a crash relaunches it (each launch asks for a fresh page
// address), a normal close or a third crash within a minute ends the kiosk, and stopping
// the kiosk kills it without a relaunch.

import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CRASH_WINDOW_MS, mayRelaunch, superviseChromium } from '../../../../main/host/chromium-supervisor.js';
import { silentLog } from '../../../../main/log.js';

class FakeChromium extends EventEmitter {
  killed = false;
  kill(): boolean {
    this.killed = true;
    this.emit('exit', null, 'SIGTERM');
    return true;
  }
}

function supervised() {
  const launched: FakeChromium[] = [];
  const clock = { now: 1_000_000 };
  let gone = 0;
  const supervisor = superviseChromium({
    launch: () => {
      const child = new FakeChromium();
      launched.push(child);
      return child as unknown as ChildProcess;
    },
    onGone: () => { gone += 1; },
    log: silentLog,
    now: () => clock.now,
  });
  return { launched, clock, supervisor, gone: () => gone };
}

describe('superviseChromium', () => {
  it('launches again after a crash, each time through launch()', () => {
    const s = supervised();
    s.launched[0]!.emit('exit', null, 'SIGSEGV');
    expect(s.launched).toHaveLength(2);
    s.clock.now += 10_000;
    s.launched[1]!.emit('exit', 133, null);
    expect(s.launched).toHaveLength(3);
    expect(s.gone()).toBe(0);
  });

  it('ends the kiosk when Chromium is closed normally', () => {
    const s = supervised();
    s.launched[0]!.emit('exit', 0, null);
    expect(s.launched).toHaveLength(1);
    expect(s.gone()).toBe(1);
  });

  it('gives up on the third crash within a minute', () => {
    const s = supervised();
    for (let i = 0; i < 3; i += 1) s.launched[i]!.emit('exit', null, 'SIGSEGV');
    expect(s.launched).toHaveLength(3);
    expect(s.gone()).toBe(1);
  });

  it('kills Chromium on stop without launching another', () => {
    const s = supervised();
    s.supervisor.stop();
    expect(s.launched[0]!.killed).toBe(true);
    expect(s.launched).toHaveLength(1);
    expect(s.gone()).toBe(0);
  });
});

describe('mayRelaunch', () => {
  it('counts only the crashes within the window', () => {
    expect(mayRelaunch([0], 0)).toBe(true);
    expect(mayRelaunch([0, 1], 1)).toBe(true);
    expect(mayRelaunch([0, 1, 2], 2)).toBe(false);
    expect(mayRelaunch([0, 1, CRASH_WINDOW_MS + 1], CRASH_WINDOW_MS + 1)).toBe(true);
  });
});

describe('a launch that throws', () => {
  it('ends the kiosk instead of leaving it without a window', () => {
    let gone = 0;
    const supervisor = superviseChromium({
      launch: () => { throw new Error('EACCES: chromium-profile'); },
      onGone: () => { gone += 1; },
      log: silentLog,
    });
    expect(gone).toBe(1);
    expect(() => supervisor.stop()).not.toThrow();
  });
});
