// Running the real `gatehouse` and `gatehouse-authority` commands as child processes for the
// torture loop: spawn with a data directory, collect output, SIGKILL at a chosen moment, and
// read the JSON the commands print for scripts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../main/kiosk/project-root.js';

export const kioskBin = join(projectRoot, 'bin', 'gatehouse.js');
export const authorityBin = join(projectRoot, 'bin', 'gatehouse-authority.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Output so far (stdout). */
  stdout(): string;
  done: Promise<Finished>;
  /** SIGKILL now; true when it was still running. */
  kill(): boolean;
}

export function start(bin: string, args: readonly string[]): Running {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { cwd: projectRoot, env: { ...process.env, GATEHOUSE_DATA: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  let exited = false;
  const done = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return {
    child,
    stdout: () => stdout,
    done,
    kill: () => {
      if (exited || child.exitCode !== null) return false;
      return child.kill('SIGKILL');
    },
  };
}

export async function run(bin: string, args: readonly string[], timeoutMs = 120_000): Promise<Finished> {
  const running = start(bin, args);
  const timer = setTimeout(() => running.kill(), timeoutMs);
  try {
    return await running.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a command that prints JSON and returns it; a refusal or bad output throws with the command's words. */
export async function runJson<T>(bin: string, args: readonly string[], okCodes: readonly number[] = [0]): Promise<{ code: number | null; json: T }> {
  const finished = await run(bin, args);
  let json: T;
  try {
    json = JSON.parse(finished.stdout) as T;
  } catch {
    throw new Error(`${args.join(' ')} exited ${finished.code ?? finished.signal} without JSON: ${(finished.stderr || finished.stdout).trim().slice(0, 400)}`);
  }
  if (!okCodes.includes(finished.code ?? -1)) throw new Error(`${args.join(' ')} exited ${finished.code ?? finished.signal}: ${finished.stdout.trim().slice(0, 400)}`);
  return { code: finished.code, json };
}

/** Starts a server command and waits for its `ready <url>` line. */
export async function startServer(bin: string, args: readonly string[], timeoutMs = 30_000): Promise<{ running: Running; url: string }> {
  const running = start(bin, args);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not print "ready" within ${timeoutMs} ms`)), timeoutMs);
    const look = () => {
      const match = /^ready (\S+)$/m.exec(running.stdout());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    running.child.stdout.on('data', look);
    void running.done.then((f) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited ${f.code ?? f.signal} before it was ready: ${f.stderr.trim().slice(0, 400)}`));
    });
  });
  return { running, url };
}
