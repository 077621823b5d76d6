// The files a package installs outside its /opt tree (systemd units, udev and polkit rules,
// sysusers and tmpfiles declarations, conffiles), resolved from the project's resources/,
// and the compiled files its systemd units run by path, which must ship like any entry.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { DebPackageSpec, SystemFile } from './deb-packages.js';

export class MissingSystemFileError extends Error {
  constructor(readonly packageName: string, readonly file: SystemFile) {
    super(`${packageName}: ${file.from} is missing (it installs as ${file.to})`);
    this.name = 'MissingSystemFileError';
  }
}

export interface SystemFilePlacement {
  /** Absolute path in the tree. */
  readonly from: string;
  /** Installed path. */
  readonly to: string;
  readonly conffile: boolean;
}

export const SYSTEMD_UNIT_DIR = '/lib/systemd/system/';

/** The (source, installed path) pairs of `spec`'s system files, folders expanded; a missing source is an error. */
export function systemFilePlacements(root: string, spec: DebPackageSpec): SystemFilePlacement[] {
  return spec.systemFiles.flatMap((file) => {
    const from = join(root, file.from);
    if (!existsSync(from)) throw new MissingSystemFileError(spec.name, file);
    if (!statSync(from).isDirectory()) return [{ from, to: file.to, conffile: file.conffile }];
    return readdirSync(from, { withFileTypes: true })
      .filter((entry) => entry.isFile() && !(file.except ?? []).includes(entry.name))
      .map((entry) => ({ from: join(from, entry.name), to: posix.join(file.to, entry.name), conffile: file.conffile }))
      .sort((a, b) => a.to.localeCompare(b.to));
  });
}

/**
 * The units postinst (re)starts: every unit placed, but those that refuse a manual stop — the
 * update installer's service runs the very dpkg that would restart it.
 */
export function unitsStartedByPostinst(placements: readonly SystemFilePlacement[]): string[] {
  return placements
    .filter((file) => file.to.startsWith(SYSTEMD_UNIT_DIR) && !/^RefuseManualStop=yes$/m.test(readFileSync(file.from, 'utf8')))
    .map((file) => posix.basename(file.to));
}

/** The files under `installDir` that unit texts run by path (ExecStart=/opt/gatehouse/dist/x.js), relative to it. */
export function filesRunByUnits(installDir: string, unitTexts: readonly string[]): string[] {
  const prefix = `${installDir}/`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`${prefix}(\\S+\\.[cm]?js)\\b`, 'g');
  return [...new Set(unitTexts.flatMap((text) => [...text.matchAll(pattern)].map((match) => match[1]!)))].sort();
}

/** The entries of `spec`'s units: what filesRunByUnits finds in the units it installs. */
export function unitEntries(root: string, spec: DebPackageSpec): string[] {
  const units = systemFilePlacements(root, spec).filter((file) => file.to.startsWith(SYSTEMD_UNIT_DIR));
  return filesRunByUnits(spec.installDir, units.map((unit) => readFileSync(unit.from, 'utf8')));
}
