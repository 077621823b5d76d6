// The packages a rollback needs, kept by the installer in its root-only packages/ folder: the
// installed version's package and the one installed before it. A version the updater installed
// is kept as it came; a version installed by hand (apt-get install ./gatehouse_….deb) is rebuilt
// from the installed files with dpkg-repack before the first update, and an update is refused
// when that fails — an update never starts without the package to go back to.

import fs from 'node:fs';
import path from 'node:path';
import { compareDebianVersions } from '../../../protocol/debian-version.js';
import { UPDATE_PACKAGE_NAME } from '../../../protocol/update-manifest.js';
import { GatehouseError } from '../../errors.js';
import { nodeDurableFs } from '../../store/private-file.js';
import type { Dpkg } from './dpkg.js';

/** gatehouse_<version, ":" written %3a as dpkg's own archives do>_<architecture>.deb */
const KEPT_FILE = /^gatehouse_([^_/]+)_([a-z0-9-]+)\.deb$/;

export class PackageArchive {
  constructor(
    private readonly folder: string,
    /** The machine's architecture (dpkg --print-architecture). */
    readonly architecture: string,
    private readonly dpkg: Dpkg,
  ) {}

  /** Where the package of `version` is kept. */
  fileFor(version: string): string {
    return path.join(this.folder, `${UPDATE_PACKAGE_NAME}_${version.replace(/:/g, '%3a')}_${this.architecture}.deb`);
  }

  /** Keeps the verified package at `file` (moved: it is in the same root-only folder tree) as `version`'s. */
  keep(file: string, version: string): string {
    const kept = this.fileFor(version);
    fs.renameSync(file, kept);
    nodeDurableFs.fsyncFolder(this.folder);
    return kept;
  }

  /**
   * The package of the installed `version`: the one kept when the updater installed it, else one
   * rebuilt now from the installed files (dpkg-repack, in `workFolder`). UPDATE_NO_ROLLBACK_PACKAGE
   * when neither exists.
   */
  async rollbackPackage(version: string, workFolder: string): Promise<string> {
    const kept = this.fileFor(version);
    if (fs.existsSync(kept)) return kept;
    const rebuilt = await this.dpkg.repack(UPDATE_PACKAGE_NAME, workFolder);
    const fields = await this.dpkg.controlFields(rebuilt);
    if (fields.package !== UPDATE_PACKAGE_NAME || fields.version !== version) {
      throw new GatehouseError('UPDATE_NO_ROLLBACK_PACKAGE',
        `dpkg-repack rebuilt ${fields.package} ${fields.version}, not ${UPDATE_PACKAGE_NAME} ${version}; nothing was installed.`, { version });
    }
    return this.keep(rebuilt, version);
  }

  /** Keeps the package of `installedVersion` and of the newest version older than it; removes the others. */
  prune(installedVersion: string): void {
    const kept = fs.readdirSync(this.folder).flatMap((name) => {
      const match = KEPT_FILE.exec(name);
      return match ? [{ name, version: match[1]!.replace(/%3a/g, ':') }] : [];
    });
    const older = kept.filter(({ version }) => compareDebianVersions(version, installedVersion) < 0)
      .sort((a, b) => compareDebianVersions(b.version, a.version));
    const keep = new Set([path.basename(this.fileFor(installedVersion)), ...older.slice(0, 1).map(({ name }) => name)]);
    for (const { name } of kept) if (!keep.has(name)) fs.rmSync(path.join(this.folder, name), { force: true });
  }
}
