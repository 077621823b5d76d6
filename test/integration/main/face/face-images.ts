// Real face images for the face tests, read in place from the development face set, and the
// RGBA transforms that give answers known in advance (rotation, blur, darkening, mirroring).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultFacesDir } from '../../../../tools/face/calibration.js';
import { cropPadded, decodeImage, resizeBilinear, type Rect, type RgbaImage } from '../../../../main/face/rgba-image.js';

export const FACES_DIR = defaultFacesDir();
export const HAVE_FACES = existsSync(join(FACES_DIR, 'identities'));
export const NO_FACES_MESSAGE = `face images not found at ${FACES_DIR} (set GATEHOUSE_FACES_DIR): skipping the tests that need real faces`;
if (!HAVE_FACES) console.warn(NO_FACES_MESSAGE);

export function faceFile(relative: string): string {
  return join(FACES_DIR, relative);
}

export function loadFace(relative: string): RgbaImage {
  return decodeImage(readFileSync(faceFile(relative)));
}

/** `region` of the image scaled to a 640×480 camera frame. */
export function cameraFrame(image: RgbaImage, region: Rect): RgbaImage {
  return resizeBilinear(cropPadded(image, region), 640, 480);
}

function sample(image: RgbaImage, x: number, y: number, channel: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (px: number, py: number): number => {
    if (px < 0 || py < 0 || px >= image.width || py >= image.height) return 128;
    return image.data[(py * image.width + px) * 4 + channel];
  };
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** The picture turned counter-clockwise (as seen on screen) by `degrees` about its centre. */
export function rotate(image: RgbaImage, degrees: number): RgbaImage {
  const angle = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const [cx, cy] = [(image.width - 1) / 2, (image.height - 1) / 2];
  const data = new Uint8Array(image.data.length);
  for (let v = 0; v < image.height; v++) {
    for (let u = 0; u < image.width; u++) {
      const [du, dv] = [u - cx, v - cy];
      const x = cx + du * cos - dv * sin;
      const y = cy + du * sin + dv * cos;
      for (let c = 0; c < 4; c++) data[(v * image.width + u) * 4 + c] = Math.round(sample(image, x, y, c));
    }
  }
  return { width: image.width, height: image.height, data };
}

export function mirror(image: RgbaImage): RgbaImage {
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const from = (y * image.width + x) * 4;
      data.set(image.data.subarray(from, from + 4), (y * image.width + image.width - 1 - x) * 4);
    }
  }
  return { width: image.width, height: image.height, data };
}

/** Separable Gaussian blur. */
export function blur(image: RgbaImage, sigma: number): RgbaImage {
  const radius = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const pass = (source: RgbaImage, dx: number, dy: number): RgbaImage => {
    const data = new Uint8Array(source.data.length);
    for (let y = 0; y < source.height; y++) {
      for (let x = 0; x < source.width; x++) {
        for (let c = 0; c < 4; c++) {
          let sum = 0;
          for (let k = -radius; k <= radius; k++) {
            const sx = Math.min(source.width - 1, Math.max(0, x + k * dx));
            const sy = Math.min(source.height - 1, Math.max(0, y + k * dy));
            sum += kernel[k + radius] * source.data[(sy * source.width + sx) * 4 + c];
          }
          data[(y * source.width + x) * 4 + c] = Math.round(sum / total);
        }
      }
    }
    return { width: source.width, height: source.height, data };
  };
  return pass(pass(image, 1, 0), 0, 1);
}

/** Multiplies the colour of the pixels whose column `where(x)` accepts by `factor`. */
export function darken(image: RgbaImage, factor: number, where: (x: number) => boolean = () => true): RgbaImage {
  const data = new Uint8Array(image.data);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (!where(x)) continue;
      const p = (y * image.width + x) * 4;
      for (let c = 0; c < 3; c++) data[p + c] = Math.round(data[p + c] * factor);
    }
  }
  return { width: image.width, height: image.height, data };
}
