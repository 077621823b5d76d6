// Starts the built kiosk (`gatehouse serve --no-browser --port 0`, with --simulate unless told not to)
// for end-to-end tests, the same way a technician would, and stops it with SIGTERM. Pages
// are opened the same-user way: each read of `url` mints a fresh one-time page address
// from the page key file the kiosk keeps in its data folder.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { mintPageUrl } from '../../../main/host/page-key-file.js';
import { openKioskDatabase } from '../../../main/store/database.js';
import { provisionOffline } from '../../fixtures/kiosk-harness.js';

export const projectRoot = resolve(import.meta.dirname, '../../..');
const cli = join(projectRoot, 'bin', 'gatehouse.js');

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
}

/** A data directory whose kiosk is provisioned offline (keys and identity, no authority running), so enrollments can start. */
export function provisionedDataDir(): string {
  const dataDir = tempDataDir();
  const db = openKioskDatabase(dataDir);
  try {
    provisionOffline(dataDir, db);
  } finally {
    db.close();
  }
  return dataDir;
}

/** Runs a CLI command to completion; throws with its stderr when it fails. */
export function gatehouse(dataDir: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, [cli, '--data', dataDir, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`gatehouse ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export interface RunningKiosk {
  /** A fresh one-time page address on every read: goto it once, in one browser context. */
  readonly url: string;
  /** Where the page is served; opening it without an address gives a page with no RPC session. */
  readonly origin: string;
  stop(): Promise<number | null>;
}

/**
 * `serveArgs` go after the defaults, e.g. ['--simulated-reader', 'cnid']. The kiosk runs
 * simulators for the devices not set up (`--simulate`) unless `simulate` is false.
 */
export async function startKiosk(dataDir: string, serveArgs: string[] = [], { simulate = true }: { simulate?: boolean } = {}): Promise<RunningKiosk> {
  const defaults = ['serve', '--no-browser', '--port', '0', ...(simulate ? ['--simulate'] : [])];
  const child = spawn(process.execPath, [cli, '--data', dataDir, ...defaults, ...serveArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = await readyOrigin(child);
  return {
    get url() {
      return mintPageUrl(dataDir);
    },
    origin,
    stop: () => new Promise((done) => {
      if (child.exitCode !== null) return done(child.exitCode);
      child.once('exit', (code) => done(code));
      child.kill('SIGTERM');
    }),
  };
}

/** The origin of serve's one line `ready <origin>`. */
function readyOrigin(child: ChildProcess): Promise<string> {
  return new Promise((resolveOrigin, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const match = /^ready (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match) resolveOrigin(match[1]!);
      else reject(new Error(`unexpected first line from serve: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before it was ready`)));
  });
}
