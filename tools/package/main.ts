// `npm run package`: builds release/gatehouse_<version>_<arch>.deb and
// release/gatehouse-authority_<version>_<arch>.deb from the built tree (npm run build runs
// first), embedding the Node that runs this script, and says what each package holds.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildDeb, type BuildContext } from './deb-builder.js';
import { DEB_PACKAGES } from './deb-packages.js';
import { debianVersionOf } from './debian-control.js';

interface ProjectManifest {
  version: string;
  homepage: string;
  author: { name: string; email: string };
}

const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Node's licence text next to the running executable (a distribution package or an official tarball). */
function nodeLicense(node: string): string {
  const prefix = dirname(dirname(node));
  const candidates = [join(prefix, 'share', 'doc', 'nodejs', 'LICENSE'), join(prefix, 'LICENSE'), join(prefix, 'share', 'doc', 'node', 'LICENSE')];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined) throw new Error(`Node's LICENSE is in none of ${candidates.join(', ')}; the package must carry it`);
  return readFileSync(found, 'utf8');
}

/** The commit the tree is at and its date, or the present moment outside a git checkout. */
function provenance(root: string, version: string): { builtFrom: string; date: string } {
  try {
    const [commit, date] = execFileSync('git', ['-C', root, 'log', '-1', '--format=%h%n%cD'], { encoding: 'utf8' }).trim().split('\n');
    const changed = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return { builtFrom: `commit ${commit}${changed ? ' with local changes' : ''}`, date: date! };
  } catch {
    return { builtFrom: `the Gatehouse ${version} tree`, date: new Date().toUTCString().replace('GMT', '+0000') };
  }
}

export function main(argv: readonly string[]): void {
  const { values } = parseArgs({
    args: [...argv],
    options: { root: { type: 'string', default: CHECKOUT }, out: { type: 'string' }, only: { type: 'string', multiple: true } },
  });
  const root = resolve(values.root);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as ProjectManifest;
  const version = debianVersionOf(manifest.version);
  const { builtFrom, date } = provenance(root, version);
  const context: BuildContext = {
    root,
    outDir: resolve(values.out ?? join(root, 'release')),
    version,
    architecture: execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim(),
    target: { os: process.platform, arch: process.arch, libc: 'glibc' },
    node: process.execPath,
    nodeLicense: nodeLicense(process.execPath),
    maintainer: `${manifest.author.name} <${manifest.author.email}>`,
    homepage: manifest.homepage,
    changelogDate: date,
    builtFrom,
  };
  const wanted = DEB_PACKAGES.filter((spec) => values.only === undefined || values.only.includes(spec.name));
  for (const spec of wanted) {
    const built = buildDeb(spec, context);
    const npmFiles = built.contents.packages.reduce((sum, found) => sum + found.files.length, 0);
    process.stdout.write(`${built.file}: ${built.contents.files.length} project files (${built.contents.graphFiles.length} by import graph), `
      + `${built.contents.packages.length} npm packages (${npmFiles} files), ${(built.installedSizeKiB / 1024).toFixed(1)} MiB installed\n`);
  }
}

main(process.argv.slice(2));
