// Looking at the kiosk window on a real screen (Xvfb, or cage's XWayland): waiting for it, finding
// it in `xwininfo -root -tree`, knowing when its page has drawn and settled, and whether the page
// reaches every edge. Shared by the kiosk-window and kiosk-session tests.

import { setTimeout as delay } from 'node:timers/promises';
import type { ScreenImage } from './xwd-image.js';

/** The ink of the kiosk header, which fills the top left corner once the first screen has drawn. */
export const HEADER_INK: [number, number, number] = [0x14, 0x20, 0x2b];

/** Waits for `probe` to answer something other than null, checking again every 200 ms. */
export async function until<T>(what: string, probe: () => T | null, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const answer = probe();
    if (answer !== null) return answer;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await delay(200);
  }
}

/** The kiosk window in the report of `xwininfo -root -tree`: named by the page's title, Chromium's class. */
export function kioskWindow(tree: string): { id: string; x: number; y: number; width: number; height: number } | null {
  const match = /^\s+(0x[0-9a-f]+) "Gatehouse": \("[^"]*" "Chromium"\)\s+(\d+)x(\d+)\+(-?\d+)\+(-?\d+)/m.exec(tree);
  return match ? { id: match[1]!, width: Number(match[2]), height: Number(match[3]), x: Number(match[4]), y: Number(match[5]) } : null;
}

/**
 * A probe for `until`: the screen once the kiosk page is drawn and has settled, that is its
 * header's ink in the top left corner and the same picture twice in a row (not a frame in the
 * middle of Chromium resizing its window).
 */
export function drawnPage(capture: () => ScreenImage | null): () => ScreenImage | null {
  let previous: ScreenImage | null = null;
  return () => {
    const shot = capture();
    const settled = shot !== null && previous !== null && shot.sameAs(previous) && shot.pixel(0, 0).join() === HEADER_INK.join();
    previous = shot;
    return settled ? shot : null;
  };
}

/** Edge pixels that are the bare root's black: where the kiosk's page does not reach. */
export function uncoveredEdgePixels(image: ScreenImage): number {
  let uncovered = 0;
  const check = (x: number, y: number) => {
    if (image.pixel(x, y).every((channel) => channel === 0)) uncovered += 1;
  };
  for (let x = 0; x < image.width; x += 1) { check(x, 0); check(x, image.height - 1); }
  for (let y = 0; y < image.height; y += 1) { check(0, y); check(image.width - 1, y); }
  return uncovered;
}
