// The simulated module's character files and templates. Real ones are vendor-secret
// minutiae sets; these carry per-finger pseudo-minutiae (from the finger's seed) with
// per-impression jitter and dropouts, so Match/Search/RegModel score impressions of one
// virtual finger high and of different fingers near zero. The kiosk treats them as opaque.
//
// Character file (256 bytes): 0x53 'S', feature count, then (x, y, angle) per feature,
// zero-padded. Char buffer / template (512 bytes): two character files back to back; a
// buffer fresh from Img2Tz has the second half empty.

import { R30X_CHAR_BUFFER_BYTES } from '../fingerprint/r30x-protocol.js';
import { seededRandom } from './synthetic-finger.js';

export const CHARACTER_FILE_BYTES = 256;
/** Best possible score (every feature matched). */
export const MAX_MATCH_SCORE = 200;

const MARKER = 0x53;
const FEATURES = 40;
const JITTER = 2;
const TOLERANCE = 4;
const ANGLE_TOLERANCE = 8;
const DROPOUT = 0.08;

/** The character file Img2Tz makes from impression `impression` of finger `seed`. */
export function simulatedCharacterFile(seed: number, impression: number): Uint8Array {
  const finger = seededRandom(seed, 0xfea7);
  const noise = seededRandom(seed, impression, 0x1e55);
  const file = new Uint8Array(CHARACTER_FILE_BYTES);
  file[0] = MARKER;
  file[1] = FEATURES;
  for (let i = 0; i < FEATURES; i++) {
    const feature = [20 + finger() * 216, 20 + finger() * 248, finger() * 256];
    const dropped = noise() < DROPOUT;
    const jitter = () => (noise() * 2 - 1) * JITTER;
    const value = dropped ? feature.map(() => noise() * 256) : feature.map((v) => v + jitter());
    value.forEach((v, k) => { file[2 + i * 3 + k] = Math.min(255, Math.max(0, Math.round(v))); });
  }
  return file;
}

/** A 512-byte char buffer holding one character file. */
export function charBufferOf(file: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(R30X_CHAR_BUFFER_BYTES);
  buffer.set(file.subarray(0, CHARACTER_FILE_BYTES));
  return buffer;
}

/** RegModel: the template made of both buffers' character files. */
export function mergeIntoTemplate(first: Uint8Array, second: Uint8Array): Uint8Array {
  const template = new Uint8Array(R30X_CHAR_BUFFER_BYTES);
  template.set(first.subarray(0, CHARACTER_FILE_BYTES), 0);
  template.set(second.subarray(0, CHARACTER_FILE_BYTES), CHARACTER_FILE_BYTES);
  return template;
}

/** Best score between any character file in one buffer and any in the other; 0 if either holds none. */
export function simulatedMatchScore(a: Uint8Array, b: Uint8Array): number {
  let best = 0;
  for (const fileA of characterFiles(a)) {
    for (const fileB of characterFiles(b)) best = Math.max(best, compareFiles(fileA, fileB));
  }
  return best;
}

function characterFiles(buffer: Uint8Array): Uint8Array[] {
  return [0, CHARACTER_FILE_BYTES]
    .map((offset) => buffer.subarray(offset, offset + CHARACTER_FILE_BYTES))
    .filter((file) => file[0] === MARKER && file[1] === FEATURES);
}

function compareFiles(a: Uint8Array, b: Uint8Array): number {
  let matched = 0;
  for (let i = 0; i < FEATURES; i++) {
    const at = 2 + i * 3;
    const angle = Math.abs(a[at + 2]! - b[at + 2]!);
    if (Math.abs(a[at]! - b[at]!) <= TOLERANCE && Math.abs(a[at + 1]! - b[at + 1]!) <= TOLERANCE
      && Math.min(angle, 256 - angle) <= ANGLE_TOLERANCE) matched++;
  }
  return Math.round((matched * MAX_MATCH_SCORE) / FEATURES);
}
