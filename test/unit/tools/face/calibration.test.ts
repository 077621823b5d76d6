// Threshold calibration on synthetic distances with known answers: every pair of a set sorted into
// genuine and impostor, thresholds that meet the false-match target on every set (and so pooled),
// false matches by group, the report's Markdown and SVG, and that the thresholds in use are the
// ones docs/FACE.md publishes.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calibrate,
  errorRatesAt,
  falseMatchesByGroup,
  isGenuine,
  pairDistances,
  POOLED,
  scorePairs,
  strictestThresholdForFmr,
  thresholdForFmr,
  type CalibrationSample,
} from '../../../../tools/face/calibration.js';
import { renderCalibrationSvg } from '../../../../tools/face/calibration-plot.js';
import { CALIBRATION_BEGIN, CALIBRATION_END, renderCalibrationMarkdown, replaceCalibrationSection } from '../../../../tools/face/calibration-report.js';
import type { FaceGroups } from '../../../../tools/face/face-groups.js';
import { VERIFICATION_THRESHOLDS } from '../../../../main/face/verification-thresholds.js';

/** A descriptor at `value` on the first axis: the distance between two samples is the difference of their values. */
function sample(set: string, identity: string, value: number | null): CalibrationSample {
  if (value === null) return { set, identity, file: `${identity}/none.png`, descriptor: null };
  const descriptor = new Float32Array(128);
  descriptor[0] = value;
  return { set, identity, file: `${identity}/${value}.png`, descriptor };
}

const choose2 = (n: number): number => (n * (n - 1)) / 2;

describe('scorePairs', () => {
  it('sorts every pair of a set into genuine or impostor, skips images without a face and never pairs across sets', () => {
    const pairs = scorePairs([
      sample('one', 'a', 0), sample('one', 'a', 0.3), sample('one', 'b', 1), sample('one', 'b', 1.2), sample('one', 'c', null),
      sample('two', 'a', 5), sample('two', 'd', 5.5),
    ]);
    const { genuine, impostor } = pairDistances(pairs.filter((pair) => pair.set === 'one'));
    expect([...genuine].sort()).toEqual([0.2, 0.3].map((d) => expect.closeTo(d, 6)));
    expect(impostor).toHaveLength(4);
    expect(pairs.filter((pair) => pair.set === 'two')).toEqual([
      { set: 'two', identities: ['a', 'd'], files: ['a/5.png', 'd/5.5.png'], distance: 0.5 },
    ]);
    expect(pairs).toHaveLength(7);
  });

  it('uses every cross-person pair as an impostor pair and every same-person pair as genuine', () => {
    const people = fc.array(fc.tuple(fc.constantFrom('one', 'two'), fc.constantFrom('a', 'b', 'c', 'd'), fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: null })), { maxLength: 24 });
    fc.assert(fc.property(people, (rows) => {
      const samples = rows.map(([set, identity, value]) => sample(set, identity, value));
      const pairs = scorePairs(samples);
      for (const set of ['one', 'two']) {
        const described = samples.filter((s) => s.set === set && s.descriptor);
        const perPerson = new Map<string, number>();
        for (const s of described) perPerson.set(s.identity, (perPerson.get(s.identity) ?? 0) + 1);
        const genuine = [...perPerson.values()].reduce((sum, n) => sum + choose2(n), 0);
        const ofSet = pairs.filter((pair) => pair.set === set);
        expect(ofSet.filter(isGenuine)).toHaveLength(genuine);
        expect(ofSet.filter((pair) => !isGenuine(pair))).toHaveLength(choose2(described.length) - genuine);
      }
    }));
  });
});

describe('thresholdForFmr', () => {
  const impostor = Array.from({ length: 1000 }, (_, i) => 0.5 + i * 0.001); // 0.500 … 1.499

  it('allows at most the target share of impostors, rounding down to the grid', () => {
    // 0.1 % of 1000 = one false match allowed: the threshold stays below the second smallest, 0.501.
    expect(thresholdForFmr(impostor, 0.001)).toBe(0.5);
    expect(errorRatesAt({ genuine: [], impostor }, 0.5).falseMatches).toBe(1);
    // 1 %: ten allowed, the eleventh (0.510) must not match.
    expect(thresholdForFmr(impostor, 0.01)).toBe(0.505);
    expect(errorRatesAt({ genuine: [], impostor }, 0.505).falseMatches).toBeLessThanOrEqual(10);
  });

  it('is never above an impostor distance it must refuse', () => {
    const shuffled = [0.7, 0.41, 0.9, 0.62, 0.55];
    const t = thresholdForFmr(shuffled, 0); // none allowed
    expect(t).toBeLessThan(0.41);
    expect(t).toBe(0.405);
  });
});

describe('strictestThresholdForFmr', () => {
  // An easy set with many far-apart impostors and a hard set whose few impostors come close.
  const easy = { genuine: [0.3], impostor: Array.from({ length: 2000 }, (_, i) => 0.8 + i * 0.0001) };
  const hard = { genuine: [0.45], impostor: [0.42, 0.48, 0.6, 0.7, 0.9] };

  it('lets the hardest set decide, where pooling would let the easy set dilute its false matches', () => {
    const pooled = { genuine: [...easy.genuine, ...hard.genuine], impostor: [...easy.impostor, ...hard.impostor] };
    // Pooled, 0.1 % of 2005 allows two false matches: both of the hard set's closest impostors.
    expect(thresholdForFmr(pooled.impostor, 0.001)).toBe(0.595);
    expect(errorRatesAt(hard, 0.595).fmr).toBe(0.4);
    const t = strictestThresholdForFmr([easy, hard], 0.001);
    expect(t).toBe(0.415);
    expect(errorRatesAt(hard, t).falseMatches).toBe(0);
  });

  it('keeps the false-match rate within the target on every set, and so pooled', () => {
    const set = fc.array(fc.double({ min: 0.05, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 300 });
    fc.assert(fc.property(fc.array(set, { minLength: 1, maxLength: 4 }), fc.constantFrom(0.001, 0.01, 0.05), (impostorSets, target) => {
      const sets = impostorSets.map((impostor) => ({ genuine: [], impostor }));
      const t = strictestThresholdForFmr(sets, target);
      for (const pairs of sets) expect(errorRatesAt(pairs, t).fmr).toBeLessThanOrEqual(target + 1e-12);
      expect(errorRatesAt({ genuine: [], impostor: impostorSets.flat() }, t).fmr).toBeLessThanOrEqual(target + 1e-12);
    }));
  });

  it('refuses sets without impostor pairs', () => {
    expect(() => strictestThresholdForFmr([{ genuine: [0.1], impostor: [] }], 0.001)).toThrow(/impostor/);
  });
});

const groups: FaceGroups = {
  sets: {
    one: { people: { a: 'East Asian', b: 'East Asian', c: 'European' }, relatives: [] },
    two: { people: { a: 'European', d: 'African' }, relatives: [['d', 'a']] },
  },
};

describe('falseMatchesByGroup', () => {
  it('counts impostor pairs by group pair, whichever face comes first, with relatives apart', () => {
    const pairs = scorePairs([
      sample('one', 'a', 0), sample('one', 'b', 0.1), sample('one', 'c', 0.15), sample('one', 'x', 3),
      sample('two', 'a', 1), sample('two', 'd', 1.2),
    ]);
    const rows = falseMatchesByGroup(pairs, groups, { match: 0.12, review: 0.25 });
    expect(rows).toEqual([
      { groupPair: 'East Asian–European', impostorPairs: 2, atMatch: 1, atReview: 2, closest: expect.closeTo(0.05, 6) },
      { groupPair: 'East Asian–East Asian', impostorPairs: 1, atMatch: 1, atReview: 1, closest: expect.closeTo(0.1, 6) },
      { groupPair: 'relatives', impostorPairs: 1, atMatch: 0, atReview: 1, closest: expect.closeTo(0.2, 6) },
      { groupPair: 'European–unknown', impostorPairs: 1, atMatch: 0, atReview: 0, closest: expect.closeTo(2.85, 6) },
      { groupPair: 'East Asian–unknown', impostorPairs: 2, atMatch: 0, atReview: 0, closest: expect.closeTo(2.9, 6) },
    ]);
  });
});

describe('calibrate', () => {
  const samples = [
    ...[0, 0.1, 0.2].map((v) => sample('one', 'a', v)),
    ...[5, 5.1].map((v) => sample('one', 'b', v)),
    ...[10, 10.3].map((v) => sample('one', 'c', v)),
    sample('one', 'd', null),
    ...[20, 20.4].map((v) => sample('two', 'a', v)),
    ...[20.5, 20.9].map((v) => sample('two', 'd', v)),
  ];
  const report = calibrate(samples, groups);

  it('reports each set and the pooled pairs, with thresholds that hold on every set', () => {
    const [one, two] = report.sets;
    expect(one).toMatchObject({ name: 'one', images: 8, identities: 4, failedToAcquire: ['one/d/none.png'] });
    expect(one.pairs.genuine).toHaveLength(3 + 1 + 1);
    expect(one.pairs.impostor).toHaveLength(21 - 5);
    expect(two).toMatchObject({ name: 'two', images: 4, identities: 2 });
    expect(two.pairs.genuine).toHaveLength(2);
    expect(two.pairs.impostor).toHaveLength(4);
    expect(report.pooled).toMatchObject({ name: POOLED, images: 12, identities: 6 });
    expect(report.pooled.pairs.impostor).toHaveLength(20);
    // `two` has an impostor pair at 0.1 (20.4–20.5) and too few pairs to allow one false match: it decides.
    expect(report.thresholds.match).toBe(strictestThresholdForFmr([one.pairs, two.pairs], 0.001));
    expect(report.thresholds.match).toBeLessThanOrEqual(0.1);
    expect(two.atThresholds.match.falseMatches).toBe(0);
    expect(report.thresholds.match).toBeLessThanOrEqual(report.thresholds.review);
    expect(one.equalErrorRate.fmr).toBe(0);
    expect(report.table.every((row) => row.rates.length === 3)).toBe(true);
    expect(report.table.some((row) => row.threshold === report.thresholds.match)).toBe(true);
    expect(report.closestImpostors[0]).toMatchObject({ set: 'two', distance: expect.closeTo(0.1, 6) });
  });

  it('renders the numbers into Markdown: per set and pooled, by group, nearest impostors', () => {
    const markdown = renderCalibrationMarkdown(report, {
      sets: [{ name: 'one', dir: 'data/one', listedPairs: 0 }, { name: 'two', dir: 'data/two', listedPairs: 6 }],
      groupsFile: 'groups.json', modelHash: 'a'.repeat(64), backend: 'wasm', machine: 'test', plotFile: 'plot.svg',
    });
    expect(markdown).toContain(`\`match\` ≤ ${report.thresholds.match.toFixed(3)}`);
    expect(markdown).toContain(`\`review\` ≤ ${report.thresholds.review.toFixed(3)}`);
    expect(markdown).toContain('`two` (`data/two`, whose pairs.csv lists 6 of these pairs');
    expect(markdown).toMatch(/^\| one \| 8 \| 4 \| 5 \| 16 \| /m);
    expect(markdown).toMatch(/^\| pooled \| 12 \| 6 \| 7 \| 20 \|/m);
    expect(markdown).toContain('No face found in 1 image (one/d/none.png)');
    expect(markdown).toMatch(/^\| relatives \| 4 \|/m);
    expect(markdown).toContain('| 0.100 | two | a/20.4.png – d/20.5.png |');
    expect(markdown).toContain('On `two`, the hardest set here');
    expect(markdown).toContain('![');
    expect(markdown).not.toContain('NaN');
  });

  it('draws one FMR, FNMR and DET curve per set and pooled, with the operating points', () => {
    const svg = renderCalibrationSvg(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    for (const [tag] of svg.matchAll(/<[a-z]+ [^>]*>/g)) {
      const names = [...tag.matchAll(/ ([a-z-]+)="/g)].map((m) => m[1]);
      expect(new Set(names).size, tag).toBe(names.length); // XML refuses a repeated attribute
    }
    expect(svg.match(/<path /g)).toHaveLength(3 * 3);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    for (const name of ['one', 'two', 'pooled']) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain(`match ${report.thresholds.match.toFixed(3)}`);
    expect(svg).not.toContain('NaN');
  });

  it('replaces only the generated section of a document', () => {
    const document = `intro\n${CALIBRATION_BEGIN}\nold\n${CALIBRATION_END}\noutro\n`;
    expect(replaceCalibrationSection(document, 'new')).toBe(`intro\n${CALIBRATION_BEGIN}\nnew\n${CALIBRATION_END}\noutro\n`);
    expect(() => replaceCalibrationSection('no markers', 'x')).toThrow(/section/);
  });
});

describe('published thresholds', () => {
  it('docs/FACE.md states the thresholds the verifier uses', () => {
    const doc = readFileSync(new URL('../../../../docs/FACE.md', import.meta.url), 'utf8');
    const match = /`match` ≤ ([0-9.]+)/.exec(doc);
    const review = /`review` ≤ ([0-9.]+)/.exec(doc);
    expect(Number(match?.[1])).toBe(VERIFICATION_THRESHOLDS.match);
    expect(Number(review?.[1])).toBe(VERIFICATION_THRESHOLDS.review);
  });
});
