// The calibration figure of docs/FACE.md, as SVG, one curve per set and pooled: left, FMR and
// FNMR against the distance threshold with the chosen thresholds marked; right, the DET curve
// (FNMR against FMR on a log scale) with the operating points on it.
import { errorRatesAt, type CalibrationReport, type ErrorRates, type PairDistances } from './calibration.js';

const [WIDTH, HEIGHT] = [960, 400];
const PANEL = { top: 44, bottom: 310, legend: 380 };
const RATES = { left: 56, right: 460, from: 0.2, to: 1.0 };
/** The DET panel's FNMR axis ends at this rate: the curves of interest lie far below 100 %. */
const DET = { left: 550, right: 940, minFmr: 1e-4, maxFnmr: 0.5 };
const SET_COLOURS = ['#2471a3', '#c0392b', '#7d3c98', '#148f77', '#b9770e'];
const POOLED_COLOUR = '#555';

const y = (rate: number, top = 1): number => PANEL.top + (1 - Math.min(rate, top) / top) * (PANEL.bottom - PANEL.top);
const yDet = (fnmr: number): number => y(fnmr, DET.maxFnmr);
const xRates = (t: number): number => RATES.left + ((t - RATES.from) / (RATES.to - RATES.from)) * (RATES.right - RATES.left);
/** FMR on a log scale; an FMR of 0 sits on the left edge. */
const xDet = (fmr: number): number => {
  const decades = -Math.log10(DET.minFmr);
  const at = Math.log10(Math.max(fmr, DET.minFmr)) + decades;
  return DET.left + (at / decades) * (DET.right - DET.left);
};
const point = (x: number, yy: number): string => `${x.toFixed(1)},${yy.toFixed(1)}`;
const path = (points: readonly string[], colour: string, dashed = false): string =>
  `<path d="M${points.join(' L')}" fill="none" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
const text = (x: number, yy: number, content: string, attributes = '', size = 11): string =>
  `<text x="${x.toFixed(1)}" y="${yy.toFixed(1)}" font-size="${size}"${attributes}>${content}</text>`;

interface Axes {
  readonly left: number;
  readonly right: number;
  readonly title: string;
  readonly xLabel: string;
  readonly xTicks: ReadonlyArray<readonly [number, string]>;
  readonly yTicks: ReadonlyArray<readonly [number, string]>;
}

function axes({ left, right, title, xLabel, xTicks, yTicks }: Axes): string[] {
  return [
    text(left, PANEL.top - 24, title, ' font-weight="bold"', 12),
    `<line x1="${left}" y1="${PANEL.bottom}" x2="${right}" y2="${PANEL.bottom}" stroke="#000"/>`,
    `<line x1="${left}" y1="${PANEL.top}" x2="${left}" y2="${PANEL.bottom}" stroke="#000"/>`,
    ...xTicks.map(([x, label]) => text(x, PANEL.bottom + 16, label, ' text-anchor="middle"')),
    ...yTicks.map(([yy, label]) => text(left - 6, yy + 4, label, ' text-anchor="end"')),
    text((left + right) / 2, PANEL.bottom + 34, xLabel, ' text-anchor="middle"', 12),
  ];
}

const percentTicks = (rates: readonly number[], at: (rate: number) => number): Array<[number, string]> =>
  rates.map((rate) => [at(rate), `${Math.round(rate * 100)}%`]);

/** FMR (solid) and FNMR (dashed) of one set against the threshold. */
function rateCurves(pairs: PairDistances, colour: string): string[] {
  const steps = Array.from({ length: 161 }, (_, i) => RATES.from + (i * (RATES.to - RATES.from)) / 160);
  const rates = steps.map((t) => errorRatesAt(pairs, t));
  return [
    path(rates.map((r) => point(xRates(r.threshold), y(r.fmr))), colour),
    path(rates.map((r) => point(xRates(r.threshold), y(r.fnmr))), colour, true),
  ];
}

function detCurve(pairs: PairDistances, colour: string, operating: readonly ErrorRates[]): string[] {
  const steps = Array.from({ length: 361 }, (_, i) => 0.2 + i * 0.0025);
  const points = steps.map((t) => errorRatesAt(pairs, t)).map((r) => point(xDet(r.fmr), yDet(r.fnmr)));
  return [
    path(points, colour),
    ...operating.map((r, i) => i === 0
      ? `<circle cx="${xDet(r.fmr).toFixed(1)}" cy="${yDet(r.fnmr).toFixed(1)}" r="4" fill="${colour}"/>`
      : `<rect x="${(xDet(r.fmr) - 4).toFixed(1)}" y="${(yDet(r.fnmr) - 4).toFixed(1)}" width="8" height="8" fill="none" stroke="${colour}" stroke-width="2"/>`),
  ];
}

export function renderCalibrationSvg(report: CalibrationReport): string {
  const curves = [
    ...report.sets.map((set, i) => ({ set, colour: SET_COLOURS[i % SET_COLOURS.length] })),
    { set: report.pooled, colour: POOLED_COLOUR },
  ];
  const marker = (t: number, label: string, side: -1 | 1): string =>
    `<line x1="${xRates(t)}" y1="${PANEL.top}" x2="${xRates(t)}" y2="${PANEL.bottom}" stroke="#555" stroke-dasharray="4 3"/>` +
    text(xRates(t) + 4 * side, PANEL.top + 12, `${label} ${t.toFixed(3)}`, ` text-anchor="${side < 0 ? 'end' : 'start'}"`);
  const fmrTicks: Array<[number, string]> = [[1e-4, '0.01%'], [1e-3, '0.1%'], [1e-2, '1%'], [1e-1, '10%'], [1, '100%']];
  const legend = curves.map(({ set, colour }, i) => {
    const x = RATES.left + i * 120;
    return `<line x1="${x}" y1="${PANEL.legend}" x2="${x + 24}" y2="${PANEL.legend}" stroke="${colour}" stroke-width="2"/>` +
      text(x + 30, PANEL.legend + 4, set.name);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    ...axes({
      left: RATES.left, right: RATES.right, title: 'Error rates against the distance threshold', xLabel: 'distance threshold',
      xTicks: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0].map((t) => [xRates(t), t.toFixed(1)]),
      yTicks: percentTicks([0, 0.25, 0.5, 0.75, 1], (rate) => y(rate)),
    }),
    ...axes({
      left: DET.left, right: DET.right, title: 'DET: FNMR against FMR (● match, □ review)', xLabel: 'FMR (log scale)',
      xTicks: fmrTicks.map(([fmr, label]) => [xDet(fmr), label]),
      yTicks: percentTicks([0, 0.1, 0.2, 0.3, 0.4, 0.5], yDet),
    }),
    ...curves.flatMap(({ set, colour }) => rateCurves(set.pairs, colour)),
    marker(report.thresholds.match, 'match', -1),
    marker(report.thresholds.review, 'review', 1),
    ...curves.flatMap(({ set, colour }) => detCurve(set.pairs, colour, [set.atThresholds.match, set.atThresholds.review])),
    ...legend,
    text(RATES.left + curves.length * 120 + 20, PANEL.legend + 4, 'solid: FMR (impostors accepted), dashed: FNMR (genuine refused)'),
    '</svg>',
    '',
  ].join('\n');
}
