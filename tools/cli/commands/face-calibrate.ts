// `gatehouse face calibrate` (development checkouts only): describes every image of the
// development face sets once, chooses the verification thresholds for the false-match targets
// on every set and rewrites the calibration section of docs/FACE.md with its plot. Lives in
// tools/ because a kiosk never calibrates: the thresholds it uses are code
// (main/face/verification-thresholds.ts). With --engine MANIFEST it chooses a plugged-in
// engine's bands the same way and prints them for its manifest instead.
import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { GatehouseError } from '../../../main/errors.js';
import { FaceAnalyzer } from '../../../main/face/face-analyzer.js';
import type { EngineInfo } from '../../../main/face/engines/recognition-engine.js';
import { VERIFICATION_THRESHOLDS, type VerificationThresholds } from '../../../main/face/verification-thresholds.js';
import { printJson } from '../../../main/cli/cli-context.js';
import { readImage } from '../../../main/cli/commands/face.js';
import { calibrate, FALSE_MATCH_TARGETS, type CalibrationReport, type CalibrationSample } from '../../face/calibration.js';
import { renderCalibrationSvg } from '../../face/calibration-plot.js';
import { renderCalibrationMarkdown, replaceCalibrationSection } from '../../face/calibration-report.js';
import { DEFAULT_FACE_GROUPS_FILE, readFaceGroups } from '../../face/face-groups.js';
import { defaultFaceSets, parseSetOption, readFaceSet, type FaceSet, type FaceSetLocation } from '../../face/face-sets.js';

interface CalibrateOptions {
  readonly set?: FaceSetLocation[];
  readonly engine?: string;
  readonly groups: string;
  readonly doc: string;
  readonly plot: string;
  readonly json?: boolean;
}

/** Each image described once, as a portrait (its largest face); an unreadable image counts as no face. */
async function describeSets(analyzer: FaceAnalyzer, sets: readonly FaceSet[]): Promise<CalibrationSample[]> {
  const total = sets.reduce((sum, set) => sum + set.images.length, 0);
  const samples: CalibrationSample[] = [];
  for (const set of sets) {
    for (const { identity, file } of set.images) {
      process.stderr.write(`calibrate: ${samples.length + 1}/${total} ${set.name}/${file}\n`);
      const described = await readImage(join(set.dir, file)).then((image) => analyzer.describe(image, 'portrait'), () => null);
      samples.push({ set: set.name, identity, file, descriptor: described?.descriptor ?? null });
    }
  }
  return samples;
}

async function runCalibrate(options: CalibrateOptions): Promise<void> {
  const locations = options.set ?? defaultFaceSets();
  if (new Set(locations.map((location) => location.name)).size < locations.length) {
    throw new GatehouseError('CLI_INVALID_OPTIONS', 'Each --set needs a name of its own.', { sets: locations.map((location) => location.name) });
  }
  const sets: FaceSet[] = [];
  for (const location of locations) sets.push(await readFaceSet(location));
  const groups = await readFaceGroups(resolve(options.groups));
  // Without --engine the bundled engine, whatever $GATEHOUSE_FACE_ENGINE says: its figures are docs/FACE.md's.
  const analyzer = await FaceAnalyzer.load({ engine: { manifest: options.engine ?? null, calibrating: true } });
  const { engine } = analyzer.info;
  const report = calibrate(await describeSets(analyzer, sets), groups, FALSE_MATCH_TARGETS, engine.metric);
  await analyzer.close();
  if (options.engine) return printEngineBands(report, engine, options.json === true);
  const docPath = resolve(options.doc);
  const plotPath = resolve(options.plot);
  const shown = (path: string): string => relative(process.cwd(), path) || '.';
  const section = renderCalibrationMarkdown(report, {
    sets: sets.map((set) => ({ name: set.name, dir: shown(set.dir), listedPairs: set.listedPairs.length })),
    groupsFile: shown(resolve(options.groups)),
    modelHash: analyzer.info.modelHash,
    backend: `${analyzer.info.backend}${analyzer.info.simd ? ' + SIMD' : ''}`,
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.versions.node}`,
    plotFile: relative(dirname(docPath), plotPath),
  });
  await writeFile(docPath, replaceCalibrationSection(await readFile(docPath, 'utf8'), section));
  await writeFile(plotPath, renderCalibrationSvg(report));
  const inUse = VERIFICATION_THRESHOLDS;
  const current = sameBands(report.thresholds, inUse);
  if (options.json) {
    printJson({ thresholds: report.thresholds, inUse, current, sets: perSetFigures(report), doc: docPath, plot: plotPath });
    return;
  }
  process.stdout.write(`match ≤ ${report.thresholds.match}, review ≤ ${report.thresholds.review}; wrote ${docPath} and ${plotPath}\n`);
  if (!current) process.stdout.write(`main/face/verification-thresholds.ts still says match ≤ ${inUse.match}, review ≤ ${inUse.review}: update it.\n`);
}

const sameBands = (a: VerificationThresholds, b: VerificationThresholds | null): boolean => b !== null && a.match === b.match && a.review === b.review;

function perSetFigures(report: CalibrationReport) {
  return [...report.sets, report.pooled].map((set) => ({
    name: set.name,
    genuinePairs: set.pairs.genuine.length,
    impostorPairs: set.pairs.impostor.length,
    tarAtMatch: 1 - set.atThresholds.match.fnmr,
    fmrAtMatch: set.atThresholds.match.fmr,
    tarWithinReview: 1 - set.atThresholds.review.fnmr,
    fmrWithinReview: set.atThresholds.review.fmr,
  }));
}

/** A plugged-in engine's bands and what they let through per set, for the deployment to put into its manifest. */
function printEngineBands(report: CalibrationReport, engine: EngineInfo, json: boolean): void {
  const current = sameBands(report.thresholds, engine.thresholds);
  if (json) {
    printJson({ engine: { id: engine.id, modelSha256: engine.modelSha256, metric: engine.metric }, thresholds: report.thresholds, inUse: engine.thresholds, current, sets: perSetFigures(report) });
    return;
  }
  const percent = (rate: number): string => `${(rate * 100).toFixed(2)} %`;
  process.stdout.write(`engine ${engine.id} (${engine.metric} distance): match ≤ ${report.thresholds.match}, review ≤ ${report.thresholds.review}\n`);
  for (const set of perSetFigures(report)) {
    process.stdout.write(`  ${set.name}: TAR ${percent(set.tarAtMatch)} at match (FMR ${percent(set.fmrAtMatch)}), ` +
      `${percent(set.tarWithinReview)} within review (FMR ${percent(set.fmrWithinReview)}); ${set.genuinePairs} genuine, ${set.impostorPairs} impostor pairs\n`);
  }
  process.stdout.write(current ? 'The manifest already has these thresholds.\n'
    : `Put into the manifest: "thresholds": ${JSON.stringify(report.thresholds)}\n`);
}

/** Adds `calibrate` to the kiosk CLI's `face` command. */
export function registerFaceCalibrateCommand(program: Command): void {
  const face = program.commands.find((command) => command.name() === 'face');
  if (!face) throw new Error('the kiosk CLI has no face command to add calibrate to');
  face.command('calibrate')
    .description('choose the verification thresholds on the development face sets and write docs/FACE.md')
    .option('--set <name=dir>', 'a face set: identities/NAME/* or <person>__<n>.<jpg|png> with pairs.csv; repeatable ' +
      '(default: faces=$GATEHOUSE_FACES_DIR or ../shared/data/faces, faces2-dev=$GATEHOUSE_FACES2_DEV_DIR or ../shared/data/faces2-dev)',
    (value: string, previous: FaceSetLocation[] = []) => [...previous, parseSetOption(value)])
    .option('--engine <manifest>', 'calibrate this ONNX engine (its manifest) and print its bands, instead of the bundled engine and docs/FACE.md')
    .option('--groups <file>', 'person → group of each set', DEFAULT_FACE_GROUPS_FILE)
    .option('--doc <file>', 'document with the calibration section', 'docs/FACE.md')
    .option('--plot <file>', 'SVG plot to write', 'docs/face-calibration.svg')
    .option('--json', 'print JSON')
    .action((options: CalibrateOptions) => runCalibrate(options));
}
