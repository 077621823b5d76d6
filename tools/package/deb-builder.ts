// Builds one .deb from the tree: stages what package-contents computed under its /opt
// folder with the embedded Node runtime, the /usr/bin wrappers, the system files, the
// documentation (copyright, changelog) and lintian overrides, writes DEBIAN/ (control,
// md5sums, conffiles, maintainer scripts) and runs `dpkg-deb --build --root-owner-group -Zxz`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { renderCopyright } from './copyright.js';
import { renderControl } from './debian-control.js';
import type { DebPackageSpec } from './deb-packages.js';
import { fillTemplate, MAINTAINER_SCRIPTS } from './maintainer-scripts.js';
import { packageContents, type PackageContents } from './package-contents.js';
import type { TargetPlatform } from './package-file-filter.js';
import { isElf, sharedLibraryDepends } from './shared-library-depends.js';
import { SYSTEMD_UNIT_DIR, systemFilePlacements, unitsStartedByPostinst } from './system-files.js';

export class DebBuildError extends Error {
  constructor(readonly packageName: string, message: string) {
    super(`${packageName}: ${message}`);
    this.name = 'DebBuildError';
  }
}

export interface BuildContext {
  /** The project tree the package is built from. */
  readonly root: string;
  /** Where the .deb is written. */
  readonly outDir: string;
  /** The Debian version (debianVersionOf(package.json's version)). */
  readonly version: string;
  /** `dpkg --print-architecture`. */
  readonly architecture: string;
  readonly target: TargetPlatform;
  /** The Node executable to embed (the one the native addons were built for). */
  readonly node: string;
  /** Node's licence text, for the copyright file. */
  readonly nodeLicense: string;
  readonly maintainer: string;
  readonly homepage: string;
  /** The changelog entry's date (RFC 2822) and what it says the package was built from. */
  readonly changelogDate: string;
  readonly builtFrom: string;
}

export interface BuiltDeb {
  readonly file: string;
  readonly installedSizeKiB: number;
  readonly depends: readonly string[];
  readonly contents: PackageContents;
}

const toPosix = (path: string): string => path.split(sep).join('/');

/** Copies `from` to `to` (inside the staging root), creating folders; mode 0644 unless given. */
function place(from: string, to: string, mode = 0o644): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, mode);
}

function write(to: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, content);
  chmodSync(to, mode);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).map((entry) => join(entry.parentPath, entry.name));
}

/** Installed-Size as dpkg-gencontrol counts it: each file's size in KiB rounded up, one per folder or link. */
function installedSizeKiB(stage: string): number {
  return walk(stage).filter((path) => !toPosix(relative(stage, path)).startsWith('DEBIAN')).reduce((sum, path) => {
    const stat = lstatSync(path);
    return sum + (stat.isFile() ? Math.ceil(stat.size / 1024) : 1);
  }, 0);
}

function md5sums(stage: string): string {
  return walk(stage)
    .filter((path) => lstatSync(path).isFile() && !toPosix(relative(stage, path)).startsWith('DEBIAN/'))
    .map((path) => `${createHash('md5').update(readFileSync(path)).digest('hex')}  ${toPosix(relative(stage, path))}`)
    .sort((a, b) => a.slice(34).localeCompare(b.slice(34)))
    .join('\n') + '\n';
}

function changelog(spec: DebPackageSpec, context: BuildContext): Buffer {
  const text = `${spec.name} (${context.version}) unstable; urgency=medium\n\n`
    + `  * Built by npm run package from ${context.builtFrom}.\n\n`
    + ` -- ${context.maintainer}  ${context.changelogDate}\n`;
  return gzipSync(text, { level: 9 });
}

/** The package.json inside installDir: what Node (ESM) and the kiosk's root finder read; no scripts. */
function runtimeManifest(root: string, spec: DebPackageSpec): string {
  const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const { version, description, license, type, engines } = project;
  return `${JSON.stringify({ name: spec.manifestName, version, description, license, private: true, type, engines }, null, 2)}\n`;
}

function wrapper(spec: DebPackageSpec, script: string): string {
  return `#!/bin/sh\n# The ${spec.name} command: the package's own Node runtime on its entry file.\n`
    + `exec ${spec.installDir}/node/bin/node ${spec.installDir}/${script} "$@"\n`;
}

/** Stages and builds package `spec`; returns the .deb's path and what went into it. */
export function buildDeb(spec: DebPackageSpec, context: BuildContext): BuiltDeb {
  const { root } = context;
  const contents = packageContents(root, spec, context.target);
  const stage = mkdtempSync(join(tmpdir(), `${spec.name}-deb-`));
  try {
    const opt = join(stage, spec.installDir);
    for (const file of contents.files) place(join(root, file), join(opt, file));
    for (const found of contents.packages) {
      for (const file of found.files) place(join(root, file), join(opt, file));
    }
    write(join(opt, 'package.json'), runtimeManifest(root, spec));
    place(context.node, join(opt, 'node', 'bin', 'node'), 0o755);
    for (const command of spec.commands) write(join(stage, 'usr', 'bin', command.name), wrapper(spec, command.script), 0o755);

    const system = systemFilePlacements(root, spec);
    for (const file of system) place(file.from, join(stage, file.to));
    const doc = join(stage, 'usr', 'share', 'doc', spec.name);
    write(join(doc, 'copyright'), renderCopyright({
      packageName: spec.name, installDir: spec.installDir, homepage: context.homepage, owner: context.maintainer,
      nodeLicense: context.nodeLicense, root, npmPackages: contents.packages,
    }));
    // A native package (no Debian revision): changelog.gz, not changelog.Debian.gz (Policy §12.7).
    write(join(doc, 'changelog.gz'), changelog(spec, context));
    place(join(root, 'docs', 'DEPLOY.md'), join(doc, 'DEPLOY.md'));
    const overrides = join(root, 'resources', 'debian', `${spec.name}.lintian-overrides`);
    if (existsSync(overrides)) place(overrides, join(stage, 'usr', 'share', 'lintian', 'overrides', spec.name));

    const elf = walk(opt).filter((path) => lstatSync(path).isFile() && isElf(path));
    // As dh_strip does: no debugging symbols or build notes in what is installed.
    for (const file of elf) execFileSync('strip', ['--remove-section=.comment', '--remove-section=.note', '--strip-unneeded', file]);
    const depends = [...new Set([...spec.depends, ...sharedLibraryDepends(elf)])];
    const debian = join(stage, 'DEBIAN');
    const installedIn = (dir: string): string[] => system.filter((file) => file.to.startsWith(dir)).map((file) => posix.basename(file.to));
    const values = {
      PACKAGE: spec.name, USER: spec.account.user, SYSUSERS: spec.account.sysusers, DATA_DIR: spec.account.dataDir,
      CONFIG_DIR: spec.account.configDir, UNITS: installedIn(SYSTEMD_UNIT_DIR).join(' '),
      RESTART_UNITS: unitsStartedByPostinst(system).join(' '),
      TMPFILES: installedIn('/usr/lib/tmpfiles.d/').join(' '), PRIVATE_CONFFILES: spec.account.privateConffiles.join(' '),
      RELOADS_UDEV: installedIn('/lib/udev/rules.d/').length > 0 ? 'yes' as const : 'no' as const,
    };
    for (const script of MAINTAINER_SCRIPTS) {
      write(join(debian, script), fillTemplate(`resources/debian/${script}`, readFileSync(join(root, 'resources', 'debian', script), 'utf8'), values), 0o755);
    }
    const conffiles = system.filter((file) => file.conffile).map((file) => file.to);
    if (conffiles.length > 0) write(join(debian, 'conffiles'), `${conffiles.join('\n')}\n`);
    write(join(debian, 'md5sums'), md5sums(stage));
    const size = installedSizeKiB(stage);
    write(join(debian, 'control'), renderControl({
      package: spec.name, version: context.version, architecture: context.architecture, maintainer: context.maintainer,
      installedSizeKiB: size, depends, recommends: spec.recommends, suggests: spec.suggests,
      section: 'misc', priority: 'optional', homepage: context.homepage, description: [spec.synopsis, ...spec.description],
    }));
    for (const path of walk(stage)) if (lstatSync(path).isDirectory()) chmodSync(path, 0o755);
    chmodSync(stage, 0o755);
    mkdirSync(context.outDir, { recursive: true });
    const file = join(context.outDir, `${spec.name}_${context.version}_${context.architecture}.deb`);
    execFileSync('dpkg-deb', ['--build', '--root-owner-group', '-Zxz', stage, file], { stdio: ['ignore', 'ignore', 'inherit'] });
    return { file, installedSizeKiB: size, depends, contents };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
