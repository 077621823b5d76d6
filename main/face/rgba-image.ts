// Images as the face code sees them: decoded RGBA pixels (from JPEG, PNG or a raw camera
// frame) and the few geometric operations the pipeline needs, in plain TypeScript. JPEG is
// decoded by libjpeg-turbo (jpeg-decoder.ts), PNG by pngjs.
import { PNG } from 'pngjs';
import { GatehouseError } from '../errors.js';
import { decodeJpeg } from './jpeg-decoder.js';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes, row by row. */
  readonly data: Uint8Array | Uint8ClampedArray;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Larger images are refused before decoding. */
const MAX_PIXELS = 40_000_000;

function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Decodes JPEG or PNG bytes (told apart by their signature, not a file name). */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  const format = isPng(bytes) ? 'PNG' : isJpeg(bytes) ? 'JPEG' : null;
  if (!format) {
    throw new GatehouseError('FACE_IMAGE_UNSUPPORTED', 'The image is neither JPEG nor PNG.', { bytes: bytes.length });
  }
  return format === 'JPEG' ? decodeJpeg(bytes, { maxPixels: MAX_PIXELS }) : decodePng(bytes);
}

function decodePng(bytes: Uint8Array): RgbaImage {
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: png.data };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new GatehouseError('FACE_IMAGE_UNREADABLE', `The PNG image cannot be decoded: ${reason}.`, { format: 'PNG', bytes: bytes.length });
  }
}

export function checkRgba(image: RgbaImage): RgbaImage {
  const valid = Number.isInteger(image.width) && Number.isInteger(image.height) && image.width > 0 && image.height > 0;
  if (!valid || image.data.length !== image.width * image.height * 4) {
    throw new GatehouseError('FACE_IMAGE_UNREADABLE', 'The raw frame is not width × height × 4 RGBA bytes.', {
      width: image.width,
      height: image.height,
      bytes: image.data.length,
    });
  }
  return image;
}

/** The pixels of `rect` (rounded), where parts outside the image are filled with mid grey. */
export function cropPadded(image: RgbaImage, rect: Rect): RgbaImage {
  const left = Math.round(rect.x);
  const top = Math.round(rect.y);
  const width = Math.max(1, Math.round(rect.width));
  const height = Math.max(1, Math.round(rect.height));
  const data = new Uint8Array(width * height * 4).fill(128);
  for (let y = 0; y < height; y++) {
    const sourceY = top + y;
    if (sourceY < 0 || sourceY >= image.height) continue;
    const from = Math.max(0, -left);
    const to = Math.min(width, image.width - left);
    if (to <= from) continue;
    const sourceStart = (sourceY * image.width + left + from) * 4;
    data.set(image.data.subarray(sourceStart, sourceStart + (to - from) * 4), (y * width + from) * 4);
  }
  return { width, height, data };
}

/** Bilinear resampling to `width` × `height`. */
export function resizeBilinear(image: RgbaImage, width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  const scaleX = image.width / width;
  const scaleY = image.height / height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, (y + 0.5) * scaleY - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, (x + 0.5) * scaleX - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const fx = sx - x0;
      const a = (y0 * image.width + x0) * 4;
      const b = (y0 * image.width + x1) * 4;
      const c = (y1 * image.width + x0) * 4;
      const d = (y1 * image.width + x1) * 4;
      for (let k = 0; k < 4; k++) {
        const top = image.data[a + k] * (1 - fx) + image.data[b + k] * fx;
        const bottom = image.data[c + k] * (1 - fx) + image.data[d + k] * fx;
        data[(y * width + x) * 4 + k] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, data };
}

/** The image's red, green and blue as int32 (height × width × 3), the tensor face-api takes; `channels` per pixel in `data` (3 or 4). */
export function rgbInt32(data: ArrayLike<number>, width: number, height: number, channels: 3 | 4 = 4): Int32Array {
  const rgb = new Int32Array(width * height * 3);
  for (let i = 0, p = 0; i < rgb.length; i += 3, p += channels) {
    rgb[i] = data[p]!;
    rgb[i + 1] = data[p + 1]!;
    rgb[i + 2] = data[p + 2]!;
  }
  return rgb;
}

/** Rec. 601 luma of each pixel, 0–255. */
export function toGray(image: RgbaImage): Float32Array {
  const gray = new Float32Array(image.width * image.height);
  for (let i = 0, p = 0; i < gray.length; i++, p += 4) {
    gray[i] = 0.299 * image.data[p] + 0.587 * image.data[p + 1] + 0.114 * image.data[p + 2];
  }
  return gray;
}
