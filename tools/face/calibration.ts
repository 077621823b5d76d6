// Calibration of the verification thresholds over one or more development face sets: every
// same-person (genuine) and cross-person (impostor) pair within each set, the error rates per
// set and pooled, the operating point (each band's threshold meets its false-match target on
// every set, so the hardest set decides) and where the false matches fall by group.
import { join, resolve } from 'node:path';
import { GatehouseError } from '../../main/errors.js';
import { projectRoot } from '../../main/kiosk/project-root.js';
import { descriptorDistance, type DistanceMetric } from '../../main/face/engines/descriptor-distance.js';
import type { VerificationThresholds } from '../../main/face/verification-thresholds.js';
import { groupPairOf, type FaceGroups } from './face-groups.js';

export interface CalibrationSample {
  readonly set: string;
  readonly identity: string;
  readonly file: string;
  /** Null when no face was found: counted as a failure to acquire, left out of the pairs. */
  readonly descriptor: Float32Array | null;
}

/** Two described images of one set and the distance between their descriptors. */
export interface ScoredPair {
  readonly set: string;
  readonly identities: readonly [string, string];
  readonly files: readonly [string, string];
  readonly distance: number;
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

/** One set's figures, or all sets' pairs together (`POOLED`). */
export interface SetCalibration {
  readonly name: string;
  readonly images: number;
  readonly identities: number;
  readonly failedToAcquire: readonly string[];
  readonly pairs: PairDistances;
  /** At the set's own threshold for the match target: the most this model lets through on this set alone. */
  readonly ownMatch: ErrorRates;
  readonly atThresholds: { readonly match: ErrorRates; readonly review: ErrorRates };
  readonly equalErrorRate: ErrorRates;
}

/** Impostor pairs of one group pair (e.g. "East Asian–East Asian") and how many of them the bands let through. */
export interface GroupFalseMatches {
  readonly groupPair: string;
  readonly impostorPairs: number;
  readonly atMatch: number;
  readonly atReview: number;
  readonly closest: number;
}

export interface CalibrationReport {
  readonly targets: FalseMatchTargets;
  readonly thresholds: VerificationThresholds;
  readonly sets: readonly SetCalibration[];
  readonly pooled: SetCalibration;
  /** Error rates on a grid of thresholds (and the chosen two): per set in order, then pooled. */
  readonly table: ReadonlyArray<{ readonly threshold: number; readonly rates: readonly ErrorRates[] }>;
  /** Most false matches first. */
  readonly groups: readonly GroupFalseMatches[];
  /** The impostor pairs nearest to each other, nearest first. */
  readonly closestImpostors: readonly ScoredPair[];
}

/** The development face set: GATEHOUSE_FACES_DIR, else ../shared/data/faces beside the Gatehouse tree. */
export function defaultFacesDir(): string {
  const fromEnv = process.env.GATEHOUSE_FACES_DIR;
  return fromEnv ? resolve(fromEnv) : join(projectRoot, '..', 'shared', 'data', 'faces');
}

export const POOLED = 'pooled';
export const FALSE_MATCH_TARGETS: FalseMatchTargets = { match: 0.001, review: 0.01 };
/** Thresholds are chosen on this grid, rounding towards fewer false matches. */
export const THRESHOLD_STEP = 0.005;
const CLOSEST_IMPOSTORS = 8;

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

export const isGenuine = (pair: ScoredPair): boolean => pair.identities[0] === pair.identities[1];

/** Every two described images of the same set: same person genuine, different people impostor; distances in the engine's metric. */
export function scorePairs(samples: readonly CalibrationSample[], metric: DistanceMetric = 'euclidean'): ScoredPair[] {
  const scored: ScoredPair[] = [];
  const described = samples.flatMap((sample) => (sample.descriptor ? [{ ...sample, descriptor: sample.descriptor }] : []));
  for (let i = 0; i < described.length; i++) {
    for (let j = i + 1; j < described.length; j++) {
      const [a, b] = [described[i], described[j]];
      if (a.set !== b.set) continue;
      scored.push({ set: a.set, identities: [a.identity, b.identity], files: [a.file, b.file], distance: descriptorDistance(metric, a.descriptor, b.descriptor) });
    }
  }
  return scored;
}

export function pairDistances(pairs: readonly ScoredPair[]): PairDistances {
  return {
    genuine: pairs.filter(isGenuine).map((pair) => pair.distance),
    impostor: pairs.filter((pair) => !isGenuine(pair)).map((pair) => pair.distance),
  };
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

/**
 * The largest grid threshold whose false-match rate is at most `maxFmr` on every one of these
 * sets: pooling would let an easy set's many impostor pairs dilute a hard set's false matches.
 */
export function strictestThresholdForFmr(sets: readonly PairDistances[], maxFmr: number, step: number = THRESHOLD_STEP): number {
  const measured = sets.filter((pairs) => pairs.impostor.length > 0);
  if (measured.length === 0) throw new GatehouseError('FACE_DATA_MISSING', 'No impostor pairs: a calibration needs images of at least two people with a face found.');
  return Math.min(...measured.map((pairs) => thresholdForFmr(pairs.impostor, maxFmr, step)));
}

function equalErrorRate(pairs: PairDistances): ErrorRates {
  const candidates = [...new Set([...pairs.genuine, ...pairs.impostor])].sort((a, b) => a - b);
  let best = errorRatesAt(pairs, 0);
  for (const threshold of candidates) {
    const rates = errorRatesAt(pairs, threshold);
    if (Math.abs(rates.fmr - rates.fnmr) < Math.abs(best.fmr - best.fnmr)) best = rates;
  }
  return best;
}

function setCalibration(name: string, samples: readonly CalibrationSample[], pairs: PairDistances, thresholds: VerificationThresholds, targets: FalseMatchTargets): SetCalibration {
  return {
    name,
    images: samples.length,
    identities: new Set(samples.map((sample) => `${sample.set}/${sample.identity}`)).size,
    failedToAcquire: samples.filter((sample) => sample.descriptor === null).map((sample) => `${sample.set}/${sample.file}`),
    pairs,
    ownMatch: errorRatesAt(pairs, thresholdForFmr(pairs.impostor, targets.match)),
    atThresholds: { match: errorRatesAt(pairs, thresholds.match), review: errorRatesAt(pairs, thresholds.review) },
    equalErrorRate: equalErrorRate(pairs),
  };
}

/** Impostor pairs by group pair, with how many of them each band lets through. */
export function falseMatchesByGroup(pairs: readonly ScoredPair[], groups: FaceGroups, thresholds: VerificationThresholds): GroupFalseMatches[] {
  const byGroup = new Map<string, number[]>();
  for (const pair of pairs) {
    if (isGenuine(pair)) continue;
    const key = groupPairOf(groups, pair.set, pair.identities[0], pair.identities[1]);
    byGroup.set(key, [...(byGroup.get(key) ?? []), pair.distance]);
  }
  return [...byGroup].map(([groupPair, distances]) => ({
    groupPair,
    impostorPairs: distances.length,
    atMatch: distances.filter((d) => d <= thresholds.match).length,
    atReview: distances.filter((d) => d <= thresholds.review).length,
    closest: Math.min(...distances),
  })).sort((a, b) => b.atMatch - a.atMatch || b.atReview - a.atReview || a.closest - b.closest);
}

export function calibrate(
  samples: readonly CalibrationSample[], groups: FaceGroups, targets: FalseMatchTargets = FALSE_MATCH_TARGETS, metric: DistanceMetric = 'euclidean',
): CalibrationReport {
  const setNames = [...new Set(samples.map((sample) => sample.set))];
  const scored = scorePairs(samples, metric);
  const perSet = setNames.map((name) => pairDistances(scored.filter((pair) => pair.set === name)));
  const pooledPairs = pairDistances(scored);
  const thresholds = {
    match: strictestThresholdForFmr(perSet, targets.match),
    review: strictestThresholdForFmr(perSet, targets.review),
  };
  const sets = setNames.map((name, i) => setCalibration(name, samples.filter((sample) => sample.set === name), perSet[i], thresholds, targets));
  const grid = Array.from({ length: 19 }, (_, i) => round(0.3 + i * 0.025));
  const tableThresholds = [...new Set([...grid, thresholds.match, thresholds.review])].sort((a, b) => a - b);
  return {
    targets,
    thresholds,
    sets,
    pooled: setCalibration(POOLED, samples, pooledPairs, thresholds, targets),
    table: tableThresholds.map((threshold) => ({ threshold, rates: [...perSet, pooledPairs].map((pairs) => errorRatesAt(pairs, threshold)) })),
    groups: falseMatchesByGroup(scored, groups, thresholds),
    closestImpostors: scored.filter((pair) => !isGenuine(pair)).sort((a, b) => a.distance - b.distance).slice(0, CLOSEST_IMPOSTORS),
  };
}
