// What grim takes of cage's headless output, for the root tests that run the kiosk session, and the
// screen recorder that makes it the kiosk window's picture. cage 0.1.4 shows a window that covers its
// output exactly by direct scan-out; for the frame grim copies, wlroots 0.15.1 makes cage draw into
// its own buffer only what changed since that buffer was last drawn, so a window cage never drew
// comes out as cage's last own frame, black (docs/DEPLOY.md, "The package test and the kiosk
// screenshot"). While a screencopy client waits for frames (wf-recorder), wlroots refuses scan-out
// and cage draws every frame itself. Started before the window opens, it keeps cage's buffer the
// window's, so grim's picture is the page.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { until } from '../../e2e/support/kiosk-screen.js';
import type { ScreenImage } from '../../e2e/support/xwd-image.js';

/** A PNG that grim wrote, as a screen image. */
export function readGrimShot(path: string): ScreenImage {
  const png = PNG.sync.read(readFileSync(path));
  const { width, height, data } = png;
  return {
    width,
    height,
    pixel(x, y) {
      const at = (y * width + x) * 4;
      return [data[at]!, data[at + 1]!, data[at + 2]!];
    },
    sameAs(other) {
      if (other.width !== width || other.height !== height) return false;
      for (let y = 0; y < height; y += 1) {
        for (let x = 0; x < width; x += 1) if (other.pixel(x, y).join() !== this.pixel(x, y).join()) return false;
      }
      return true;
    },
    savePng(target) {
      writeFileSync(target, PNG.sync.write(png));
    },
  };
}

/**
 * Starts wf-recorder on cage's output as the screen user once cage's Wayland socket is in `runtimeDir`
 * (call it right after starting `cage`, before the kiosk window opens). Its frames are thrown away
 * (ffmpeg's null muxer). Stop it after grim (runuser passes SIGTERM on; it ends with cage too).
 */
export async function recordCageOutput(cage: ChildProcess, user: string, runtimeDir: string): Promise<{ stop: () => Promise<void>; output: () => string }> {
  await until('cage\'s Wayland socket', () => {
    if (cage.exitCode !== null || cage.signalCode !== null) throw new Error(`cage ended (${cage.exitCode ?? cage.signalCode}) before its Wayland socket appeared`);
    return existsSync(join(runtimeDir, 'wayland-0')) ? true : null;
  }, 120_000);
  const recorder: ChildProcess = spawn('runuser', ['-u', user, '--', 'env', `XDG_RUNTIME_DIR=${runtimeDir}`, 'WAYLAND_DISPLAY=wayland-0',
    'wf-recorder', '-m', 'null', '-f', join(runtimeDir, 'discarded-recording')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  recorder.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  const exited = new Promise<void>((resolve) => recorder.once('exit', () => resolve()));
  return {
    output: () => output,
    async stop() {
      if (recorder.exitCode === null && recorder.signalCode === null) recorder.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Takes the window (xwd) and the output (grim) until both pictures are the same, for at most
 * `limitMs`; the last pair and whether they agreed.
 */
export async function windowAndOutput(take: { window: () => ScreenImage | null; output: () => ScreenImage | null }, limitMs = 60_000): Promise<{ window: ScreenImage | null; output: ScreenImage | null; same: boolean }> {
  let last = { window: null as ScreenImage | null, output: null as ScreenImage | null, same: false };
  await until('the same picture from grim and xwd', () => {
    const window = take.window();
    const output = take.output();
    last = { window, output, same: window !== null && output !== null && output.sameAs(window) };
    return last.same ? true : null;
  }, limitMs).catch(() => undefined);
  return last;
}
