// `gatehouse face verify|analyze|calibrate`: 1:1 verification of image pairs (one pair or a
// batch file, models loaded once), face boxes and quality of one image, and the threshold
// calibration that writes docs/FACE.md. Unreadable images give an error line, never a stop.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { GatehouseError } from '../../errors.js';
import {
  calibrate,
  defaultFacesDir,
  renderCalibrationMarkdown,
  renderCalibrationSvg,
  replaceCalibrationSection,
  type CalibrationSample,
} from '../../face/calibration.js';
import { FaceAnalyzer } from '../../face/face-analyzer.js';
import type { QualityReport } from '../../face/quality.js';
import type { Rect } from '../../face/rgba-image.js';
import type { FaceSummary } from '../../face/verification.js';
import { VERIFICATION_THRESHOLDS } from '../../face/verification-thresholds.js';
import { toErrorPayload, toRgba, type ErrorPayload } from '../../face/worker-protocol.js';
import { printJson } from '../cli-context.js';

export interface FaceQualityJson {
  readonly state: string;
  readonly box: Rect | null;
  readonly ok: boolean | null;
  readonly score: number | null;
  readonly measures: Record<string, number | string> | null;
  /** Codes of the failed checks' instructions, most important first. */
  readonly advice: readonly string[];
}

export interface FaceVerifyJson {
  readonly pair: readonly [string, string];
  readonly distance: number | null;
  readonly decision: string;
  readonly thresholds: { readonly match: number; readonly review: number };
  readonly quality: { readonly a: FaceQualityJson; readonly b: FaceQualityJson };
  readonly modelHash: string;
  readonly backend: string;
}

export interface FaceErrorJson {
  readonly error: ErrorPayload;
  readonly pair?: readonly [string, string];
  readonly line?: number;
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

function qualityJson(state: string, box: Rect | null, quality: QualityReport | null): FaceQualityJson {
  return {
    state,
    box: box && { x: round(box.x), y: round(box.y), width: round(box.width), height: round(box.height) },
    ok: quality?.ok ?? null,
    score: quality ? round(quality.score) : null,
    measures: quality && Object.fromEntries(Object.entries(quality.measures).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v])),
    advice: quality ? quality.checks.flatMap((check) => (!check.ok && check.instruction ? [check.instruction.code] : [])) : [],
  };
}

const summaryJson = (face: FaceSummary): FaceQualityJson => qualityJson(face.state, face.box, face.quality);

async function readImage(path: string) {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new GatehouseError('FACE_IMAGE_UNREADABLE', `Cannot read ${path} (${reason}).`, { path });
  }
  try {
    return toRgba(bytes);
  } catch (error) {
    if (error instanceof GatehouseError) throw new GatehouseError(error.code, `${path}: ${error.message}`, { ...error.details, path });
    throw error;
  }
}

/** A treated like a live capture (exactly one face), B like a document portrait (its largest face). */
export async function verifyPair(analyzer: FaceAnalyzer, pair: readonly [string, string]): Promise<FaceVerifyJson | FaceErrorJson> {
  try {
    const [live, portrait] = [await readImage(pair[0]), await readImage(pair[1])];
    const result = await analyzer.verify([live], portrait);
    return {
      pair,
      distance: result.distance === null ? null : round(result.distance),
      decision: result.decision,
      thresholds: result.thresholds,
      quality: { a: summaryJson(result.live[0]), b: summaryJson(result.portrait) },
      modelHash: result.modelHash,
      backend: result.backend,
    };
  } catch (error) {
    return { error: toErrorPayload(error), pair };
  }
}

/** Lines `pathA,pathB`; blank lines and `#` comments are skipped; relative paths are from the file's folder. */
export type PairJob = { readonly line: number; readonly pair: readonly [string, string] } | { readonly line: number; readonly error: ErrorPayload };

export function parsePairs(text: string, baseDir: string): PairJob[] {
  return text.split(/\r?\n/).flatMap((raw, index): PairJob[] => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return [];
    const parts = content.split(',').map((part) => part.trim());
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      return [{ line, error: { code: 'FACE_PAIRS_LINE_INVALID', message: `Line ${line} is not "pathA,pathB".`, details: { line } } }];
    }
    return [{ line, pair: [resolve(baseDir, parts[0]), resolve(baseDir, parts[1])] }];
  });
}

function printVerify(json: FaceVerifyJson | FaceErrorJson, asJson: boolean): void {
  if (asJson) {
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } else if ('error' in json) {
    process.stdout.write(`error     ${json.error.code}  ${json.error.message}\n`);
  } else {
    const distance = json.distance === null ? '   -  ' : json.distance.toFixed(3);
    process.stdout.write(`${json.decision.padEnd(9)} ${distance}  ${json.pair[0]}  ${json.pair[1]}\n`);
  }
}

async function runVerify(images: string[], options: { json?: boolean; pairs?: string }): Promise<void> {
  let jobs: PairJob[];
  if (options.pairs) {
    const file = resolve(options.pairs);
    const text = await readFile(file, 'utf8').catch(() => {
      throw new GatehouseError('FACE_PAIRS_UNREADABLE', `Cannot read the pairs file ${file}.`, { path: file });
    });
    jobs = parsePairs(text, dirname(file));
  } else if (images.length === 2) {
    jobs = [{ line: 1, pair: [resolve(images[0]), resolve(images[1])] }];
  } else {
    throw new GatehouseError('FACE_VERIFY_USAGE', 'Give two images (A is the live capture, B the portrait) or --pairs FILE.');
  }
  const analyzer = await FaceAnalyzer.load();
  let failed = 0;
  for (const job of jobs) {
    const json = 'error' in job ? { error: job.error, line: job.line } : await verifyPair(analyzer, job.pair);
    if ('error' in json) failed++;
    printVerify(json, options.json === true);
  }
  if (failed > 0) process.exitCode = 1;
}

async function runAnalyze(image: string, options: { json?: boolean }): Promise<void> {
  const analyzer = await FaceAnalyzer.load();
  const path = resolve(image);
  const still = await analyzer.analyzeStill(await readImage(path));
  const faces = still.faces.map((face) => ({ ...qualityJson('face', face.box, face.quality), detectionScore: round(face.score) }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ image: path, width: still.width, height: still.height, state: still.state, faces })}\n`);
    return;
  }
  process.stdout.write(`${path}: ${still.width}×${still.height}, ${still.state}\n`);
  faces.forEach((face, i) => {
    const box = face.box ? `${face.box.x},${face.box.y} ${face.box.width}×${face.box.height}` : '-';
    process.stdout.write(`  face ${i + 1}: box ${box}, quality ${face.ok ? 'ok' : `to fix: ${face.advice.join(', ')}`}\n`);
  });
}

const IMAGE_FILE = /\.(jpe?g|png)$/i;

async function runCalibrate(options: { faces?: string; doc: string; plot: string; json?: boolean }): Promise<void> {
  const facesDir = resolve(options.faces ?? defaultFacesDir());
  const identitiesDir = join(facesDir, 'identities');
  const identities = (await readdir(identitiesDir, { withFileTypes: true }).catch(() => {
    throw new GatehouseError('FACE_DATA_MISSING', `No face set at ${identitiesDir}; set GATEHOUSE_FACES_DIR or pass --faces.`, { path: identitiesDir });
  })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const files = (await Promise.all(identities.map(async (identity) =>
    (await readdir(join(identitiesDir, identity))).filter((file) => IMAGE_FILE.test(file)).sort().map((file) => ({ identity, file: `${identity}/${file}` })),
  ))).flat();
  const analyzer = await FaceAnalyzer.load();
  const samples: CalibrationSample[] = [];
  for (const [index, { identity, file }] of files.entries()) {
    process.stderr.write(`calibrate: ${index + 1}/${files.length} ${file}\n`);
    const described = await readImage(join(identitiesDir, file)).then((image) => analyzer.describe(image, 'portrait'), () => null);
    samples.push({ identity, file, descriptor: described?.descriptor ?? null });
  }
  const report = calibrate(samples);
  const docPath = resolve(options.doc);
  const plotPath = resolve(options.plot);
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.versions.node}`;
  const section = renderCalibrationMarkdown(report, {
    facesDir: relative(process.cwd(), facesDir) || '.',
    modelHash: analyzer.info.modelHash,
    backend: `${analyzer.info.backend}${analyzer.info.simd ? ' + SIMD' : ''}`,
    machine,
    plotFile: relative(dirname(docPath), plotPath),
  });
  await writeFile(docPath, replaceCalibrationSection(await readFile(docPath, 'utf8'), section));
  await writeFile(plotPath, renderCalibrationSvg(report));
  const inUse = VERIFICATION_THRESHOLDS;
  const current = report.thresholds.match === inUse.match && report.thresholds.review === inUse.review;
  if (options.json) {
    printJson({ thresholds: report.thresholds, inUse, current, genuinePairs: report.pairs.genuine.length, impostorPairs: report.pairs.impostor.length, doc: docPath, plot: plotPath });
    return;
  }
  process.stdout.write(`match ≤ ${report.thresholds.match}, review ≤ ${report.thresholds.review}; wrote ${docPath} and ${plotPath}\n`);
  if (!current) process.stdout.write(`main/face/verification-thresholds.ts still says match ≤ ${inUse.match}, review ≤ ${inUse.review}: update it.\n`);
}

export function registerFaceCommand(program: Command): void {
  const face = program.command('face').description('face verification, quality and calibration');
  face.command('verify')
    .description('compare faces: A (a live capture, one face) against B (a document portrait)')
    .argument('[images...]', 'A and B (JPEG or PNG)')
    .option('--pairs <file>', 'lines "pathA,pathB" (relative to the file); one result per line')
    .option('--json', 'print one JSON object per pair')
    .action((images: string[], options: { json?: boolean; pairs?: string }) => runVerify(images, options));
  face.command('analyze')
    .description('faces in an image with their boxes and quality')
    .argument('<image>', 'JPEG or PNG')
    .option('--json', 'print JSON')
    .action((image: string, options: { json?: boolean }) => runAnalyze(image, options));
  face.command('calibrate')
    .description('choose the verification thresholds on the development face set and write docs/FACE.md')
    .option('--faces <dir>', 'face set with identities/NAME/* (default: $GATEHOUSE_FACES_DIR or ../shared/data/faces)')
    .option('--doc <file>', 'document with the calibration section', 'docs/FACE.md')
    .option('--plot <file>', 'SVG plot to write', 'docs/face-calibration.svg')
    .option('--json', 'print JSON')
    .action((options: { faces?: string; doc: string; plot: string; json?: boolean }) => runCalibrate(options));
}
