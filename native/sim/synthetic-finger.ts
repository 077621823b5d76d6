// Synthetic fingerprints for the simulated sensor: each virtual finger (a seed) has its
// own ridge pattern — loop, whorl or arch around a core, ~9 px ridge period, warped
// ridges, an elliptical contact area — and each impression shifts, turns and presses it
// a little differently and adds sensor noise. Deterministic: same seed and impression,
// same pixels.

import type { GreyImage } from '../fingerprint/finger-image.js';
import { R30X_IMAGE_HEIGHT, R30X_IMAGE_WIDTH } from '../fingerprint/r30x-protocol.js';

/** A small deterministic generator (xorshift32 over a mixed seed); returns [0, 1). */
export function seededRandom(...seeds: number[]): () => number {
  let state = 0x9e3779b9;
  for (const seed of seeds) state = Math.imul(state ^ (seed >>> 0), 0x85ebca6b) ^ 0xc2b2ae35;
  state ||= 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

type Pattern = 'loop' | 'whorl' | 'arch';

interface FingerShape {
  pattern: Pattern;
  core: { x: number; y: number };
  /** Direction the loop opens towards (radians, y down). */
  loopDirection: number;
  period: number;
  warps: { amplitude: number; frequency: number; phase: number }[];
  mask: { x: number; y: number; a: number; b: number };
  ridgeGrey: number;
  valleyGrey: number;
}

export interface SyntheticImpression {
  dx: number;
  dy: number;
  /** Radians. */
  rotation: number;
  /** 1 = normal; more widens ridges and contact area. */
  pressure: number;
}

const BACKGROUND_GREY = 238;
const SENSOR_NOISE = 10;

function fingerShape(seed: number): FingerShape {
  const random = seededRandom(seed, 0x51f1);
  const between = (min: number, max: number) => min + (max - min) * random();
  const roll = random();
  const pattern: Pattern = roll < 0.6 ? 'loop' : roll < 0.9 ? 'whorl' : 'arch';
  const loopTowardsLeft = random() < 0.5;
  return {
    pattern,
    core: { x: between(100, 156), y: between(110, 160) },
    loopDirection: loopTowardsLeft ? between(1.9, 2.3) : between(0.85, 1.25),
    period: between(8.5, 9.8),
    warps: Array.from({ length: 4 }, () => ({
      amplitude: between(1.5, 5), frequency: (2 * Math.PI) / between(45, 130), phase: between(0, 2 * Math.PI),
    })),
    mask: { x: between(120, 136), y: between(140, 156), a: between(92, 112), b: between(118, 136) },
    ridgeGrey: between(30, 70),
    valleyGrey: between(195, 220),
  };
}

/** Placement of impression `n` of a finger; impression 0 is the finger placed squarely. */
export function syntheticImpression(seed: number, impression: number): SyntheticImpression {
  if (impression === 0) return { dx: 0, dy: 0, rotation: 0, pressure: 1 };
  const random = seededRandom(seed, impression, 0x1a7e);
  const between = (min: number, max: number) => min + (max - min) * random();
  return { dx: between(-10, 10), dy: between(-10, 10), rotation: between(-0.1, 0.1), pressure: between(0.85, 1.15) };
}

/** Distance-like ridge function whose level lines are the ridges. */
function ridgeField(shape: FingerShape, u: number, v: number): number {
  const px = u - shape.core.x;
  const py = v - shape.core.y;
  switch (shape.pattern) {
    case 'whorl':
      return Math.hypot(px * 0.9, py);
    case 'arch':
      return py + 28 * Math.exp(-((px / 70) ** 2));
    case 'loop': {
      const dirX = Math.cos(shape.loopDirection);
      const dirY = Math.sin(shape.loopDirection);
      const along = Math.max(0, px * dirX + py * dirY);
      return Math.hypot(px - along * dirX, py - along * dirY);
    }
  }
}

export function renderSyntheticFinger(seed: number, impression = 0): GreyImage {
  const shape = fingerShape(seed);
  const { dx, dy, rotation, pressure } = syntheticImpression(seed, impression);
  const noise = seededRandom(seed, impression, 0x7015e);
  const width = R30X_IMAGE_WIDTH;
  const height = R30X_IMAGE_HEIGHT;
  const pixels = new Uint8Array(width * height);
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const cx = width / 2;
  const cy = height / 2;
  const contact = 0.9 + 0.1 * pressure;
  const { mask } = shape;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Sensor → finger coordinates: undo the impression's shift and turn.
      const sx = x - cx - dx;
      const sy = y - cy - dy;
      const u = cos * sx + sin * sy + cx;
      const v = -sin * sx + cos * sy + cy;
      const radius = ((u - mask.x) / (mask.a * contact)) ** 2 + ((v - mask.y) / (mask.b * contact)) ** 2;
      const inside = Math.min(1, Math.max(0, (1 - radius) / 0.12));
      let grey = BACKGROUND_GREY;
      if (inside > 0) {
        let wu = u;
        let wv = v;
        for (const [i, w] of shape.warps.entries()) {
          if (i % 2 === 0) wu += w.amplitude * Math.sin(w.frequency * v + w.phase);
          else wv += w.amplitude * Math.sin(w.frequency * u + w.phase);
        }
        const wave = Math.cos((2 * Math.PI * ridgeField(shape, wu, wv)) / shape.period);
        const ridge = Math.min(1, Math.max(0, 0.5 + 0.8 * wave + 0.9 * (pressure - 1)));
        const finger = shape.valleyGrey - (shape.valleyGrey - shape.ridgeGrey) * ridge;
        grey = BACKGROUND_GREY + (finger - BACKGROUND_GREY) * inside;
      }
      grey += (noise() - 0.5) * 2 * SENSOR_NOISE;
      pixels[y * width + x] = Math.min(255, Math.max(0, Math.round(grey)));
    }
  }
  return { width, height, pixels };
}
