// The production npm packages a package ships: the closure, over `dependencies`,
// installed `optionalDependencies` and required peers, of the packages the import graph
// names, found in this checkout's installed node_modules tree the way Node resolves them
// (nearest node_modules first). Nothing is installed or fetched: what ships is what the
// tests ran against, native addons included.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** The package's folder relative to the project root, with "/" separators (node_modules/a/node_modules/b). */
  readonly dir: string;
  /** The licence as its package.json states it ("UNKNOWN" when it does not). */
  readonly license: string;
}

export class MissingPackageError extends Error {
  constructor(readonly packageName: string, readonly requiredBy: string) {
    super(`${requiredBy} needs the npm package ${packageName}, which is not installed in node_modules (run "npm ci")`);
    this.name = 'MissingPackageError';
  }
}

interface PackageJson {
  name: string;
  version: string;
  license?: string | { type?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function readManifest(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Where Node finds package `name` required from folder `from` (inside `root`); null when nowhere. */
export function locatePackage(root: string, from: string, name: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
  }
}

function licenseOf(manifest: PackageJson): string {
  const { license } = manifest;
  if (typeof license === 'string') return license;
  return license?.type ?? 'UNKNOWN';
}

/**
 * The installed packages `names` need, with their dependencies, sorted by folder.
 * `optional` names may be absent (they are then left out); any other absent package is an error.
 */
export function packageClosure(root: string, names: readonly string[], optional: ReadonlySet<string> = new Set()): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const pending: Array<{ from: string; name: string; requiredBy: string; optional: boolean }> = names.map((name) => ({
    from: root, name, requiredBy: 'the import graph', optional: optional.has(name),
  }));
  while (pending.length > 0) {
    const next = pending.pop()!;
    const dir = locatePackage(root, next.from, next.name);
    if (dir === null) {
      if (next.optional) continue;
      throw new MissingPackageError(next.name, next.requiredBy);
    }
    const key = relative(root, dir).split(sep).join('/');
    if (found.has(key)) continue;
    const manifest = readManifest(dir);
    found.set(key, { name: manifest.name, version: manifest.version, dir: key, license: licenseOf(manifest) });
    const requiredBy = `${manifest.name}@${manifest.version}`;
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      pending.push({ from: dir, name: dependency, requiredBy, optional: false });
    }
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) {
      pending.push({ from: dir, name: dependency, requiredBy, optional: true });
    }
    for (const dependency of Object.keys(manifest.peerDependencies ?? {})) {
      // npm installs required peers; an optional peer ships only when something else needs it.
      if (manifest.peerDependenciesMeta?.[dependency]?.optional) continue;
      pending.push({ from: dir, name: dependency, requiredBy, optional: false });
    }
  }
  return [...found.values()].sort((a, b) => a.dir.localeCompare(b.dir));
}
