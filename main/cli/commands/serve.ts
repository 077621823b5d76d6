// `gatehouse serve`: run the kiosk under the browser host. Prints `ready <origin>` once
// the page and the RPC socket are served (no secret: a page is opened only through a
// one-time address), opens the system Chromium in kiosk mode with such an address unless
// --no-browser, and shuts down cleanly on SIGTERM/SIGINT. `--page-url` prints a fresh
// one-time address of the kiosk already serving from the data folder, for the same user.
// With no display to open Chromium on, it says so at once and serves without the window,
// or, with --require-display (a kiosk session's unit), exits with the reason. Simulators stand
// in for devices not set up only with --simulate, which the packaged service
// (GATEHOUSE_PACKAGED=1 in its unit's environment) refuses: a production kiosk never enrolls
// from simulated devices. Every end of
// Chromium is said on stderr with its reason and last stderr lines, logged and audited.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import type { Command } from 'commander';
import { GatehouseError } from '../../errors.js';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host.js';
import { appendAudit } from '../../audit/audit-log.js';
import { auditDetailsOf } from '../../host/chromium-exit.js';
import { findChromium } from '../../host/chromium-launcher.js';
import { openKioskWindow } from '../../host/kiosk-window.js';
import { mintPageUrl } from '../../host/page-key-file.js';
import type { SimulatedPortrait } from '../../devices/device-rig.js';
import { simulationOf } from '../../devices/simulation-request.js';
import type { Kiosk } from '../../kiosk/kiosk.js';
import { bootKiosk } from '../../kiosk/kiosk-boot.js';
import { projectRoot } from '../../kiosk/project-root.js';
import { createLog, type Log } from '../../log.js';
import { dataDirOf } from '../cli-context.js';
import { Shutdown } from '../../kiosk/shutdown.js';

interface ServeOptions {
  browser: boolean;
  port: string;
  window?: boolean;
  simulate?: boolean;
  simulatedReader?: string;
  simulatedChip?: boolean;
  simulatedPortrait?: string;
  pageUrl?: boolean;
  requireDisplay?: boolean;
  pageKeyFile?: string;
}

/** The display Chromium would open on: Wayland's or X's, or null on a headless machine. */
export function displayOf(env: NodeJS.ProcessEnv): string | null {
  if (env.WAYLAND_DISPLAY) return `Wayland ${env.WAYLAND_DISPLAY}`;
  if (env.DISPLAY) return `X ${env.DISPLAY}`;
  return null;
}

export function registerServeCommand(program: Command): void {
  program.command('serve')
    .description('serve the kiosk on 127.0.0.1 and open it in Chromium')
    .option('--no-browser', 'do not launch Chromium (print the URL only)')
    .option('--port <port>', 'TCP port on 127.0.0.1 (0 = any free port)', '0')
    .option('--window', 'open Chromium as a normal app window instead of full-screen kiosk')
    .option('--simulate', 'simulate the document reader and fingerprint module not set up (development, training; refused by the packaged service)')
    .option('--simulated-reader <kind>', 'with --simulate: the document reader to simulate, mrz (default) or cnid')
    .option('--simulated-chip', 'with --simulate: simulate a chip reader too (a private pcscd with a virtual reader) with chipped sample documents')
    .option('--simulated-portrait <file>', 'with --simulate: the JPEG portrait on the simulated chips (default: a generated one)')
    .option('--page-url', 'print a one-time address that opens a page of the kiosk already serving from this data folder, and exit')
    .option('--require-display', 'exit with the reason when there is no display for the kiosk window (instead of serving without it)')
    .option('--page-key-file <path>', 'also share the page key as PATH, 0640 for the group of its folder: the screen user of the kiosk session (gatehouse kiosk-window)')
    .action(async (options: ServeOptions, command: Command) => {
      if (options.pageUrl) {
        process.stdout.write(`${mintPageUrl(dataDirOf(command))}\n`);
        return;
      }
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new GatehouseError('CLI_INVALID_OPTIONS', `--port must be a whole number from 0 to 65535, not "${options.port}".`);
      }
      const simulation = simulationOf(options, process.env);
      const dataDir = dataDirOf(command);
      const display = options.browser ? displayOf(process.env) : null;
      if (options.browser && display === null) {
        const why = 'There is no display: neither WAYLAND_DISPLAY nor DISPLAY is set, so the kiosk window cannot open.';
        if (options.requireDisplay) {
          throw new GatehouseError('HOST_NO_DISPLAY', `${why} Start the kiosk in its session (cage, or a desktop), or serve without the window (--no-browser).`);
        }
        process.stderr.write(`gatehouse: ${why} Serving without it; open a page as this user with "gatehouse serve --page-url --data ${dataDir}".\n`);
      }
      // Everything the kiosk makes under its data folder (simulators' ptys and sockets included) is its user's alone.
      process.umask(0o077);
      const log = createLog('host');
      const shutdown = new Shutdown(log);
      const simulatedPortrait = options.simulatedPortrait ? await readPortrait(options.simulatedPortrait) : null;
      if (simulation.simulate) process.stderr.write('gatehouse: simulated devices stand in for the devices not set up (--simulate); never enroll people on this kiosk.\n');
      const booted = await bootKiosk({
        dataDir, host: 'browser', log, simulation: { ...simulation, simulatedPortrait },
        openScreens: (kiosk) => startBrowserHost({ kiosk, rendererDir: join(projectRoot, 'dist', 'renderer'), port, log, dataDir, pageKeyFile: options.pageKeyFile }),
      }, shutdown);
      if (booted === null) return;
      const { kiosk, screens: host } = booted;
      process.stdout.write(`ready ${host.origin}\n`);
      if (display !== null) await openBrowser(host, kiosk, dataDir, !options.window, log, shutdown, display);
    });
}

/** A JPEG for the simulated chips, with its size from its own header. */
async function readPortrait(path: string): Promise<SimulatedPortrait> {
  const image = new Uint8Array(await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new GatehouseError('CLI_FILE_UNREADABLE', `Cannot read ${path}: ${error.code ?? error.message}.`, { path });
  }));
  try {
    const { width, height } = jpeg.decode(image, { useTArray: true, maxMemoryUsageInMB: 256 });
    return { image, width, height };
  } catch {
    throw new GatehouseError('CLI_INVALID_OPTIONS', `--simulated-portrait must be a JPEG file; ${path} is not one.`, { path });
  }
}

/**
 * The kiosk window on this host's one-time addresses (kiosk-window.ts); each end of Chromium is
 * audited as well. Closing it ends the kiosk, and one that keeps crashing or cannot start ends it
 * with exit code 1.
 */
async function openBrowser(host: BrowserHost, kiosk: Kiosk, dataDir: string, fullScreen: boolean, log: Log, shutdown: Shutdown, display: string): Promise<void> {
  const executable = findChromium();
  if (!executable) {
    log.warn('no Chromium found; install the Debian package "chromium", or open a page with "gatehouse serve --page-url" as this user');
    return;
  }
  const window = await openKioskWindow({
    executable, pageUrl: () => host.pageUrl(), origin: host.origin, profileFolder: dataDir, fullScreen, display, log,
    onEnd: ({ exit, relaunched }) => appendAudit(kiosk.db, { actor: null, action: 'host.browser-exited', details: auditDetailsOf(exit, relaunched) }),
    onGone: (failed) => {
      if (failed) process.exitCode = 1;
      void shutdown.run();
    },
  });
  shutdown.add('chromium', () => window.stop());
}
