// `gatehouse kiosk-window`: the kiosk's screen in the kiosk session (gatehouse-kiosk.service runs it
// inside cage as the screen user, who cannot read the kiosk's data folder). It waits, boundedly,
// until the host serves (its shared page key file, `serve --page-key-file`, is there and its origin
// answers), then opens the kiosk window on one-time addresses minted from that key (kiosk-window.ts).
// Chromium keeps its sandbox (the screen user is not root). Each end of Chromium is said on stderr,
// which is the journal, and not audited: the screen user has no store; the host audits what its
// pages do. When the host stops or restarts (its page key goes or changes) the window ends, so the
// session starts again on the new host's addresses.

import { unwatchFile, watchFile } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { GatehouseError } from '../../errors.js';
import { findChromium } from '../../host/chromium-launcher.js';
import { openKioskWindow } from '../../host/kiosk-window.js';
import { mintPageAddress, readPageKey, type PageKey } from '../../host/page-key-file.js';
import { Shutdown } from '../../kiosk/shutdown.js';
import { createLog } from '../../log.js';
import { displayOf } from './serve.js';

interface KioskWindowFlags {
  pageKey: string;
  profile?: string;
  wait: string;
  window?: boolean;
}

export interface KioskWindowSettings {
  /** The page key file the host shares (absolute). */
  pageKeyFile: string;
  /** The folder Chromium's profile goes in: --profile, else the unit's StateDirectory, else ~/.local/state/gatehouse-kiosk-window. */
  profileFolder: string;
  /** How long to wait for the host to serve. */
  waitMs: number;
  fullScreen: boolean;
}

export const DEFAULT_WAIT_SECONDS = 60;
const MAX_WAIT_SECONDS = 3600;
const POLL_MS = 250;
const PROBE_TIMEOUT_MS = 2_000;
const WATCH_INTERVAL_MS = 1_000;

/** The command's flags checked and completed from the environment ($STATE_DIRECTORY, $HOME). */
export function kioskWindowSettings(flags: KioskWindowFlags, env: NodeJS.ProcessEnv = process.env): KioskWindowSettings {
  const seconds = Number(flags.wait);
  if (!/^\d+$/.test(flags.wait) || seconds < 1 || seconds > MAX_WAIT_SECONDS) {
    throw new GatehouseError('CLI_INVALID_OPTIONS', `--wait must be a whole number of seconds from 1 to ${MAX_WAIT_SECONDS}, not "${flags.wait}".`);
  }
  if (flags.pageKey.trim() === '') throw new GatehouseError('CLI_INVALID_OPTIONS', '--page-key needs the page key file the host shares (gatehouse serve --page-key-file).');
  // systemd gives one folder per StateDirectory= entry, separated by colons.
  const stateDirectory = env.STATE_DIRECTORY?.split(':')[0];
  const profileFolder = flags.profile ?? (stateDirectory || join(env.HOME || homedir(), '.local', 'state', 'gatehouse-kiosk-window'));
  return { pageKeyFile: resolve(flags.pageKey), profileFolder: resolve(profileFolder), waitMs: seconds * 1000, fullScreen: !flags.window };
}

export function registerKioskWindowCommand(program: Command): void {
  program.command('kiosk-window')
    .description('open the kiosk window of the host serving on this machine, as the screen user of the kiosk session')
    .requiredOption('--page-key <file>', 'the page key file the host shares (gatehouse serve --page-key-file; packaged: /run/gatehouse/page-key.json)')
    .option('--profile <dir>', 'the folder for Chromium\'s profile (default: $STATE_DIRECTORY, else ~/.local/state/gatehouse-kiosk-window)')
    .option('--wait <seconds>', 'how long to wait for the host to serve', String(DEFAULT_WAIT_SECONDS))
    .option('--window', 'a normal app window instead of the full-screen kiosk')
    .action(async (flags: KioskWindowFlags) => {
      const settings = kioskWindowSettings(flags);
      const display = displayOf(process.env);
      if (display === null) {
        throw new GatehouseError('HOST_NO_DISPLAY', 'There is no display: neither WAYLAND_DISPLAY nor DISPLAY is set. Run it inside the kiosk session (cage), as gatehouse-kiosk.service does.');
      }
      const executable = findChromium();
      if (!executable) {
        process.stderr.write('gatehouse: no Chromium found; install the Debian package "chromium" (or set GATEHOUSE_CHROMIUM).\n');
        process.exitCode = 1;
        return;
      }
      process.umask(0o077);
      const log = createLog('kiosk-window');
      const shutdown = new Shutdown(log);
      const pageKey = await waitForHost(settings, shutdown);
      if (pageKey === null) return;
      const window = await openKioskWindow({
        executable, pageUrl: () => mintPageAddress(pageKey), origin: pageKey.origin, profileFolder: settings.profileFolder,
        fullScreen: settings.fullScreen, display, log,
        onGone: (failed) => {
          if (failed) process.exitCode = 1;
          void shutdown.run();
        },
      });
      shutdown.add('chromium', () => window.stop());
      endWithTheHost(settings.pageKeyFile, pageKey, shutdown);
    });
}

/** The shared page key once its host answers on its origin; null when told to stop meanwhile. */
async function waitForHost({ pageKeyFile, waitMs }: KioskWindowSettings, shutdown: Shutdown): Promise<PageKey | null> {
  const giveUpAt = Date.now() + waitMs;
  let why = '';
  process.stderr.write(`gatehouse: waiting for the kiosk host to serve (${pageKeyFile}).\n`);
  while (!shutdown.requested) {
    try {
      const pageKey = readPageKey(pageKeyFile, (code) => `${pageKeyFile}: ${code}`);
      const answer = await fetch(new URL('/', pageKey.origin), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      if (answer.ok) return pageKey;
      why = `${pageKey.origin} answered ${answer.status}`;
    } catch (error) {
      why = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > giveUpAt) {
      throw new GatehouseError('HOST_NOT_SERVING',
        `The kiosk host did not serve within ${waitMs / 1000} s (last: ${why}). See "journalctl -u gatehouse.service" for why.`, { pageKeyFile });
    }
    await delay(POLL_MS);
  }
  return null;
}

/** Ends the window when the host it opened pages of goes away (its page key removed) or restarts (another key). */
function endWithTheHost(pageKeyFile: string, pageKey: PageKey, shutdown: Shutdown): void {
  const served = Buffer.from(pageKey.key);
  const check = () => {
    let current: PageKey | null = null;
    try {
      current = readPageKey(pageKeyFile, (code) => code);
    } catch {
      // Gone, or half-written by a host starting: either way not the host this window shows.
    }
    if (current !== null && current.origin === pageKey.origin && served.equals(Buffer.from(current.key))) return;
    process.stderr.write('gatehouse: the kiosk host stopped or restarted (its page key changed); closing the window so the session starts again on its new addresses.\n');
    void shutdown.run();
  };
  watchFile(pageKeyFile, { interval: WATCH_INTERVAL_MS }, check);
  shutdown.add('page key watch', () => unwatchFile(pageKeyFile, check));
}
