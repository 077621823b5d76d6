// The kiosk window: the system Chromium on one-time page addresses (full screen unless asked
// otherwise), launched again after a crash, every end said on stderr with its reason and
// Chromium's last lines. `gatehouse serve` opens it for its own host; `gatehouse kiosk-window`
// opens it as the screen user of the kiosk session (cage), from the page key the host shares.

import { launchChromium } from './chromium-launcher.js';
import { describeChromiumExit } from './chromium-exit.js';
import { superviseChromium, type ChromiumEnd } from './chromium-supervisor.js';
import { isBareX, xScreenSize, type ScreenSize } from './kiosk-window-geometry.js';
import type { Log } from '../log.js';

export interface KioskWindowOptions {
  /** The Chromium to run (findChromium). */
  executable: string;
  /** A fresh one-time page address; asked again for every launch. */
  pageUrl(): string;
  /** The kiosk's origin, the only one allowed the camera. */
  origin: string;
  /** The folder whose `chromium-profile` Chromium keeps its profile in. */
  profileFolder: string;
  /** false: a normal app window (development) instead of the full-screen kiosk. */
  fullScreen: boolean;
  /** The display it opens on, for the log ("Wayland wayland-0", "X :1"). */
  display: string;
  log: Log;
  /** After each end is said on stderr (serve audits it as well). */
  onEnd?(end: ChromiumEnd): void;
  /** Chromium is gone for good: closed (failed false), or crashing again and again or not starting (true). */
  onGone(failed: boolean): void;
}

export interface KioskWindow {
  /** Ends Chromium without reporting it. */
  stop(): void;
}

export async function openKioskWindow(options: KioskWindowOptions): Promise<KioskWindow> {
  const { executable, pageUrl, origin, profileFolder, fullScreen, display, log, onEnd, onGone } = options;
  const screen = fullScreen && isBareX(process.env) ? await bareXScreen(process.env.DISPLAY!, log) : null;
  log.info('launching Chromium', { executable, kiosk: fullScreen, display, screen });
  return superviseChromium({
    launch: () => launchChromium(executable, { url: pageUrl(), origin, dataDir: profileFolder, kiosk: fullScreen, screen, asRoot: process.getuid?.() === 0 }),
    onEnd: (end) => {
      sayChromiumEnd(end);
      onEnd?.(end);
    },
    onGone,
    log,
  });
}

/** The X screen's size, so the window can cover it where no window manager will; null (said in the log) when unknown. */
async function bareXScreen(display: string, log: Log): Promise<ScreenSize | null> {
  const answer = await xScreenSize(display);
  if (answer.size === null) log.warn('the X screen\'s size is unknown, so the kiosk window may not fill it (no window manager does it here)', { why: answer.why });
  return answer.size;
}

/** One end of Chromium on stderr (the journal under systemd): its reason, what happens next, its last lines. */
function sayChromiumEnd({ exit, relaunched, lastLines }: ChromiumEnd): void {
  const next = relaunched ? 'Launching it again with a fresh page address.' : 'Stopping the kiosk.';
  const said = lastLines.length > 0 ? `gatehouse: Chromium's last lines on stderr:\n${lastLines.map((line) => `  | ${line}\n`).join('')}` : '';
  process.stderr.write(`gatehouse: ${describeChromiumExit(exit)} ${next}\n${said}`);
}
