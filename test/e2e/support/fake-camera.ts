// Makes a Y4M video from a face photo for Chromium's fake camera
// (--use-file-for-fake-video-capture): the photo cut to 640×480 and repeated, as a
// person standing still in front of the kiosk would look.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultFacesDir } from '../../../tools/face/calibration.js';
import { cropPadded, decodeImage, resizeBilinear, type Rect, type RgbaImage } from '../../../main/face/rgba-image.js';

const WIDTH = 640;
const HEIGHT = 480;

/** I420 (4:2:0) planes of an RGBA image, BT.601 full range as Y4M's C420jpeg expects. */
function toI420({ width, height, data }: RgbaImage): Buffer {
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  for (let row = 0; row < height; row += 1) {
    for (let col = 0; col < width; col += 1) {
      const i = (row * width + col) * 4;
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      y[row * width + col] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      if (row % 2 === 0 && col % 2 === 0) {
        const c = (row / 2) * (width / 2) + col / 2;
        u[c] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
        v[c] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
      }
    }
  }
  return Buffer.concat([y, u, v]);
}

/** The development face photo, or null (with the folder to name) when the set is absent. */
export function facePhotoPath(): string | null {
  const path = join(defaultFacesDir(), 'identities', 'obama', 'obama3.jpg');
  return existsSync(path) ? path : null;
}

/** Writes `frames` identical frames of the photo's face region to `file`. */
export function writeFakeCameraVideo(photo: string, file: string, region: Rect, frames = 10): string {
  const frame = toI420(resizeBilinear(cropPadded(decodeImage(readFileSync(photo)), region), WIDTH, HEIGHT));
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
  const parts: Buffer[] = [header];
  for (let i = 0; i < frames; i += 1) parts.push(Buffer.from('FRAME\n'), frame);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}
