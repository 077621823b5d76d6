// Threshold calibration on synthetic distances with known answers, the report's rendering, and
// that the thresholds in use are the ones docs/FACE.md publishes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  calibrate,
  CALIBRATION_BEGIN,
  CALIBRATION_END,
  errorRatesAt,
  pairDistances,
  renderCalibrationMarkdown,
  renderCalibrationSvg,
  replaceCalibrationSection,
  thresholdForFmr,
  type CalibrationSample,
} from '../../../../main/face/calibration.js';
import { VERIFICATION_THRESHOLDS } from '../../../../main/face/verification-thresholds.js';

function sample(identity: string, value: number | null): CalibrationSample {
  if (value === null) return { identity, file: `${identity}/none.png`, descriptor: null };
  const descriptor = new Float32Array(128);
  descriptor[0] = value;
  return { identity, file: `${identity}/${value}.png`, descriptor };
}

describe('pairDistances', () => {
  it('sorts every pair into genuine or impostor and skips images without a face', () => {
    const pairs = pairDistances([sample('a', 0), sample('a', 0.3), sample('b', 1), sample('b', 1.2), sample('c', null)]);
    expect([...pairs.genuine].sort()).toEqual([0.2, 0.3].map((d) => expect.closeTo(d, 6)));
    expect(pairs.impostor).toHaveLength(4);
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

describe('calibrate', () => {
  const samples = [
    ...[0, 0.1, 0.2].map((v) => sample('a', v)),
    ...[5, 5.1].map((v) => sample('b', v)),
    ...[10, 10.3].map((v) => sample('c', v)),
    sample('d', null),
  ];
  const report = calibrate(samples);

  it('counts images, identities, failures to acquire and pairs', () => {
    expect(report).toMatchObject({ images: 8, identities: 4, failedToAcquire: ['d/none.png'] });
    expect(report.pairs.genuine).toHaveLength(3 + 1 + 1);
    expect(report.pairs.impostor).toHaveLength(21 - 5);
    expect(report.thresholds.match).toBeLessThanOrEqual(report.thresholds.review);
    expect(report.atThresholds.match.falseMatches).toBe(0);
    expect(report.equalErrorRate.fmr).toBe(0);
    expect(report.table.some((row) => row.threshold === report.thresholds.match)).toBe(true);
  });

  it('renders the numbers into Markdown and an SVG plot', () => {
    const markdown = renderCalibrationMarkdown(report, { facesDir: 'faces', modelHash: 'a'.repeat(64), backend: 'wasm', machine: 'test', plotFile: 'plot.svg' });
    expect(markdown).toContain(`\`match\` ≤ ${report.thresholds.match.toFixed(3)}`);
    expect(markdown).toContain('Genuine pairs (same identity): 5');
    expect(markdown).toContain('no face found in 1 (d/none.png)');
    expect(markdown).toContain('![');
    const svg = renderCalibrationSvg(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('FMR');
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
