// Where the kiosk window goes on a bare X server. `--kiosk` asks the window manager to make
// the window full screen; with no window manager nobody answers and the window stays at
// Chromium's default (1050×780 at +10+10 on a 1280×800 Xvfb, Chromium 156). So on X without
// Wayland the kiosk places it itself, from the X screen's size as `xdpyinfo` (x11-utils)
// reports it: `--window-position=0,0 --window-size=W+1,H+1`, one pixel more each way because
// Chromium shrinks a window of exactly the screen's size by one pixel (1279×799), which left
// a dark line at the right and bottom edges. Under Wayland the compositor sizes the window
// (cage fills its output with it), so nothing is passed there.

import { execFile } from 'node:child_process';

export interface ScreenSize {
  width: number;
  height: number;
}

/** The size of screen `screen` (0 unless DISPLAY names another, as in ":0.1") in xdpyinfo's report. */
export function screenSizeFromXdpyinfo(report: string, screen = 0): ScreenSize | null {
  const sections = report.split(/^screen #(\d+):$/m);
  for (let i = 1; i + 1 < sections.length; i += 2) {
    if (Number(sections[i]) !== screen) continue;
    const match = /^\s*dimensions:\s+(\d+)x(\d+) pixels/m.exec(sections[i + 1]!);
    return match ? { width: Number(match[1]), height: Number(match[2]) } : null;
  }
  return null;
}

/** The screen number in an X DISPLAY such as ":0", ":1.0" or "host:0.1". */
export function screenNumberOf(display: string): number {
  return Number(/\.(\d+)$/.exec(display)?.[1] ?? 0);
}

/** True when the window opens on an X server with no Wayland compositor around it. */
export function isBareX(env: NodeJS.ProcessEnv): boolean {
  return !env.WAYLAND_DISPLAY && Boolean(env.DISPLAY);
}

export type XdpyinfoRunner = (display: string) => Promise<string>;

const runXdpyinfo: XdpyinfoRunner = (display) => new Promise((resolve, reject) => {
  execFile('xdpyinfo', ['-display', display], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
});

export type ScreenSizeAnswer = { size: ScreenSize } | { size: null; why: string };

/** The X screen's size, or why it is not known (no xdpyinfo, no answer from the server). */
export async function xScreenSize(display: string, run: XdpyinfoRunner = runXdpyinfo): Promise<ScreenSizeAnswer> {
  let report: string;
  try {
    report = await run(display);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { size: null, why: code === 'ENOENT' ? 'xdpyinfo is not installed (Debian package x11-utils)' : `xdpyinfo failed: ${(error as Error).message}` };
  }
  const size = screenSizeFromXdpyinfo(report, screenNumberOf(display));
  return size ? { size } : { size: null, why: `xdpyinfo reported no size for screen ${screenNumberOf(display)}` };
}

/** Chromium's arguments that make its window cover a screen of `size`. */
export function windowGeometryArgs(size: ScreenSize): string[] {
  return ['--window-position=0,0', `--window-size=${size.width + 1},${size.height + 1}`];
}
