// Finger images as the kiosk keeps them: 8-bit greyscale pixels, converted from the
// module's 4-bit UpImage format (high nibble first, grey = nibble × 17) and to/from PNG.

import { PNG } from 'pngjs';
import { DeviceError } from '../device-error.js';
import { R30X_IMAGE_BYTES, R30X_IMAGE_HEIGHT, R30X_IMAGE_WIDTH } from './r30x-protocol.js';

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, row by row, 0 black … 255 white. */
  pixels: Uint8Array;
}

const NIBBLE_TO_GREY = 17;

/** UpImage bytes → 256 × 288 8-bit grey. */
export function unpackR30xImage(packed: Uint8Array): GreyImage {
  if (packed.length !== R30X_IMAGE_BYTES) {
    throw new DeviceError('R30X_BAD_IMAGE',
      `A fingerprint reader image has ${R30X_IMAGE_BYTES} bytes, not ${packed.length} — capture the finger again.`,
      { length: packed.length });
  }
  const pixels = new Uint8Array(packed.length * 2);
  packed.forEach((byte, i) => {
    pixels[2 * i] = (byte >> 4) * NIBBLE_TO_GREY;
    pixels[2 * i + 1] = (byte & 0x0f) * NIBBLE_TO_GREY;
  });
  return { width: R30X_IMAGE_WIDTH, height: R30X_IMAGE_HEIGHT, pixels };
}

/** 256 × 288 8-bit grey → the module's 4-bit format (nearest nibble), as a sensor would deliver it. */
export function packR30xImage(image: GreyImage): Uint8Array {
  if (image.width !== R30X_IMAGE_WIDTH || image.height !== R30X_IMAGE_HEIGHT) {
    throw new DeviceError('R30X_BAD_IMAGE', `A fingerprint reader image is ${R30X_IMAGE_WIDTH} × ${R30X_IMAGE_HEIGHT} pixels.`,
      { width: image.width, height: image.height });
  }
  const packed = new Uint8Array(R30X_IMAGE_BYTES);
  const nibble = (grey: number) => Math.round(grey / NIBBLE_TO_GREY);
  for (let i = 0; i < packed.length; i++) {
    packed[i] = (nibble(image.pixels[2 * i]!) << 4) | nibble(image.pixels[2 * i + 1]!);
  }
  return packed;
}

export function encodeGreyPng(image: GreyImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 }));
}

/** Any PNG → 8-bit grey (a colour PNG is reduced to the mean of R, G and B). */
export function decodeGreyPng(bytes: Uint8Array): GreyImage {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new DeviceError('FINGER_IMAGE_BAD_PNG', 'The stored finger image is not a readable PNG — capture the finger again.',
      { cause: (error as Error).message });
  }
  const pixels = new Uint8Array(png.width * png.height);
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = Math.round((png.data[4 * i]! + png.data[4 * i + 1]! + png.data[4 * i + 2]!) / 3);
  }
  return { width: png.width, height: png.height, pixels };
}
