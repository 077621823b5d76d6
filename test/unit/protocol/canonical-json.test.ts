import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { canonicalJson } from '../../../protocol/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys, drops whitespace and writes numbers in their shortest form', () => {
    expect(canonicalJson({ b: [1.0, 'x', null], a: { d: true, c: 1e21 } })).toBe('{"a":{"c":1e+21,"d":true},"b":[1,"x",null]}');
  });

  it('is a fixed point: parsing and re-encoding gives the same text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
      }),
    );
  });

  it('refuses values JSON cannot hold', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, undefined, { n: Number.NaN }]) {
      expect(() => canonicalJson(value)).toThrow(expect.objectContaining({ code: 'NOT_JSON' }));
    }
  });
});
