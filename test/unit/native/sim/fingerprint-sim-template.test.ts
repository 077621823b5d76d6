// Simulated character files score impressions of one virtual finger high and of
// different fingers near zero, and templates keep both impressions.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  charBufferOf, MAX_MATCH_SCORE, mergeIntoTemplate, simulatedCharacterFile, simulatedMatchScore,
} from '../../../../native/sim/fingerprint-sim-template.js';

const buffer = (seed: number, impression: number) => charBufferOf(simulatedCharacterFile(seed, impression));

describe('simulated templates', () => {
  it('scores two impressions of the same finger high', () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 101, max: 200 }), (seed, i, j) => {
      expect(simulatedMatchScore(buffer(seed, i), buffer(seed, j))).toBeGreaterThanOrEqual(100);
    }));
  });

  it('scores different fingers low', () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 100 }), (a, b, i) => {
      fc.pre(a !== b);
      expect(simulatedMatchScore(buffer(a, i), buffer(b, i))).toBeLessThan(30);
    }));
  });

  it('merges two character files into a template that matches either impression and a new one', () => {
    const template = mergeIntoTemplate(buffer(9, 1), buffer(9, 2));
    expect(template).toHaveLength(512);
    expect(simulatedMatchScore(template, buffer(9, 1))).toBe(MAX_MATCH_SCORE);
    expect(simulatedMatchScore(template, buffer(9, 3))).toBeGreaterThanOrEqual(100);
  });

  it('scores buffers without a character file zero', () => {
    expect(simulatedMatchScore(new Uint8Array(512), new Uint8Array(512))).toBe(0);
  });
});
