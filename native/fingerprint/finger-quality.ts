// A quality estimate for a captured finger image, in the spirit of NFIQ 2 (block-wise
// local features combined into 0–100) but not NFIQ 2: it is not the certified algorithm
// and its numbers are not NFIQ 2 scores. It is for "retry this capture?" decisions.

import type { GreyImage } from './finger-image.js';

export const FINGER_QUALITY_METHOD = 'NFIQ 2-style estimate, not a certified NFIQ 2 score';

export interface FingerQualityEstimate {
  method: typeof FINGER_QUALITY_METHOD;
  /** 0 (unusable) … 100 (excellent). */
  score: number;
  /** Each 0…1. */
  components: {
    /** Grey-level spread between ridges and valleys inside the finger. */
    contrast: number;
    /** Ridge clarity: how consistently ridges run one way inside each block (structure tensor coherence). */
    orientationCoherence: number;
    /** Share of the image with a finger and clear ridges, against a well-placed finger's share. */
    usableArea: number;
  };
}

const BLOCK = 16;
/** A block whose grey levels spread less than this (σ, 0–255) holds no finger. */
const FOREGROUND_MIN_STD = 12;
/** σ at which ridge/valley contrast counts as full. */
const FULL_CONTRAST_STD = 45;
/** Coherence a block needs to count as usable ridge area. */
const USABLE_MIN_COHERENCE = 0.5;
/** Usable share of the image a squarely placed finger reaches on a 256 × 288 sensor. */
const FULL_AREA_SHARE = 0.5;
const WEIGHTS = { contrast: 0.25, orientationCoherence: 0.4, usableArea: 0.35 };

export function estimateFingerQuality(image: GreyImage): FingerQualityEstimate {
  const { gx, gy } = sobel(image);
  const blocksX = Math.floor(image.width / BLOCK);
  const blocksY = Math.floor(image.height / BLOCK);
  let foreground = 0;
  let usable = 0;
  let contrastSum = 0;
  let coherenceSum = 0;
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      const block = blockFeatures(image, gx, gy, bx * BLOCK, by * BLOCK);
      if (block.std < FOREGROUND_MIN_STD) continue;
      foreground++;
      contrastSum += Math.min(1, block.std / FULL_CONTRAST_STD);
      coherenceSum += block.coherence;
      if (block.coherence >= USABLE_MIN_COHERENCE) usable++;
    }
  }
  const components = {
    contrast: foreground ? contrastSum / foreground : 0,
    orientationCoherence: foreground ? coherenceSum / foreground : 0,
    usableArea: Math.min(1, usable / (blocksX * blocksY) / FULL_AREA_SHARE),
  };
  const score = Math.round(100 * (WEIGHTS.contrast * components.contrast
    + WEIGHTS.orientationCoherence * components.orientationCoherence
    + WEIGHTS.usableArea * components.usableArea));
  return { method: FINGER_QUALITY_METHOD, score, components };
}

function blockFeatures(image: GreyImage, gx: Float32Array, gy: Float32Array, x0: number, y0: number) {
  let sum = 0;
  let sumSquares = 0;
  let gxx = 0;
  let gyy = 0;
  let gxy = 0;
  for (let y = y0; y < y0 + BLOCK; y++) {
    for (let x = x0; x < x0 + BLOCK; x++) {
      const i = y * image.width + x;
      const grey = image.pixels[i]!;
      sum += grey;
      sumSquares += grey * grey;
      gxx += gx[i]! * gx[i]!;
      gyy += gy[i]! * gy[i]!;
      gxy += gx[i]! * gy[i]!;
    }
  }
  const n = BLOCK * BLOCK;
  const mean = sum / n;
  const energy = gxx + gyy;
  return {
    std: Math.sqrt(Math.max(0, sumSquares / n - mean * mean)),
    coherence: energy > 0 ? Math.sqrt((gxx - gyy) ** 2 + 4 * gxy * gxy) / energy : 0,
  };
}

/** Sobel gradients; border pixels get zero. */
function sobel({ width, height, pixels }: GreyImage): { gx: Float32Array; gy: Float32Array } {
  const gx = new Float32Array(width * height);
  const gy = new Float32Array(width * height);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const p = (dx: number, dy: number) => pixels[(y + dy) * width + x + dx]!;
      const i = y * width + x;
      gx[i] = p(1, -1) + 2 * p(1, 0) + p(1, 1) - p(-1, -1) - 2 * p(-1, 0) - p(-1, 1);
      gy[i] = p(-1, 1) + 2 * p(0, 1) + p(1, 1) - p(-1, -1) - 2 * p(0, -1) - p(1, -1);
    }
  }
  return { gx, gy };
}
