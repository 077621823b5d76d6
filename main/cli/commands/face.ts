// `gatehouse face verify|analyze`: 1:1 verification of image pairs (one pair or a batch
// file, models loaded once) and face boxes and quality of one image. Unreadable images give
// an error line, never a stop. (Threshold calibration is a development tool: tools/cli.)
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { GatehouseError } from '../../errors.js';
import { FaceAnalyzer, verificationContext, type DescribedFace } from '../../face/face-analyzer.js';
import type { EngineFacts } from '../../face/engines/recognition-engine.js';
import type { QualityReport } from '../../face/quality.js';
import type { Rect } from '../../face/rgba-image.js';
import { verifyDescribed, type FaceSummary } from '../../face/verification.js';
import { toErrorPayload, toRgba, type ErrorPayload } from '../../face/worker-protocol.js';

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
  /** The line's label, when it has one: 1 same person, 0 different. */
  readonly label?: 0 | 1;
  readonly distance: number | null;
  readonly decision: string;
  readonly thresholds: { readonly match: number; readonly review: number };
  readonly quality: { readonly a: FaceQualityJson; readonly b: FaceQualityJson };
  readonly modelHash: string;
  readonly backend: string;
  readonly engine: EngineFacts;
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

export async function readImage(path: string) {
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

/** A line `pathA,pathB[,label]`; label 1 says the two are the same person, 0 that they are not (as in faces2-dev's pairs.csv). */
export interface PairToVerify {
  readonly line: number;
  readonly pair: readonly [string, string];
  readonly label?: 0 | 1;
}

export type PairJob = PairToVerify | { readonly line: number; readonly error: ErrorPayload };

/** What a batch needs of the analyzer: describing an image, and the model and backend to name. */
export type FaceDescriber = Pick<FaceAnalyzer, 'describe' | 'info'>;

/**
 * Each distinct image of a batch described once, by resolved path, as a portrait (its largest
 * face). Its reading as a live capture follows from that without describing it again: the live
 * role takes the same face when there is exactly one and none when there are several.
 */
export class DescribedImages {
  private readonly byPath = new Map<string, Promise<DescribedFace>>();

  constructor(private readonly analyzer: FaceDescriber) {}

  get info(): FaceDescriber['info'] {
    return this.analyzer.info;
  }

  /** How many distinct images were described (or failed to read). */
  get count(): number {
    return this.byPath.size;
  }

  portrait(path: string): Promise<DescribedFace> {
    let described = this.byPath.get(path);
    if (!described) {
      described = readImage(path).then((image) => this.analyzer.describe(image, 'portrait'));
      this.byPath.set(path, described);
    }
    return described;
  }

  async live(path: string): Promise<DescribedFace> {
    const described = await this.portrait(path);
    return described.state === 'several-faces' ? { ...described, face: null, descriptor: null } : described;
  }
}

/** A treated like a live capture (exactly one face), B like a document portrait (its largest face). */
export async function verifyPair(images: DescribedImages, job: PairToVerify): Promise<FaceVerifyJson | FaceErrorJson> {
  const { pair, label } = job;
  try {
    const [live, portrait] = [await images.live(pair[0]), await images.portrait(pair[1])];
    const result = verifyDescribed([live], portrait, verificationContext(images.info));
    return {
      pair,
      ...(label === undefined ? {} : { label }),
      distance: result.distance === null ? null : round(result.distance),
      decision: result.decision,
      thresholds: result.thresholds,
      quality: { a: summaryJson(result.live[0]), b: summaryJson(result.portrait) },
      modelHash: result.modelHash,
      backend: result.backend,
      engine: result.engine,
    };
  } catch (error) {
    return { error: toErrorPayload(error), pair };
  }
}

/** The batch's results in the order of its lines; `images` describes each image once. */
export async function* verifyPairs(images: DescribedImages, jobs: readonly PairJob[]): AsyncGenerator<FaceVerifyJson | FaceErrorJson> {
  for (const job of jobs) yield 'error' in job ? { error: job.error, line: job.line } : await verifyPair(images, job);
}

/** Blank lines and `#` comments are skipped; relative paths are from the file's folder. */
export function parsePairs(text: string, baseDir: string): PairJob[] {
  return text.split(/\r?\n/).flatMap((raw, index): PairJob[] => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return [];
    const parts = content.split(',').map((part) => part.trim());
    const [a, b, label] = parts;
    if (parts.length < 2 || parts.length > 3 || !a || !b || (label !== undefined && label !== '0' && label !== '1')) {
      return [{ line, error: { code: 'FACE_PAIRS_LINE_INVALID', message: `Line ${line} is not "pathA,pathB" or "pathA,pathB,label" (label 0 or 1).`, details: { line } } }];
    }
    const pair: [string, string] = [resolve(baseDir, a), resolve(baseDir, b)];
    return [label === undefined ? { line, pair } : { line, pair, label: label === '1' ? 1 : 0 }];
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
  const described = new DescribedImages(await FaceAnalyzer.load());
  let failed = 0;
  for await (const json of verifyPairs(described, jobs)) {
    if ('error' in json) failed++;
    printVerify(json, options.json === true);
  }
  if (options.pairs) process.stderr.write(`face verify: ${jobs.length} lines, ${described.count} distinct images, each described once\n`);
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

export function registerFaceCommand(program: Command): void {
  const face = program.command('face').description('face verification and quality');
  face.command('verify')
    .description('compare faces: A (a live capture, one face) against B (a document portrait)')
    .argument('[images...]', 'A and B (JPEG or PNG)')
    .option('--pairs <file>', 'lines "pathA,pathB[,label]" (relative to the file); one result per line, each image described once')
    .option('--json', 'print one JSON object per pair')
    .action((images: string[], options: { json?: boolean; pairs?: string }) => runVerify(images, options));
  face.command('analyze')
    .description('faces in an image with their boxes and quality')
    .argument('<image>', 'JPEG or PNG')
    .option('--json', 'print JSON')
    .action((image: string, options: { json?: boolean }) => runAnalyze(image, options));
}
