// Keeping the kiosk's Chromium up: a crash relaunches it (each launch asks for a fresh page
// address), a normal close, a Chromium that cannot start or a third crash within a minute
// ends the kiosk, every end is reported with its reason and Chromium's last stderr lines, and
// stopping the kiosk kills it without a relaunch or a report.

import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CRASH_WINDOW_MS, mayRelaunch, superviseChromium, type ChromiumEnd } from '../../../../main/host/chromium-supervisor.js';
import { silentLog } from '../../../../main/log.js';

class FakeChromium extends EventEmitter {
  killed = false;
  readonly stderr = new PassThrough();
  /** Undefined for a process that never ran, as node leaves it. */
  constructor(readonly pid: number | undefined) {
    super();
  }

  kill(): boolean {
    this.killed = true;
    this.end(null, 'SIGTERM');
    return true;
  }

  /** Exits as a process does: 'exit', then its stderr ends and 'close' follows. */
  end(code: number | null, signal: NodeJS.Signals | null): void {
    this.emit('exit', code, signal);
    this.stderr.end();
    this.stderr.once('end', () => this.emit('close', code, signal));
    this.stderr.resume();
  }
}

function supervised(options: { neverStarts?: boolean } = {}) {
  const launched: FakeChromium[] = [];
  const ends: ChromiumEnd[] = [];
  const gone: boolean[] = [];
  const clock = { now: 1_000_000 };
  let settle: () => void = () => undefined;
  const supervisor = superviseChromium({
    launch: () => {
      const child = new FakeChromium(options.neverStarts ? undefined : 4242 + launched.length);
      launched.push(child);
      return child as unknown as ChildProcess;
    },
    onEnd: (end) => { ends.push(end); settle(); },
    onGone: (failed) => { gone.push(failed); },
    log: silentLog,
    now: () => clock.now,
  });
  /** Resolves once the next end has been reported. */
  const nextEnd = () => new Promise<void>((resolve) => { settle = resolve; });
  return { launched, ends, gone, clock, supervisor, nextEnd };
}

describe('superviseChromium', () => {
  it('launches again after a crash, each time through launch(), and reports each crash', async () => {
    const s = supervised();
    let reported = s.nextEnd();
    s.launched[0]!.end(null, 'SIGSEGV');
    await reported;
    expect(s.launched).toHaveLength(2);
    s.clock.now += 10_000;
    reported = s.nextEnd();
    s.launched[1]!.end(7, null);
    await reported;
    expect(s.launched).toHaveLength(3);
    expect(s.ends.map((e) => [e.exit, e.relaunched])).toEqual([
      [{ kind: 'signal', signal: 'SIGSEGV', viaWrapper: false }, true],
      [{ kind: 'exit-code', code: 7 }, true],
    ]);
    expect(s.gone).toEqual([]);
  });

  it('ends the kiosk without failure when Chromium is closed normally', async () => {
    const s = supervised();
    const reported = s.nextEnd();
    s.launched[0]!.end(0, null);
    await reported;
    expect(s.launched).toHaveLength(1);
    expect(s.ends).toEqual([{ exit: { kind: 'closed' }, relaunched: false, lastLines: [] }]);
    expect(s.gone).toEqual([false]);
  });

  it('gives up on the third crash within a minute, as a failure', async () => {
    const s = supervised();
    for (let i = 0; i < 3; i += 1) {
      const reported = s.nextEnd();
      s.launched[i]!.end(null, 'SIGSEGV');
      await reported;
    }
    expect(s.launched).toHaveLength(3);
    expect(s.ends.map((e) => e.relaunched)).toEqual([true, true, false]);
    expect(s.gone).toEqual([true]);
  });

  it('reports the last lines Chromium wrote to stderr with its end, the page address blanked', async () => {
    const s = supervised();
    const chromium = s.launched[0]!;
    chromium.stderr.write('[1:1:ERROR:dbus/bus.cc:405] Failed to connect to the bus: nothing\n');
    chromium.stderr.write('[1:1:ERROR:gpu_init.cc:1] Passthrough is not supported\n[1:1:FATAL:x.cc:2] Check failed for http://127.0.0.1:4000/session?bootstrap=mb1.SECRET.mac');
    const reported = s.nextEnd();
    chromium.end(null, 'SIGTRAP');
    await reported;
    expect(s.ends[0]!.lastLines).toEqual([
      '[1:1:ERROR:gpu_init.cc:1] Passthrough is not supported',
      '[1:1:FATAL:x.cc:2] Check failed for http://127.0.0.1:4000/session?bootstrap=…',
    ]);
  });

  it('does not relaunch a Chromium that could not be started, and ends the kiosk as a failure', async () => {
    const s = supervised({ neverStarts: true });
    const reported = s.nextEnd();
    s.launched[0]!.emit('error', Object.assign(new Error('spawn /opt/chromium ENOENT'), { code: 'ENOENT' }));
    await reported;
    expect(s.launched).toHaveLength(1);
    expect(s.ends).toEqual([{ exit: { kind: 'not-started', errno: 'ENOENT' }, relaunched: false, lastLines: [] }]);
    expect(s.gone).toEqual([true]);
  });

  it('kills Chromium on stop without launching another or reporting an end', async () => {
    const s = supervised();
    const closed = new Promise((resolve) => s.launched[0]!.once('close', resolve));
    s.supervisor.stop();
    await closed;
    expect(s.launched[0]!.killed).toBe(true);
    expect(s.launched).toHaveLength(1);
    expect(s.ends).toEqual([]);
    expect(s.gone).toEqual([]);
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
  it('ends the kiosk as a failure instead of leaving it without a window', () => {
    const gone: boolean[] = [];
    const supervisor = superviseChromium({
      launch: () => { throw new Error('EACCES: chromium-profile'); },
      onEnd: () => undefined,
      onGone: (failed) => { gone.push(failed); },
      log: silentLog,
    });
    expect(gone).toEqual([true]);
    expect(() => supervisor.stop()).not.toThrow();
  });
});
