// A linked pair of pseudo-terminals made by `socat`: a simulator opens one end and a
// driver opens the other as if it were the serial port of a real device.

import { spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { DeviceError } from '../device-error.js';

export interface PtyPair {
  /** The end a driver opens, e.g. the --link path given to a simulator. */
  readonly devicePath: string;
  /** The end the simulator itself opens. */
  readonly simulatorPath: string;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 5_000;

/** Starts socat and resolves once both symlinks exist. */
export async function openPtyPair(devicePath: string, simulatorPath = `${devicePath}.sim`): Promise<PtyPair> {
  const socat = spawn('socat', [
    `pty,raw,echo=0,link=${devicePath}`,
    `pty,raw,echo=0,link=${simulatorPath}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  socat.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<never>((_, reject) => {
    socat.once('error', (error) => reject(new DeviceError('PTY_SOCAT_MISSING',
      'Could not start socat; install the Debian package "socat".', { cause: error.message })));
    socat.once('exit', (code) => reject(new DeviceError('PTY_SOCAT_EXITED',
      `socat exited (code ${code}) before the pseudo-terminals were ready.`, { stderr })));
  });
  await Promise.race([waitForPaths([devicePath, simulatorPath]), exited]);
  exited.catch(() => undefined);
  return {
    devicePath,
    simulatorPath,
    close: () => stopProcess(socat),
  };
}

async function waitForPaths(paths: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const present = await Promise.all(paths.map((p) => access(p).then(() => true, () => false)));
    if (present.every(Boolean)) return;
    if (Date.now() > deadline) {
      throw new DeviceError('PTY_TIMEOUT', 'socat did not create the pseudo-terminals in time.', { paths });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
