// The import graph the packages ship: every import form compiled JavaScript uses is found
// (as a property over random module texts), package names are cut from bare specifiers,
// a graph over real files follows cycles and refuses a missing file, and files or packages
// reached other than by import are reported.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  importedSpecifiers, importGraph, packageOfSpecifier, runtimeReferences, UnresolvedImportError,
} from '../../../../tools/package/import-graph.js';

const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const specifier = fc.oneof(
  fc.tuple(fc.constantFrom('./', '../'), fc.array(segment, { minLength: 1, maxLength: 3 })).map(([dot, parts]) => `${dot}${parts.join('/')}.js`),
  fc.tuple(fc.option(segment, { nil: undefined }), segment, fc.array(segment, { maxLength: 2 }))
    .map(([scope, name, sub]) => [scope === undefined ? name : `@${scope}/${name}`, ...sub].join('/')),
);
/** The ways tsc's ESM output and hand-written CommonJS name a module. */
const FORMS: ReadonlyArray<(name: string, at: number) => string> = [
  (name, at) => `import { a${at} } from '${name}';`,
  (name, at) => `import * as n${at} from "${name}";`,
  (name) => `import '${name}';`,
  (name) => `export { b } from '${name}';`,
  (name) => `export * from '${name}';`,
  (name, at) => `const d${at} = await import('${name}');`,
  (name, at) => `const r${at} = require('${name}');`,
];

describe('importedSpecifiers', () => {
  it('finds every specifier, whatever the form, among other code', () => {
    fc.assert(fc.property(fc.array(fc.tuple(specifier, fc.nat(FORMS.length - 1)), { minLength: 1, maxLength: 12 }), (uses) => {
      const source = uses.map(([name, form], at) => `${FORMS[form]!(name, at)}\nconst x${at} = ${at} * 2; // import('not-this')`).join('\n');
      expect(new Set(importedSpecifiers(source))).toEqual(new Set(uses.map(([name]) => name)));
    }));
  });

  it('ignores imports inside strings and comments, and type-only text', () => {
    const source = "const s = \"import x from 'in-a-string'\";\n/* import y from 'in-a-comment' */\nimport z from 'real';";
    expect(importedSpecifiers(source)).toEqual(['real']);
  });
});

describe('packageOfSpecifier', () => {
  it('is the first segment, or the first two for a scope; null for Node built-ins', () => {
    fc.assert(fc.property(fc.option(segment, { nil: undefined }), segment, fc.array(segment, { maxLength: 3 }), (scope, name, sub) => {
      const pkg = scope === undefined ? `x${name}` : `@${scope}/${name}`;
      expect(packageOfSpecifier([pkg, ...sub].join('/'))).toBe(pkg);
    }));
    expect(packageOfSpecifier('node:fs')).toBeNull();
    expect(packageOfSpecifier('fs/promises')).toBeNull();
    expect(packageOfSpecifier('worker_threads')).toBeNull();
  });
});

describe('importGraph', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function tree(files: Record<string, string>): void {
    root = mkdtempSync(join(tmpdir(), 'import-graph-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  }

  it('follows relative imports through cycles and collects the packages, leaving unreached files out', () => {
    tree({
      'dist/a/main.js': "import { b } from '../b/b.js';\nimport fastify from 'fastify';\nexport const a = 1;",
      'dist/b/b.js': "import { a } from '../a/main.js';\nexport * from './c.js';\nconst z = await import('@scope/pkg/sub');",
      'dist/b/c.js': "import { readFileSync } from 'node:fs';\nimport data from './data.json' with { type: 'json' };",
      'dist/b/data.json': '{"import": "./nothing.js"}',
      'dist/unreached.js': "import 'never';",
    });
    const graph = importGraph([join(root, 'dist/a/main.js')]);
    expect(graph.files).toEqual(['dist/a/main.js', 'dist/b/b.js', 'dist/b/c.js', 'dist/b/data.json'].map((file) => join(root, file)));
    expect(graph.packages).toEqual(['@scope/pkg', 'fastify']);
  });

  it('refuses an import of a file that is not there, naming the importer', () => {
    tree({ 'dist/main.js': "import './gone.js';" });
    expect(() => importGraph([join(root, 'dist/main.js')])).toThrow(UnresolvedImportError);
    expect(() => importGraph([join(root, 'dist/main.js')])).toThrow(/main\.js imports "\.\/gone\.js"/);
  });
});

describe('runtimeReferences', () => {
  it('reports workers started by path and packages loaded through createRequire, not imported ones', () => {
    const file = '/opt/x/dist/face/client.js';
    const source = [
      "import { createRequire } from 'node:module';",
      "import fastify from 'fastify';",
      "const worker = new URL('./face-worker.js', import.meta.url);",
      "const probe = new URL('../../tools/cli/main.js', import.meta.url);",
      "const hid = createRequire(import.meta.url)('node-hid');",
      "const sqlite = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');",
      "const again = createRequire(import.meta.url)('fastify');",
      "const page = new URL(`../${name}`, import.meta.url);",
    ].join('\n');
    expect(runtimeReferences(file, source)).toEqual([
      { kind: 'file', target: '/opt/x/dist/face/face-worker.js', referencedBy: file },
      { kind: 'file', target: '/opt/x/tools/cli/main.js', referencedBy: file },
      { kind: 'package', target: 'node-hid', referencedBy: file },
      { kind: 'package', target: 'better-sqlite3-multiple-ciphers', referencedBy: file },
    ]);
  });
});
