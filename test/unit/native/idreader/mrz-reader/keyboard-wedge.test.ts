import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MrzFrameEvent } from '../../../../../native/idreader/mrz-reader/framings.js';
import { KeyboardWedgeDecoder, type WedgeKey } from '../../../../../native/idreader/mrz-reader/keyboard-wedge.js';
import { formatMrz } from '../../../../../native/idreader/mrz/index.js';
import { SPECIMENS } from '../mrz/doc9303-specimens.js';
import { FORMATS, mrzFields } from '../mrz/mrz-arbitraries.js';

const TD3 = SPECIMENS.td3?.lines as string[];
const TD1 = SPECIMENS.td1?.lines as string[];

/** Keys for `text` then Enter, each `gap(i)` ms after the one before, starting `pause` ms after `from`. */
function typed(text: string, from: number, gap: (index: number) => number, pause = 1_000): WedgeKey[] {
  let at = from + pause;
  return [...text, 'Enter'].map((key, index) => {
    if (index > 0) at += gap(index);
    return { key, at };
  });
}

function feed(keys: readonly WedgeKey[], decoder = new KeyboardWedgeDecoder()): MrzFrameEvent[] {
  return keys.flatMap((key) => decoder.push(key));
}

const summary = (events: MrzFrameEvent[]) => events.map((event) => (event.type === 'read' ? event.lines : event.error.code));
const lastAt = (keys: readonly WedgeKey[]) => keys.at(-1)?.at ?? 0;

/** A reader typing `lines`: each line a fast burst, lines 20 ms apart. */
function scanned(lines: readonly string[], from: number, gap: (index: number) => number = () => 8): WedgeKey[] {
  return lines.reduce<WedgeKey[]>((keys, line, index) =>
    [...keys, ...typed(line, keys.length ? lastAt(keys) : from, gap, index === 0 ? 1_000 : 20)], []);
}

describe('KeyboardWedgeDecoder', () => {
  it('reads lines typed in fast bursts, with Shift presses between the keys', () => {
    const keys = scanned(TD3, 0).flatMap((key) => (key.key === '<' ? [{ key: 'Shift', at: key.at - 1 }, key] : [key]));
    const events = feed(keys);
    expect(events).toEqual([{ type: 'read', lines: TD3, raw: new TextEncoder().encode(`${TD3[0]}\r${TD3[1]}\r`) }]);
  });

  it('reads a TD1 despite a few slow keys in the bursts', () => {
    expect(summary(feed(scanned(TD1, 0, (index) => (index % 7 === 0 ? 120 : 6))))).toEqual([TD1]);
  });

  it('leaves a person typing a whole MRZ line by hand alone', () => {
    expect(feed([...typed(TD3[0] as string, 0, () => 140), ...typed(TD3[1] as string, 10_000, () => 90, 0)])).toEqual([]);
  });

  it('leaves short fast bursts alone (a barcode, a password manager)', () => {
    expect(feed(typed('HELLO1234567', 0, () => 5))).toEqual([]);
  });

  it('leaves a burst with a Backspace in it alone', () => {
    const keys = typed(TD3[0] as string, 0, () => 5);
    keys.splice(10, 0, { key: 'Backspace', at: (keys[9] as WedgeKey).at + 1 });
    expect(feed([...keys, ...typed(TD3[1] as string, lastAt(keys), () => 5, 20)])).toEqual([]);
  });

  it('reports a document whose lines are interrupted by a pause, and one still open when the step ends', () => {
    const decoder = new KeyboardWedgeDecoder();
    const first = typed(TD3[0] as string, 0, () => 5);
    expect(summary(feed([...first, ...typed(TD3[1] as string, lastAt(first), () => 5, 2_000)], decoder))).toEqual(['MRZ_INCOMPLETE']);
    expect(summary(decoder.flush())).toEqual(['MRZ_INCOMPLETE']);
    expect(decoder.flush()).toEqual([]);
  });

  it('takes its thresholds from the options', () => {
    const slowReader = new KeyboardWedgeDecoder({ maxMedianGapMs: 60, underscorePadding: true });
    const padded = TD3.map((line) => line.replace(/<+$/, (run) => '_'.repeat(run.length)));
    expect(summary(feed(scanned(padded, 0, () => 50), slowReader))).toEqual([TD3]);
    expect(feed(scanned(TD3, 0, () => 50))).toEqual([]);
  });
});

const documentArbitrary = fc.constantFrom(...FORMATS).chain((format) => mrzFields(format).map((fields) => formatMrz(fields, format)));
/** Reader timing: mostly 0–30 ms, with up to a third of the gaps slow (USB polling, a busy renderer). */
const readerGaps = fc.array(fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 0, max: 30 }) }, fc.integer({ min: 0, max: 240 })), { minLength: 1 })
  .filter((gaps) => gaps.filter((gap) => gap > 30).length * 3 <= gaps.length);
/** Human timing: 60–240 ms between keys, the fastest typists' range and slower. */
const humanGaps = fc.array(fc.integer({ min: 60, max: 240 }), { minLength: 1 });
const humanText = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789< '), maxLength: 50 });

function scannedWith(lines: readonly string[], from: number, gaps: readonly number[]): WedgeKey[] {
  return scanned(lines, from, (index) => gaps[index % gaps.length] as number);
}

describe('KeyboardWedgeDecoder properties', () => {
  it('accepts any document typed at reader speed', () => {
    fc.assert(fc.property(fc.array(fc.tuple(documentArbitrary, readerGaps), { minLength: 1, maxLength: 3 }), (scans) => {
      const keys = scans.reduce<WedgeKey[]>((all, [lines, gaps]) => [...all, ...scannedWith(lines, lastAt(all), gaps)], []);
      expect(summary(feed(keys))).toEqual(scans.map(([lines]) => lines));
    }), { numRuns: 100 });
  });

  it('never reads anything typed at human speed, MRZ lines included', () => {
    fc.assert(fc.property(fc.oneof(humanText.map((text) => [text]), documentArbitrary), humanGaps, (lines, gaps) => {
      expect(feed(scannedWith(lines, 0, gaps))).toEqual([]);
    }), { numRuns: 100 });
  });

  it('reads exactly the scanned documents when a person types between them', () => {
    const segment = fc.oneof(
      fc.tuple(fc.constant('scan' as const), documentArbitrary, readerGaps),
      fc.tuple(fc.constant('person' as const), fc.array(humanText, { minLength: 1, maxLength: 2 }), humanGaps),
    );
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
      const keys = segments.reduce<WedgeKey[]>((all, [, lines, gaps]) => [...all, ...scannedWith(lines, lastAt(all), gaps)], []);
      expect(summary(feed(keys))).toEqual(segments.filter(([kind]) => kind === 'scan').map(([, lines]) => lines));
    }), { numRuns: 100 });
  });
});
