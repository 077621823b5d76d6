// Calibration of the verification thresholds: every same-identity (genuine) and cross-identity
// (impostor) pair distance, the error rates at each threshold, the thresholds that meet the
// false-match targets, and the report (Markdown table and SVG plot) published in docs/FACE.md.
import { join, resolve } from 'node:path';
import { GatehouseError } from '../errors.js';
import { projectRoot } from '../kiosk/project-root.js';
import { euclideanDistance } from './verification.js';
import type { VerificationThresholds } from './verification-thresholds.js';

export interface CalibrationSample {
  readonly identity: string;
  readonly file: string;
  /** Null when no face was found: counted as a failure to acquire, left out of the pairs. */
  readonly descriptor: Float32Array | null;
}

export interface PairDistances {
  readonly genuine: readonly number[];
  readonly impostor: readonly number[];
}

export interface ErrorRates {
  readonly threshold: number;
  readonly falseMatches: number;
  readonly fmr: number;
  readonly falseNonMatches: number;
  readonly fnmr: number;
}

export interface FalseMatchTargets {
  readonly match: number;
  readonly review: number;
}

export interface CalibrationReport {
  readonly images: number;
  readonly identities: number;
  readonly failedToAcquire: readonly string[];
  readonly pairs: PairDistances;
  readonly targets: FalseMatchTargets;
  readonly thresholds: VerificationThresholds;
  readonly atThresholds: { readonly match: ErrorRates; readonly review: ErrorRates };
  readonly equalErrorRate: ErrorRates;
  readonly table: readonly ErrorRates[];
}

/** The development face set: GATEHOUSE_FACES_DIR, else ../shared/data/faces beside the Gatehouse tree. */
export function defaultFacesDir(): string {
  const fromEnv = process.env.GATEHOUSE_FACES_DIR;
  return fromEnv ? resolve(fromEnv) : join(projectRoot, '..', 'shared', 'data', 'faces');
}

export const FALSE_MATCH_TARGETS: FalseMatchTargets = { match: 0.001, review: 0.01 };
/** Thresholds are chosen on this grid, rounding towards fewer false matches. */
export const THRESHOLD_STEP = 0.005;

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

export function pairDistances(samples: readonly CalibrationSample[]): PairDistances {
  const genuine: number[] = [];
  const impostor: number[] = [];
  const described = samples.flatMap(({ identity, descriptor }) => (descriptor ? [{ identity, descriptor }] : []));
  for (let i = 0; i < described.length; i++) {
    for (let j = i + 1; j < described.length; j++) {
      const a = described[i];
      const b = described[j];
      (a.identity === b.identity ? genuine : impostor).push(euclideanDistance(a.descriptor, b.descriptor));
    }
  }
  return { genuine, impostor };
}

/** A pair matches when its distance is at most the threshold. */
export function errorRatesAt(pairs: PairDistances, threshold: number): ErrorRates {
  const falseMatches = pairs.impostor.filter((d) => d <= threshold).length;
  const falseNonMatches = pairs.genuine.filter((d) => d > threshold).length;
  return {
    threshold,
    falseMatches,
    fmr: pairs.impostor.length === 0 ? 0 : falseMatches / pairs.impostor.length,
    falseNonMatches,
    fnmr: pairs.genuine.length === 0 ? 0 : falseNonMatches / pairs.genuine.length,
  };
}

/** The largest threshold on the grid whose false-match rate on these impostor pairs is at most `maxFmr`. */
export function thresholdForFmr(impostor: readonly number[], maxFmr: number, step: number = THRESHOLD_STEP): number {
  const sorted = [...impostor].sort((a, b) => a - b);
  const allowed = Math.floor(maxFmr * sorted.length + 1e-9);
  if (allowed >= sorted.length) return round(Math.ceil((sorted.at(-1) ?? 0) / step) * step);
  // The first impostor distance that must not match; the threshold stays strictly below it.
  const firstRefused = sorted[allowed];
  return round(Math.max(0, Math.ceil(firstRefused / step - 1e-9) - 1) * step);
}

function equalErrorRate(pairs: PairDistances): ErrorRates {
  const candidates = [...pairs.genuine, ...pairs.impostor].sort((a, b) => a - b);
  let best = errorRatesAt(pairs, 0);
  for (const threshold of candidates) {
    const rates = errorRatesAt(pairs, threshold);
    if (Math.abs(rates.fmr - rates.fnmr) < Math.abs(best.fmr - best.fnmr)) best = rates;
  }
  return best;
}

export function calibrate(samples: readonly CalibrationSample[], targets: FalseMatchTargets = FALSE_MATCH_TARGETS): CalibrationReport {
  const pairs = pairDistances(samples);
  const thresholds = { match: thresholdForFmr(pairs.impostor, targets.match), review: thresholdForFmr(pairs.impostor, targets.review) };
  const grid = Array.from({ length: 19 }, (_, i) => round(0.3 + i * 0.025));
  const tableThresholds = [...new Set([...grid, thresholds.match, thresholds.review])].sort((a, b) => a - b);
  return {
    images: samples.length,
    identities: new Set(samples.map((sample) => sample.identity)).size,
    failedToAcquire: samples.filter((sample) => sample.descriptor === null).map((sample) => sample.file),
    pairs,
    targets,
    thresholds,
    atThresholds: { match: errorRatesAt(pairs, thresholds.match), review: errorRatesAt(pairs, thresholds.review) },
    equalErrorRate: equalErrorRate(pairs),
    table: tableThresholds.map((threshold) => errorRatesAt(pairs, threshold)),
  };
}

const percent = (rate: number): string => `${(rate * 100).toFixed(2)} %`;

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? NaN;
}

export interface CalibrationContext {
  readonly facesDir: string;
  readonly modelHash: string;
  readonly backend: string;
  readonly machine: string;
  readonly plotFile: string;
}

/** The generated part of docs/FACE.md. */
export function renderCalibrationMarkdown(report: CalibrationReport, context: CalibrationContext): string {
  const { pairs, thresholds, atThresholds, equalErrorRate: eer } = report;
  const stats = (values: readonly number[]): string =>
    `min ${quantile(values, 0).toFixed(3)}, median ${quantile(values, 0.5).toFixed(3)}, max ${quantile(values, 1).toFixed(3)}`;
  const rows = report.table.map((r) => {
    const mark = r.threshold === thresholds.match ? ' **match**' : r.threshold === thresholds.review ? ' **review**' : '';
    return `| ${r.threshold.toFixed(3)}${mark} | ${r.falseMatches} | ${percent(r.fmr)} | ${r.falseNonMatches} | ${percent(r.fnmr)} |`;
  });
  return [
    `Generated by \`gatehouse face calibrate\` from \`${context.facesDir}\` on ${context.machine}`,
    `(backend ${context.backend}, model hash \`${context.modelHash.slice(0, 16)}…\`).`,
    '',
    `- Images: ${report.images} in ${report.identities} identities; no face found in ${report.failedToAcquire.length}` +
      (report.failedToAcquire.length > 0 ? ` (${report.failedToAcquire.join(', ')}).` : '.'),
    `- Genuine pairs (same identity): ${pairs.genuine.length}; distances ${stats(pairs.genuine)}.`,
    `- Impostor pairs (different identities): ${pairs.impostor.length}; distances ${stats(pairs.impostor)}.`,
    eer.falseMatches + eer.falseNonMatches === 0
      ? `- Equal error rate: 0: every genuine distance here is below every impostor distance (a margin of ${(quantile(pairs.impostor, 0) - quantile(pairs.genuine, 1)).toFixed(3)}).`
      : `- Equal error rate: about ${percent((eer.fmr + eer.fnmr) / 2)} at distance ${eer.threshold.toFixed(3)}.`,
    '',
    '**Chosen thresholds** (Euclidean distance between 128-d descriptors; lower is more alike):',
    '',
    `- \`match\` ≤ ${thresholds.match.toFixed(3)}: largest threshold with FMR ≤ ${percent(report.targets.match)} here ` +
      `(FMR ${percent(atThresholds.match.fmr)}, FNMR ${percent(atThresholds.match.fnmr)}).`,
    `- \`review\` ≤ ${thresholds.review.toFixed(3)}: largest threshold with FMR ≤ ${percent(report.targets.review)} here ` +
      `(FMR ${percent(atThresholds.review.fmr)}, FNMR ${percent(atThresholds.review.fnmr)}).`,
    `- above ${thresholds.review.toFixed(3)}: \`no-match\`.`,
    '',
    '| threshold | false matches | FMR | false non-matches | FNMR |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `![False-match and false-non-match rates against the distance threshold](${context.plotFile})`,
  ].join('\n');
}

/** FMR and FNMR against the threshold, with the chosen thresholds marked. */
export function renderCalibrationSvg(report: CalibrationReport): string {
  const [width, height] = [640, 360];
  const { left, right, top, bottom } = { left: 56, right: 16, top: 24, bottom: 48 };
  const [from, to] = [0.2, 0.9];
  const x = (t: number): number => left + ((t - from) / (to - from)) * (width - left - right);
  const y = (rate: number): number => top + (1 - rate) * (height - top - bottom);
  const steps = Array.from({ length: 141 }, (_, i) => from + (i * (to - from)) / 140);
  const curve = (pick: (r: ErrorRates) => number): string =>
    steps.map((t, i) => `${i === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(pick(errorRatesAt(report.pairs, t))).toFixed(1)}`).join(' ');
  const ticks = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  // The match label goes left of its line, the review label right, so that they never overlap.
  const marker = (t: number, label: string, side: -1 | 1): string =>
    `<line x1="${x(t)}" y1="${top}" x2="${x(t)}" y2="${height - bottom}" stroke="#555" stroke-dasharray="4 3"/>` +
    `<text x="${x(t) + 4 * side}" y="${top + 12}" font-size="11" text-anchor="${side < 0 ? 'end' : 'start'}">${label} ${t.toFixed(3)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#000"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#000"/>`,
    ...ticks.map((t) => `<text x="${x(t)}" y="${height - bottom + 16}" font-size="11" text-anchor="middle">${t.toFixed(1)}</text>`),
    ...[0, 0.25, 0.5, 0.75, 1].map((r) => `<text x="${left - 6}" y="${y(r) + 4}" font-size="11" text-anchor="end">${r * 100}%</text>`),
    `<text x="${(left + width - right) / 2}" y="${height - 12}" font-size="12" text-anchor="middle">distance threshold</text>`,
    `<path d="${curve((r) => r.fmr)}" fill="none" stroke="#c0392b" stroke-width="2"/>`,
    `<path d="${curve((r) => r.fnmr)}" fill="none" stroke="#2471a3" stroke-width="2"/>`,
    marker(report.thresholds.match, 'match', -1),
    marker(report.thresholds.review, 'review', 1),
    `<text x="${x(0.67)}" y="${y(0.82)}" font-size="12" fill="#c0392b">FMR (impostors accepted)</text>`,
    `<text x="${x(0.67)}" y="${y(0.74)}" font-size="12" fill="#2471a3">FNMR (genuine refused)</text>`,
    '</svg>',
    '',
  ].join('\n');
}

export const CALIBRATION_BEGIN = '<!-- calibration:begin (generated by `gatehouse face calibrate`) -->';
export const CALIBRATION_END = '<!-- calibration:end -->';

/** Replaces the generated section of the document, leaving the written prose around it alone. */
export function replaceCalibrationSection(document: string, section: string): string {
  const begin = document.indexOf(CALIBRATION_BEGIN);
  const end = document.indexOf(CALIBRATION_END);
  if (begin < 0 || end < begin) {
    throw new GatehouseError('FACE_DOC_SECTION_MISSING', `The document has no ${CALIBRATION_BEGIN} … ${CALIBRATION_END} section to replace.`);
  }
  return `${document.slice(0, begin + CALIBRATION_BEGIN.length)}\n${section}\n${document.slice(end)}`;
}
