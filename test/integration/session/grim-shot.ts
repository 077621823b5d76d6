// What grim takes of cage's headless output, for the root tests that run the kiosk session. Its
// size is the output's, but its picture is not the kiosk window's: cage 0.1.4 shows a window that
// covers its output exactly by direct scan-out, and for the frame grim copies it draws into its own
// buffer only what changed since the frame before (wlroots 0.15.1), so grim gets the last frame
// cage drew itself, black here (docs/DEPLOY.md, "The package test and the kiosk screenshot"). The
// tests take the window from XWayland with xwd instead, and check grim's picture as the page only
// when it is not one colour (a cage that composites the window).

import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import type { ScreenImage } from '../../e2e/support/xwd-image.js';

/** A PNG that grim wrote, as a screen image. */
export function readGrimShot(path: string): ScreenImage & { uniform: boolean } {
  const png = PNG.sync.read(readFileSync(path));
  const { width, height, data } = png;
  const first = data.readUInt32BE(0);
  let uniform = true;
  for (let at = 4; at < data.length && uniform; at += 4) uniform = data.readUInt32BE(at) === first;
  return {
    width,
    height,
    uniform,
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
