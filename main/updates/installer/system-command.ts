// Runs one of the system's programs (dpkg, dpkg-query, dpkg-repack, systemctl) for the update
// installer and hands back how it ended and what it said, bounded, so the installer can decide
// and record why. A program that cannot be started is an error; an exit code is an answer.

import { spawn } from 'node:child_process';
import { GatehouseError } from '../../errors.js';

export interface CommandResult {
  /** The exit code; null when a signal ended it (`signal` says which). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last OUTPUT_LIMIT characters of its standard error. */
  stderr: string;
}

export interface CommandOptions {
  cwd?: string;
  /** Killed (SIGKILL) after this long; the result then names the signal. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Standard output beyond this is an error (the installer's programs answer in a few lines). */
const STDOUT_LIMIT = 1024 * 1024;
/** What is kept of standard error: its end, where programs say why they failed. */
const STDERR_TAIL = 4000;

/**
 * The path the installer's programs run with: dpkg looks up ldconfig and start-stop-daemon in
 * it, and a service's environment (or a technician's sudo) may carry a shorter one.
 */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function runCommand(program: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...process.env, PATH: SYSTEM_PATH, LC_ALL: 'C.UTF-8', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let overflow = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.length > STDOUT_LIMIT && !overflow) {
        overflow = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL); });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new GatehouseError('UPDATE_PROGRAM_MISSING',
        `${program} could not be started (${error.code ?? error.message}); the update installer needs it (Debian: dpkg, dpkg-repack, systemd).`, { program }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (overflow) {
        reject(new GatehouseError('UPDATE_PROGRAM_FAILED', `${program} ${args.join(' ')} wrote more than ${STDOUT_LIMIT} bytes; its answer was not used.`, { program }));
      } else {
        resolve({ code, signal, stdout, stderr });
      }
    });
  });
}

/** The one line that says how a command ended, for messages: its exit (or signal) and the last line of its standard error. */
export function describeFailure(program: string, result: CommandResult): string {
  const ending = result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  const lastLine = result.stderr.trim().split('\n').pop()?.trim();
  return lastLine ? `${program}: ${ending}: ${lastLine}` : `${program}: ${ending}`;
}
