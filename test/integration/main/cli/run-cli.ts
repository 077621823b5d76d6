// Runs the built `gatehouse` command (bin/gatehouse.js → dist/) as a child process with a
// temporary data directory, the way a technician or a script runs it.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const gatehouseBin = path.join(projectRoot, 'bin', 'gatehouse.js');
export const builtCli = path.join(projectRoot, 'dist', 'main', 'cli', 'main.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment without a data directory, so only what a test passes counts. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('GATEHOUSE_DATA' in extra)) delete env.GATEHOUSE_DATA;
  return env;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [gatehouseBin, ...args], { cwd: projectRoot, env });
}

export function finished(child: ChildProcessWithoutNullStreams): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  return finished(startCli(args, env));
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
}
