// Keeps the kiosk's Chromium window up for `gatehouse serve`: a Chromium that crashes is
// launched again with a fresh one-time page address (the spent one would be refused),
// unless it crashed CRASH_LIMIT times within CRASH_WINDOW_MS; a Chromium that was closed
// normally, or keeps crashing, ends the kiosk (its service manager decides what next).

import type { ChildProcess } from 'node:child_process';
import type { Log } from '../log.js';

export const CRASH_LIMIT = 3;
export const CRASH_WINDOW_MS = 60_000;

export interface ChromiumSupervision {
  /** Starts one Chromium; called again for every relaunch, so each gets a fresh address. */
  launch(): ChildProcess;
  /** Chromium is gone for good: closed by the person at the kiosk, or crashing again and again. */
  onGone(): void;
  log: Log;
  now?: () => number;
}

/** True when another relaunch is allowed after crashes at `crashTimes` (ms), the latest included. */
export function mayRelaunch(crashTimes: readonly number[], now: number): boolean {
  return crashTimes.filter((at) => now - at < CRASH_WINDOW_MS).length < CRASH_LIMIT;
}

export function superviseChromium({ launch, onGone, log, now = Date.now }: ChromiumSupervision): { stop(): void } {
  const crashes: number[] = [];
  let stopped = false;
  let current: ChildProcess | undefined;

  const start = () => {
    try {
      current = launch();
    } catch (error) {
      log.error('Chromium could not be launched; stopping the kiosk', { error: error instanceof Error ? error.message : String(error) });
      onGone();
      return;
    }
    current.once('error', (error) => log.error('Chromium could not start', { error: error.message }));
    current.once('exit', (code, signal) => {
      if (stopped) return;
      if (code === 0) {
        log.info('Chromium was closed; stopping the kiosk');
        onGone();
        return;
      }
      const at = now();
      crashes.push(at);
      if (!mayRelaunch(crashes, at)) {
        log.error('Chromium keeps crashing; stopping the kiosk', { code, signal, crashes: crashes.length });
        onGone();
        return;
      }
      log.warn('Chromium ended unexpectedly; launching it again with a fresh page address', { code, signal });
      start();
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
