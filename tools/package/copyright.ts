// /usr/share/doc/<package>/copyright in the machine-readable format (DEP-5): Gatehouse's
// own terms (UNLICENSED: no licence is granted), the embedded Node.js runtime's licence,
// and for every shipped npm package its licence as package.json names it with the text
// of its licence file and the copyright lines found in it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { foldFieldValue } from './debian-control.js';
import type { InstalledPackage } from './npm-closure.js';

const LICENSE_FILE = /^(licen[cs]e|copying)([-._].*)?$/i;
const COPYRIGHT_LINE = /^\s*(copyright\b|\(c\)|©)/i;
const PLACEHOLDER = /[[\]<>{}]|yyyy|copyright holders?$|copyright owner/i;

/** An SPDX expression in DEP-5's short-name syntax: "(MIT OR X11)" → "MIT or X11". */
export function dep5License(spdx: string): string {
  return spdx.replace(/[()]/g, '').replace(/\s+OR\s+/g, ' or ').replace(/\s+AND\s+/g, ' and ').replace(/\s+WITH\s+/g, ' with ').trim() || 'UNKNOWN';
}

/** The text of a package's licence file, or null when it ships none. */
function licenseText(dir: string): string | null {
  const file = readdirSync(dir).sort().find((name) => LICENSE_FILE.test(name));
  return file === undefined ? null : readFileSync(join(dir, file), 'utf8');
}

/** The copyright statements in a licence text, without the templates' placeholders. */
export function copyrightLines(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((line) => line.trim()).filter((line) => COPYRIGHT_LINE.test(line) && !PLACEHOLDER.test(line)))];
}

/** A paragraph's lines as DEP-5 text: one field per entry, multi-line values folded. */
function paragraph(fields: ReadonlyArray<readonly [string, readonly string[]]>): string {
  return fields.map(([name, lines]) => `${name}: ${foldFieldValue(lines)}`).join('\n');
}

function textLines(text: string): string[] {
  return text.replace(/\t/g, '    ').split(/\r?\n/).map((line) => line.trimEnd());
}

/** Licences Debian keeps in /usr/share/common-licenses, recognised by their text, which is then referred to, not repeated. */
const COMMON_LICENSES: ReadonlyArray<{ readonly file: string; readonly text: RegExp }> = [
  { file: 'Apache-2.0', text: /Apache License\s+Version 2\.0, January 2004/ },
];

/** A licence's text as the copyright file gives it: a pointer to common-licenses where Debian has it. */
export function licenseBody(text: string): string[] {
  const common = COMMON_LICENSES.find((license) => license.text.test(text));
  if (common === undefined) return textLines(text);
  const own = copyrightLines(text);
  return [...own, `On Debian systems the full text of this licence is in /usr/share/common-licenses/${common.file}.`];
}

export interface CopyrightInput {
  readonly packageName: string;
  readonly installDir: string;
  readonly homepage: string;
  readonly owner: string;
  readonly nodeLicense: string;
  readonly root: string;
  readonly npmPackages: readonly InstalledPackage[];
}

export function renderCopyright(input: CopyrightInput): string {
  const base = input.installDir.replace(/^\//, '');
  const header = paragraph([
    ['Format', ['https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/']],
    ['Upstream-Name', [input.packageName]],
    ['Source', [input.homepage]],
  ]);
  const own = paragraph([
    ['Files', ['*']],
    ['Copyright', [input.owner]],
    ['License', ['UNLICENSED', 'Proprietary. No licence is granted to copy, modify or distribute this software;', 'it is installed under the terms agreed with its owner.']],
  ]);
  const node = paragraph([
    ['Files', [`${base}/node/*`]],
    ['Copyright', ['Node.js contributors, and the authors of the libraries Node.js bundles as its licence text names them']],
    ['License', ['Expat and others', ...textLines(input.nodeLicense)]],
  ]);
  const npm = input.npmPackages.map((found) => {
    const text = licenseText(join(input.root, found.dir));
    const copyright = text === null ? [] : copyrightLines(text);
    return paragraph([
      ['Files', [`${base}/${found.dir}/*`]],
      ['Copyright', copyright.length > 0 ? copyright : [`the authors of ${found.name} (npm package ${found.name}@${found.version})`]],
      ['License', [dep5License(found.license), ...(text === null ? [`${found.name}@${found.version} ships no licence file; its package.json names the licence ${found.license}.`] : licenseBody(text))]],
    ]);
  });
  return `${[header, own, node, ...npm].join('\n\n')}\n`;
}
