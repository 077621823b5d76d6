// The files one package ships, computed from the tree: the import graph of its entries
// and of the files its code starts by path, its assets, and the production npm packages
// the graph needs. The code's own by-path and by-name references are checked against the
// package's lists, so a new worker or a new createRequire cannot be forgotten.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { DebPackageSpec } from './deb-packages.js';
import { importGraph, runtimeReferences, type RuntimeReference } from './import-graph.js';
import { packageClosure, type InstalledPackage } from './npm-closure.js';
import { keepPackageFile, type TargetPlatform } from './package-file-filter.js';
import { unitEntries } from './system-files.js';

/** Folders of the tree that hold development code only: never shipped. */
export const DEVELOPMENT_FOLDERS = ['dist/tools/', 'dist/bench/', 'dist/fuzz/', 'dist/torture/', 'dist/test/', 'test/', 'bench/', 'fuzz/', 'torture/', 'tools/'];

export class PackageContentsError extends Error {
  constructor(readonly packageName: string, message: string) {
    super(`${packageName}: ${message}`);
    this.name = 'PackageContentsError';
  }
}

export interface PackageContents {
  /** Project files that ship, relative to the project root ("/"-separated), sorted; they go to the same place under installDir. */
  readonly files: readonly string[];
  /** The npm packages that ship, with the files of each (relative to the project root). */
  readonly packages: ReadonlyArray<InstalledPackage & { readonly files: readonly string[] }>;
  /** The dist files the import graph reaches (a subset of `files`), for the tests. */
  readonly graphFiles: readonly string[];
}

const toPosix = (path: string): string => path.split(sep).join('/');

/** Every file under `dir` (absolute), as paths relative to `base`. */
function filesUnder(dir: string, base: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => toPosix(relative(base, join(entry.parentPath, entry.name))));
}

function expandAsset(root: string, asset: string): string[] {
  const at = join(root, asset);
  return statSync(at).isDirectory() ? filesUnder(at, root) : [asset];
}

/** The graph's runtime references neither `entries` nor the spec's lists name (empty when the spec is complete). */
export function unlistedReferences(root: string, spec: DebPackageSpec, entries: readonly string[], references: readonly RuntimeReference[]): RuntimeReference[] {
  const files = new Set([...entries, ...spec.startedByPath, ...spec.probedNotShipped].map((file) => join(root, file)));
  const packages = new Set(spec.loadedByName);
  return references.filter((reference) => !(reference.kind === 'file' ? files.has(reference.target) : packages.has(reference.target)));
}

/** What package `spec` ships, built from the tree at `root` for `target`. */
export function packageContents(root: string, spec: DebPackageSpec, target: TargetPlatform): PackageContents {
  const entries = [...new Set([...spec.entries, ...unitEntries(root, spec)])];
  const graph = importGraph([...entries, ...spec.startedByPath].map((entry) => join(root, entry)));
  const references = graph.files.flatMap((file) => runtimeReferences(file, readFileSync(file, 'utf8')));
  const unlisted = unlistedReferences(root, spec, entries, references);
  if (unlisted.length > 0) {
    const said = unlisted.map((reference) => `${toPosix(relative(root, reference.referencedBy))} → ${reference.kind === 'file' ? toPosix(relative(root, reference.target)) : reference.target}`);
    throw new PackageContentsError(spec.name, `the code reaches these other than by import; list them in tools/package/deb-packages.ts: ${said.join('; ')}`);
  }
  const graphFiles = graph.files.map((file) => toPosix(relative(root, file)));
  const files = [...new Set([...graphFiles, ...spec.assets.flatMap((asset) => expandAsset(root, asset))])]
    .filter((file) => !file.endsWith('.map'))
    .sort();
  const development = files.filter((file) => DEVELOPMENT_FOLDERS.some((folder) => file.startsWith(folder)));
  if (development.length > 0) {
    throw new PackageContentsError(spec.name, `development files would ship: ${development.slice(0, 5).join(', ')}`);
  }
  const installed = packageClosure(root, [...new Set([...graph.packages, ...spec.loadedByName])], new Set(spec.optionalPackages));
  const packages = installed.map((found) => ({
    ...found,
    files: filesUnder(join(root, found.dir), join(root, found.dir))
      .filter((file) => keepPackageFile(file, target, existsSync(join(root, found.dir, 'binding.gyp')))
        && !(spec.unusedPackageFiles[found.name] ?? []).some((unused) => file.startsWith(unused)))
      .map((file) => `${found.dir}/${file}`)
      .sort(),
  }));
  return { files, packages, graphFiles };
}
