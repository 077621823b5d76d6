// HTTP byte ranges (RFC 9110 §14): what the authority serves for a Range field, and the kiosk's
// reading of Content-Range; every answer lies inside the file, and what is served round-trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentRange, interpretRange, parseContentRange, unsatisfiedRange } from '../../../protocol/byte-range.js';

describe('interpretRange', () => {
  it('serves one range, an open range and a suffix, clipped to the file', () => {
    expect(interpretRange('bytes=0-99', 1000)).toEqual({ kind: 'range', range: { first: 0, last: 99 } });
    expect(interpretRange('bytes=500-', 1000)).toEqual({ kind: 'range', range: { first: 500, last: 999 } });
    expect(interpretRange('bytes=900-5000', 1000)).toEqual({ kind: 'range', range: { first: 900, last: 999 } });
    expect(interpretRange('bytes=-10', 1000)).toEqual({ kind: 'range', range: { first: 990, last: 999 } });
    expect(interpretRange('bytes=-5000', 1000)).toEqual({ kind: 'range', range: { first: 0, last: 999 } });
    expect(interpretRange('Bytes = 5-6', 1000)).toEqual({ kind: 'range', range: { first: 5, last: 6 } });
  });

  it('answers 416 for a range wholly outside the file', () => {
    expect(interpretRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(interpretRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(interpretRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores what it does not serve: no field, another unit, several ranges, nonsense', () => {
    for (const header of [undefined, 'items=0-1', 'bytes=0-1,5-6', 'bytes=', 'bytes=5-1', 'bytes=a-b', 'bytes=1-2-3', 'bytes=--1', 'bytes=0x1-']) {
      expect(interpretRange(header, 1000), String(header)).toEqual({ kind: 'whole' });
    }
  });

  it('always answers inside the file, and its Content-Range parses back', () => {
    const header = fc.oneof(
      fc.tuple(fc.nat(3000), fc.option(fc.nat(3000), { nil: undefined })).map(([a, b]) => `bytes=${a}-${b ?? ''}`),
      fc.nat(3000).map((n) => `bytes=-${n}`),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(fc.property(header, fc.nat(2000), (field, size) => {
      const answer = interpretRange(field, size);
      if (answer.kind !== 'range') return;
      expect(answer.range.first).toBeGreaterThanOrEqual(0);
      expect(answer.range.last).toBeLessThan(size);
      expect(answer.range.first).toBeLessThanOrEqual(answer.range.last);
      expect(parseContentRange(contentRange(answer.range, size))).toEqual({ ...answer.range, size });
    }));
  });
});

describe('parseContentRange', () => {
  it('reads a 206\'s range and refuses anything else', () => {
    expect(parseContentRange('bytes 10-19/*')).toEqual({ first: 10, last: 19, size: null });
    for (const bad of [null, '', unsatisfiedRange(100), 'bytes 5-4/10', 'bytes 0-10/10', 'items 0-1/2', 'bytes 0-1']) {
      expect(parseContentRange(bad), String(bad)).toBeNull();
    }
  });
});
