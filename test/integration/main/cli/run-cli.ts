// Runs the built `gatehouse` command (bin/gatehouse.js → dist/) as a child process with a
// temporary data directory, the way a technician or a script runs it.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';

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

/** For a test file of the built CLI: checks it is built, and gives temporary data folders that are removed after the file. */
export function builtCliDataDirs(): () => string {
  const dirs: string[] = [];
  beforeAll(() => {
    expect(fs.existsSync(builtCli), 'build first: npm run build').toBe(true);
  });
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = tempDataDir();
    dirs.push(dir);
    return dir;
  };
}
