// Reads the frame buffer Xvfb keeps in a file (`Xvfb -fbdir DIR` writes DIR/Xvfb_screen0 in
// X Window Dump format and keeps it current), so a test can look at a bare X server's screen
// without a screenshot tool: the pixel at a point, and the screen saved as a PNG.

import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

export interface ScreenImage {
  width: number;
  height: number;
  /** [red, green, blue] of the pixel at (x, y). */
  pixel(x: number, y: number): [number, number, number];
  /** The same picture, pixel for pixel. */
  sameAs(other: ScreenImage): boolean;
  savePng(path: string): void;
}

const XWD_VERSION = 7;
const Z_PIXMAP = 2;

/** The screen in an XWD file of 32 bits per pixel (what Xvfb writes for depth 24). */
export function readXwd(path: string): ScreenImage {
  const file = readFileSync(path);
  const field = (index: number) => file.readUInt32BE(index * 4);
  const [headerSize, version, format] = [field(0), field(1), field(2)];
  const [width, height, byteOrder, bitsPerPixel, bytesPerLine] = [field(4), field(5), field(7), field(11), field(12)];
  const colours = field(19);
  if (version !== XWD_VERSION || format !== Z_PIXMAP || bitsPerPixel !== 32) {
    throw new Error(`${path}: not a 32-bit ZPixmap XWD file (version ${version}, format ${format}, ${bitsPerPixel} bits per pixel)`);
  }
  const pixels = headerSize + colours * 12;
  // Masks are ff0000/00ff00/0000ff: in LSB-first order a pixel's bytes are blue, green, red, unused.
  const pixel = (x: number, y: number): [number, number, number] => {
    const at = pixels + y * bytesPerLine + x * 4;
    return byteOrder === 0 ? [file[at + 2]!, file[at + 1]!, file[at]!] : [file[at + 1]!, file[at + 2]!, file[at + 3]!];
  };
  const image: ScreenImage & { pixelBytes: Buffer } = {
    width,
    height,
    pixel,
    pixelBytes: file.subarray(pixels),
    sameAs(other) {
      return other.width === width && other.height === height && 'pixelBytes' in other && (other.pixelBytes as Buffer).equals(image.pixelBytes);
    },
    savePng(target) {
      const png = new PNG({ width, height });
      for (let y = 0; y < height; y += 1) {
        for (let x = 0; x < width; x += 1) {
          const [r, g, b] = pixel(x, y);
          png.data.set([r, g, b, 255], (y * width + x) * 4);
        }
      }
      writeFileSync(target, PNG.sync.write(png));
    },
  };
  return image;
}
