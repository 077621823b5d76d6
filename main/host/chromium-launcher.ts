// Starts the system Chromium as the kiosk window for the browser host: app mode,
// full-screen kiosk, its own profile, no background traffic. The sandbox stays on
// unless the kiosk runs as root, where Chromium refuses to start with it.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** GATEHOUSE_CHROMIUM, else the first Chromium found at the usual Debian paths. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, exists = existsSync): string | null {
  if (env.GATEHOUSE_CHROMIUM) return exists(env.GATEHOUSE_CHROMIUM) ? env.GATEHOUSE_CHROMIUM : null;
  return CANDIDATES.find((path) => exists(path)) ?? null;
}

export interface ChromiumLaunch {
  url: string;
  dataDir: string;
  asRoot: boolean;
  /** false opens a normal app window (for development) instead of full-screen kiosk. */
  kiosk: boolean;
}

export function chromiumArgs({ url, dataDir, asRoot, kiosk }: ChromiumLaunch): string[] {
  return [
    `--app=${url}`,
    ...(kiosk ? ['--kiosk'] : []),
    `--user-data-dir=${join(dataDir, 'chromium-profile')}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-translate',
    '--noerrdialogs',
    '--disable-features=Translate,MediaRouter',
    // The camera is the only device the page asks for; the page is our own origin.
    '--use-fake-ui-for-media-stream',
    ...(asRoot ? ['--no-sandbox'] : []),
  ];
}

export function launchChromium(executable: string, launch: ChromiumLaunch): ChildProcess {
  return spawn(executable, chromiumArgs(launch), { stdio: 'ignore' });
}
