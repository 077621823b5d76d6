// Each package against the import graph of its entry points, computed from the built tree:
// the two .debs (what tools/package stages) and electron-builder.yml's `files`. Every dist
// file the graph reaches ships; nothing from the development folders (tools, bench, fuzz,
// torture, test) or the sources ships; the code reaches nothing by path or by package name
// that the package definitions do not list.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, matchesGlob, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { describe, expect, it } from 'vitest';
import { AUTHORITY_PACKAGE, DEB_PACKAGES, KIOSK_PACKAGE } from '../../../../tools/package/deb-packages.js';
import { importGraph, runtimeReferences } from '../../../../tools/package/import-graph.js';
import { packageContents, unlistedReferences } from '../../../../tools/package/package-contents.js';
import { unitEntries } from '../../../../tools/package/system-files.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const target = { os: 'linux', arch: 'x64', libc: 'glibc' } as const;
/** Development code, by the brief that moved it out of the runtime tree. */
const NEVER_SHIPPED = /^(dist\/(tools|bench|fuzz|torture|test)\/|tools\/|bench\/|fuzz\/|torture\/|test\/|main\/|native\/|protocol\/|authority\/|renderer\/)|\.map$/;

/** Export conditions Node itself matches (the "." export may name others, for bundlers or sources). */
const NODE_CONDITIONS = new Set(['node', 'import', 'require', 'default']);

/** The files a package's package.json names as what Node loads: "main" (or index.js) and the "." export's targets. */
function packageEntries(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { main?: unknown; exports?: unknown };
  const targets: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value !== null && typeof value === 'object') for (const [key, inner] of Object.entries(value)) if (NODE_CONDITIONS.has(key)) collect(inner);
  };
  const exported = manifest.exports;
  collect(typeof exported === 'object' && exported !== null && '.' in exported ? (exported as Record<string, unknown>)['.'] : typeof exported === 'string' ? exported : undefined);
  // Some packages write "main": false; Node then falls back to index.js.
  const main = typeof manifest.main === 'string' ? manifest.main : 'index.js';
  const candidates = [main, `${main}.js`, join(main, 'index.js')].map((file) => join(dir, file));
  const mainFile = candidates.find((file) => existsSync(join(root, file)) && statSync(join(root, file)).isFile());
  return [...(mainFile === undefined ? [] : [mainFile]), ...targets.map((target) => join(dir, target)).filter((file) => existsSync(join(root, file)))]
    .map((file) => file.split('\\').join('/'));
}

function treeFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

describe.each(DEB_PACKAGES)('the $name package', (spec) => {
  const contents = packageContents(root, spec, target);
  const shipped = new Set(contents.files);

  it('ships every file the import graph of its entries and unit commands reaches', () => {
    const entries = [...spec.entries, ...unitEntries(root, spec), ...spec.startedByPath].map((entry) => join(root, entry));
    const graph = importGraph(entries).files.map((file) => relative(root, file));
    expect(graph.length).toBeGreaterThan(spec === KIOSK_PACKAGE ? 200 : 40);
    expect(graph.filter((file) => !shipped.has(file))).toEqual([]);
  });

  it('ships no development code, sources or maps', () => {
    expect(contents.files.filter((file) => NEVER_SHIPPED.test(file))).toEqual([]);
    expect(contents.packages.flatMap((found) => found.files).filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('ships the entry file of every npm package it ships', () => {
    const missing = contents.packages.filter((found) => {
      const shippedHere = new Set(found.files);
      return packageEntries(found.dir).some((entry) => !shippedHere.has(entry));
    });
    expect(missing.map((found) => found.dir)).toEqual([]);
  });

  it('lists everything its code reaches other than by import', () => {
    const references = contents.graphFiles.flatMap((file) => runtimeReferences(join(root, file), readFileSync(join(root, file), 'utf8')));
    expect(unlistedReferences(root, spec, [...spec.entries, ...unitEntries(root, spec)], references)).toEqual([]);
    for (const file of spec.probedNotShipped) expect(shipped.has(file), file).toBe(false);
  });
});

describe('the two packages', () => {
  it('keep the kiosk out of the authority and the authority out of the kiosk', () => {
    const kiosk = packageContents(root, KIOSK_PACKAGE, target).files;
    const authority = packageContents(root, AUTHORITY_PACKAGE, target).files;
    expect(kiosk.filter((file) => file.startsWith('dist/authority/'))).toEqual([]);
    expect(authority.filter((file) => /^dist\/(main|native|renderer)\//.test(file))).toEqual([]);
    expect(authority.some((file) => file.startsWith('dist/protocol/'))).toBe(true);
    expect(kiosk.some((file) => file.startsWith('dist/protocol/'))).toBe(true);
  });
});

describe('electron-builder.yml', async () => {
  // As electron-builder itself reads it (test/unit/main/app/electron-builder-config.test.ts checks the rest).
  const config = await getConfig(root, null, null);
  const [{ filter: patterns }] = config.files as [{ filter: string[] }];
  const included = patterns.filter((pattern) => !pattern.startsWith('!'));
  const excluded = patterns.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1));
  const ships = (file: string): boolean => included.some((pattern) => matchesGlob(file, pattern)) && !excluded.some((pattern) => matchesGlob(file, pattern));

  it('ships the Electron kiosk\'s import graph and its assets', () => {
    // package.json's "main", the preload script Electron loads by path, and the CLI the app offers.
    const entries = ['dist/main/app/main.js', 'dist/main/app/preload.cjs', ...KIOSK_PACKAGE.entries, ...KIOSK_PACKAGE.startedByPath];
    const graph = importGraph(entries.map((entry) => join(root, entry))).files.map((file) => relative(root, file));
    const assets = KIOSK_PACKAGE.assets.flatMap((asset) => (asset.includes('.') ? [asset] : treeFiles(asset))).filter((file) => !file.endsWith('.map'));
    expect([...graph, ...assets].filter((file) => !ships(file))).toEqual([]);
  });

  it('ships nothing from the development folders, the sources or the packaging resources', () => {
    const development = ['dist/tools', 'dist/bench', 'dist/fuzz', 'dist/torture', 'test', 'main', 'resources'].flatMap(treeFiles)
      .filter((file) => !file.startsWith('resources/locales/') && file !== 'resources/consent.json');
    expect(development.length).toBeGreaterThan(100);
    expect(development.filter(ships)).toEqual([]);
  });
});
