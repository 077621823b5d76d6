// The development face sets a calibration reads, in either of their two layouts: one folder per
// person (`identities/NAME/*`, as in faces/) or one flat folder of `<person>__<n>.<jpg|png>`
// files with a `pairs.csv` of labelled pairs (as in faces2-dev/). The person comes from the
// folder or the file name; pairs.csv must agree with the names, so both mean the same people.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parsePairs, type PairToVerify } from '../../main/cli/commands/face.js';
import { GatehouseError } from '../../main/errors.js';
import { projectRoot } from '../../main/kiosk/project-root.js';
import { defaultFacesDir } from './calibration.js';

export type FaceSetLayout = 'identities' | 'flat';

export interface FaceSetImage {
  readonly identity: string;
  /** Relative to the set's folder, with `/`. */
  readonly file: string;
}

export interface FaceSet {
  readonly name: string;
  readonly dir: string;
  readonly layout: FaceSetLayout;
  readonly images: readonly FaceSetImage[];
  /** The set's own pairs.csv (flat layout), checked against the file names; empty when there is none. */
  readonly listedPairs: readonly PairToVerify[];
}

export interface FaceSetLocation {
  readonly name: string;
  readonly dir: string;
}

const IMAGE_FILE = /\.(jpe?g|png)$/i;
const FLAT_NAME = /^(.+)__(\d+)\.(jpe?g|png)$/i;
const SET_NAME = /^[a-z0-9][a-z0-9._-]*$/i;

function invalid(message: string, details: Record<string, unknown>): GatehouseError {
  return new GatehouseError('FACE_SET_INVALID', message, details);
}

/** The person of a flat-layout file (`kofi_annan__3.jpg` → `kofi_annan`), or null for any other name. */
export function identityOfFlatName(file: string): string | null {
  return FLAT_NAME.exec(file)?.[1] ?? null;
}

/**
 * The set's pairs.csv (`a,b,label`, paths relative to the set): every line names two images of
 * the set, has a label, and the label says what the file names say (1 same person, 0 different).
 */
export function readListedPairs(text: string, dir: string, images: readonly FaceSetImage[]): PairToVerify[] {
  const identityOf = new Map(images.map((image) => [resolve(dir, image.file), image.identity]));
  return parsePairs(text, dir).map((job) => {
    if ('error' in job) throw invalid(`pairs.csv: ${job.error.message}`, { line: job.line });
    const { line, pair, label } = job;
    if (label === undefined) throw invalid(`pairs.csv line ${line} has no label (1 same person, 0 different).`, { line });
    const [a, b] = pair.map((path) => identityOf.get(path));
    if (a === undefined || b === undefined) {
      throw invalid(`pairs.csv line ${line} names ${a === undefined ? pair[0] : pair[1]}, which is not an image of the set.`, { line });
    }
    if ((a === b) !== (label === 1)) {
      throw invalid(`pairs.csv line ${line} labels ${relative(dir, pair[0])} and ${relative(dir, pair[1])} ${label === 1 ? 'the same person' : 'different people'}; their names do not.`, { line });
    }
    return job;
  });
}

/** `NAME=DIR` of `--set`. */
export function parseSetOption(value: string): FaceSetLocation {
  const at = value.indexOf('=');
  const name = value.slice(0, at);
  const dir = value.slice(at + 1);
  if (at < 0 || !SET_NAME.test(name) || dir === '') {
    throw new GatehouseError('CLI_INVALID_OPTIONS', `--set takes NAME=DIR (e.g. faces2-dev=../shared/data/faces2-dev), not "${value}".`, { value });
  }
  return { name, dir: resolve(dir) };
}

/** faces/ (GATEHOUSE_FACES_DIR) and faces2-dev/ (GATEHOUSE_FACES2_DEV_DIR), by default both under ../shared/data. */
export function defaultFaceSets(): FaceSetLocation[] {
  const faces2Dev = process.env.GATEHOUSE_FACES2_DEV_DIR;
  return [
    { name: 'faces', dir: defaultFacesDir() },
    { name: 'faces2-dev', dir: faces2Dev ? resolve(faces2Dev) : join(projectRoot, '..', 'shared', 'data', 'faces2-dev') },
  ];
}

async function imageFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && IMAGE_FILE.test(entry.name)).map((entry) => entry.name).sort();
}

/** Reads a set in whichever layout it has: `identities/` inside it, or flat `<person>__<n>` files. */
export async function readFaceSet(location: FaceSetLocation): Promise<FaceSet> {
  const { name, dir } = location;
  if (!existsSync(dir)) throw new GatehouseError('FACE_DATA_MISSING', `No face set "${name}" at ${dir}.`, { path: dir });
  const identitiesDir = join(dir, 'identities');
  if (existsSync(identitiesDir)) {
    const identities = (await readdir(identitiesDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    const images = (await Promise.all(identities.map(async (identity) =>
      (await imageFiles(join(identitiesDir, identity))).map((file) => ({ identity, file: `identities/${identity}/${file}` })),
    ))).flat();
    return { name, dir, layout: 'identities', images, listedPairs: [] };
  }
  const files = await imageFiles(dir);
  const images = files.map((file) => {
    const identity = identityOfFlatName(file);
    if (identity === null) throw invalid(`${join(dir, file)} is not named <person>__<n>.<jpg|png>: whose face is it?`, { path: join(dir, file) });
    return { identity, file };
  });
  if (images.length === 0) {
    throw new GatehouseError('FACE_DATA_MISSING', `${dir} has neither identities/NAME/* nor <person>__<n>.<jpg|png> images.`, { path: dir });
  }
  const pairsFile = join(dir, 'pairs.csv');
  const listedPairs = existsSync(pairsFile) ? readListedPairs(await readFile(pairsFile, 'utf8'), dir, images) : [];
  return { name, dir, layout: 'flat', images, listedPairs };
}
