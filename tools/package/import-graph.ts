// The import graph of compiled entry files: every dist/ file reachable through static
// imports, re-exports, `import('literal')` and `require('literal')`, and the npm packages
// those files name. A package ships exactly this graph (plus the assets it lists), so a
// file nobody imports never ships and a file somebody imports is never left out.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportGraph {
  /** Absolute paths of the reachable local files (entries included), sorted. */
  readonly files: readonly string[];
  /** npm package names the reachable files import, sorted. */
  readonly packages: readonly string[];
}

export class UnresolvedImportError extends Error {
  constructor(readonly importer: string, readonly specifier: string) {
    super(`${importer} imports "${specifier}", which is not there (was the build run?)`);
    this.name = 'UnresolvedImportError';
  }
}

const BUILTINS = new Set(builtinModules);

/** The specifiers one JavaScript file imports, as TypeScript's own pre-processor finds them. */
export function importedSpecifiers(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((file) => file.fileName);
}

/** The npm package a bare specifier names (`@scope/name/sub` → `@scope/name`); null for Node built-ins. */
export function packageOfSpecifier(specifier: string): string | null {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/');
}

/** Walks the graph from `entries` (absolute paths of compiled .js/.cjs files). */
export function importGraph(entries: readonly string[]): ImportGraph {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = entries.map((entry) => resolve(entry));
  for (const entry of pending) {
    if (!existsSync(entry)) throw new UnresolvedImportError('the entry list', entry);
  }
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (file.endsWith('.json')) continue;
    for (const specifier of importedSpecifiers(readFileSync(file, 'utf8'))) {
      if (isRelative(specifier)) {
        const target = resolve(dirname(file), specifier);
        if (!existsSync(target)) throw new UnresolvedImportError(file, specifier);
        pending.push(target);
      } else {
        const name = packageOfSpecifier(specifier);
        if (name !== null) packages.add(name);
      }
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** A file or package a module reaches without importing it: a worker or a probe started by path, a package loaded through createRequire. */
export interface RuntimeReference {
  readonly kind: 'file' | 'package';
  /** Absolute path (kind "file") or package name (kind "package"). */
  readonly target: string;
  readonly referencedBy: string;
}

const FILE_BY_URL = /new URL\(\s*(['"])(\.{1,2}\/[^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g;
const PACKAGE_BY_REQUIRE = /(?:createRequire\(\s*import\.meta\.url\s*\)|\brequire)(?:\.resolve)?\(\s*(['"])([^'"./][^'"]*)\1\s*\)/g;

/** The literal paths and packages `source` (the text of `file`) reaches other than by import. */
export function runtimeReferences(file: string, source: string): RuntimeReference[] {
  const files = [...source.matchAll(FILE_BY_URL)].map((match) => ({
    kind: 'file' as const, target: resolve(dirname(file), match[2]!), referencedBy: file,
  }));
  const imported = new Set(importedSpecifiers(source));
  const packages = [...source.matchAll(PACKAGE_BY_REQUIRE)]
    .filter((match) => !imported.has(match[2]!))
    .flatMap((match) => {
      const name = packageOfSpecifier(match[2]!);
      return name === null ? [] : [{ kind: 'package' as const, target: name, referencedBy: file }];
    });
  return [...files, ...packages];
}
