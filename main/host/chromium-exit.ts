// Why the kiosk's Chromium ended, in words a technician can act on: closed normally, an exit
// code, a signal (named, with its usual cause: SIGKILL mostly the kernel out of memory,
// SIGSEGV/SIGTRAP/SIGABRT a crash), or it could not be started at all (ENOENT, EACCES). Pure,
// so the wording is tested without a browser; the supervisor, serve's stderr, the log and the
// audit log (`host.browser-exited`) all take it from here.

import { constants } from 'node:os';

export type ChromiumExit =
  | { kind: 'closed' }
  | { kind: 'exit-code'; code: number }
  | { kind: 'signal'; signal: string; /** Seen as exit code 128+N from a wrapper script that did not exec Chromium. */ viaWrapper: boolean }
  | { kind: 'not-started'; errno: string };

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, number]) => [number, name]));
/** Shells report a child killed by signal N as exit status 128 + N. */
const SHELL_SIGNAL_BASE = 128;

export function chromiumExitOf(code: number | null, signal: NodeJS.Signals | null): ChromiumExit {
  if (signal !== null) return { kind: 'signal', signal, viaWrapper: false };
  if (code === 0 || code === null) return { kind: 'closed' };
  const wrapped = SIGNAL_NAMES.get(code - SHELL_SIGNAL_BASE);
  if (wrapped !== undefined) return { kind: 'signal', signal: wrapped, viaWrapper: true };
  return { kind: 'exit-code', code };
}

/** A spawn failure (the 'error' event of a child that never ran). */
export function chromiumNotStarted(error: NodeJS.ErrnoException): ChromiumExit {
  return { kind: 'not-started', errno: error.code ?? 'UNKNOWN' };
}

/** A normal close ends the kiosk; Chromium that never started would not start the next time either. */
export function isCrash(exit: ChromiumExit): boolean {
  return exit.kind === 'exit-code' || exit.kind === 'signal';
}

const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGILL', 'SIGFPE']);
const STOP_SIGNALS = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']);

function likelyCauseOf(signal: string): string {
  if (signal === 'SIGKILL') return 'most often the system ran out of memory and the kernel killed it (see "journalctl -k" for "Out of memory"), or someone killed it';
  if (CRASH_SIGNALS.has(signal)) return 'Chromium crashed';
  if (STOP_SIGNALS.has(signal)) return 'someone or something on this machine asked it to stop';
  return 'no usual cause';
}

const START_FAILURES: Record<string, string> = {
  ENOENT: 'the program was not found; install the Debian package "chromium" or correct GATEHOUSE_CHROMIUM',
  EACCES: 'the program may not be run by this user; check its file permissions and that its file system is not mounted noexec',
};

/** One sentence for serve's stderr and the log. */
export function describeChromiumExit(exit: ChromiumExit): string {
  switch (exit.kind) {
    case 'closed':
      return 'Chromium was closed normally.';
    case 'exit-code':
      return `Chromium ended with exit code ${exit.code}.`;
    case 'signal':
      return `Chromium was killed by ${exit.signal}${exit.viaWrapper ? ` (exit code ${SHELL_SIGNAL_BASE + constants.signals[exit.signal as NodeJS.Signals]} from its wrapper script)` : ''}: ${likelyCauseOf(exit.signal)}.`;
    case 'not-started':
      return `Chromium could not be started (${exit.errno}): ${START_FAILURES[exit.errno] ?? 'see the error code'}.`;
  }
}

/** What the audit log keeps of an exit: no address, no output, just what happened. */
export function auditDetailsOf(exit: ChromiumExit, relaunched: boolean): Record<string, string | number | boolean | null> {
  return {
    outcome: exit.kind,
    code: exit.kind === 'exit-code' ? exit.code : null,
    signal: exit.kind === 'signal' ? exit.signal : null,
    errno: exit.kind === 'not-started' ? exit.errno : null,
    relaunched,
  };
}
