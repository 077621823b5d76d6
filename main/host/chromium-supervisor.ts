// Keeps the kiosk's Chromium window up for `gatehouse serve`: a Chromium that crashes is
// launched again with a fresh one-time page address (the spent one would be refused),
// unless it crashed CRASH_LIMIT times within CRASH_WINDOW_MS; a Chromium that was closed
// normally, keeps crashing or cannot be started at all ends the kiosk (its service manager
// decides what next). Every end is reported with its reason and the last lines Chromium
// wrote to stderr (`chromium-exit.ts`, `chromium-stderr-tail.ts`).

import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Log } from '../log.js';
import { chromiumExitOf, chromiumNotStarted, describeChromiumExit, isCrash, type ChromiumExit } from './chromium-exit.js';
import { ChromiumStderrTail } from './chromium-stderr-tail.js';

export const CRASH_LIMIT = 3;
export const CRASH_WINDOW_MS = 60_000;
/** How long an ended Chromium's helpers may keep its stderr open before its last lines are reported without them. */
const STDERR_DRAIN_MS = 1_000;

export interface ChromiumEnd {
  exit: ChromiumExit;
  /** Another Chromium is being launched. */
  relaunched: boolean;
  /** What it last wrote to stderr (bounded, page addresses blanked). */
  lastLines: string[];
}

export interface ChromiumSupervision {
  /** Starts one Chromium with stderr piped; called again for every relaunch, so each gets a fresh address. */
  launch(): ChildProcess;
  /** Every end of a Chromium, before it is launched again or the kiosk ends. */
  onEnd(end: ChromiumEnd): void;
  /** Chromium is gone for good: closed by the person at the kiosk (failed false), or crashing again and again or not starting (true). */
  onGone(failed: boolean): void;
  log: Log;
  now?: () => number;
}

/** True when another relaunch is allowed after crashes at `crashTimes` (ms), the latest included. */
export function mayRelaunch(crashTimes: readonly number[], now: number): boolean {
  return crashTimes.filter((at) => now - at < CRASH_WINDOW_MS).length < CRASH_LIMIT;
}

export function superviseChromium({ launch, onEnd, onGone, log, now = Date.now }: ChromiumSupervision): { stop(): void } {
  const crashes: number[] = [];
  let stopped = false;
  let current: ChildProcess | undefined;

  const ended = (exit: ChromiumExit, tail: ChromiumStderrTail) => {
    if (stopped) return;
    let relaunched = false;
    if (isCrash(exit)) {
      const at = now();
      crashes.push(at);
      relaunched = mayRelaunch(crashes, at);
    }
    const end = { exit, relaunched, lastLines: tail.lines() };
    const fields = { outcome: exit.kind, relaunched, crashesThisMinute: crashes.filter((at) => now() - at < CRASH_WINDOW_MS).length, lastLines: end.lastLines };
    const what = describeChromiumExit(exit);
    if (exit.kind === 'closed') log.info(`${what} Stopping the kiosk.`, fields);
    else if (relaunched) log.warn(`${what} Launching it again with a fresh page address.`, fields);
    else log.error(`${what} Stopping the kiosk.`, fields);
    onEnd(end);
    if (relaunched) start();
    else onGone(exit.kind !== 'closed');
  };

  const start = () => {
    try {
      current = launch();
    } catch (error) {
      log.error('Chromium could not be launched; stopping the kiosk', { error: error instanceof Error ? error.message : String(error) });
      onGone(true);
      return;
    }
    const child = current;
    const tail = new ChromiumStderrTail();
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => tail.write(chunk));
    let reported = false;
    const report = (exit: ChromiumExit) => {
      if (reported) return;
      reported = true;
      ended(exit, tail);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      // A child that never got a pid never ran: no 'exit' follows.
      if (child.pid === undefined) report(chromiumNotStarted(error));
      else log.error('Chromium reported an error', { error: error.message });
    });
    child.once('exit', (code, signal) => {
      const exit = chromiumExitOf(code, signal);
      // Its last words may still be in the pipe; its helpers may hold the pipe open a while.
      const drained = child.stderr ? Promise.race([once(child, 'close'), delay(STDERR_DRAIN_MS)]) : Promise.resolve();
      void drained.then(() => report(exit), () => report(exit));
    });
  };
  start();

  return {
    stop() {
      stopped = true;
      current?.kill();
    },
  };
}
