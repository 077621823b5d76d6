// The text of a binary package's control file (Debian Policy §5.3, §5.6) and the package
// version derived from package.json's: the npm version `1.2.3-rc.1` becomes `1.2.3~rc.1`,
// so that dpkg orders a pre-release before its release, as npm does.
import { parseDebianVersion } from '../../protocol/debian-version.js';

export class PackageVersionError extends Error {
  constructor(readonly version: string) {
    super(`package.json's version "${version}" is not MAJOR.MINOR.PATCH with an optional -PRERELEASE of dot-separated letters and digits`);
    this.name = 'PackageVersionError';
  }
}

const NPM_VERSION = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*))?$/;

/** The Debian version of npm version `version` (hyphenated identifiers and build metadata are refused). */
export function debianVersionOf(version: string): string {
  const match = NPM_VERSION.exec(version);
  if (!match) throw new PackageVersionError(version);
  const [, major, minor, patch, prerelease] = match;
  const debian = `${major}.${minor}.${patch}${prerelease === undefined ? '' : `~${prerelease}`}`;
  parseDebianVersion(debian);
  return debian;
}

export interface ControlFields {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly maintainer: string;
  readonly installedSizeKiB: number;
  readonly depends: readonly string[];
  readonly recommends: readonly string[];
  readonly suggests: readonly string[];
  readonly section: string;
  readonly priority: string;
  readonly homepage: string;
  /** First line: the synopsis; the rest: the extended description, paragraphs separated by "". */
  readonly description: readonly string[];
}

/**
 * A multi-line field value in control-file form: continuation lines start with a space
 * and an empty line is written " ." (Policy §5.1).
 */
export function foldFieldValue(lines: readonly string[]): string {
  const [first = '', ...rest] = lines;
  return [first, ...rest.map((line) => (line.trim() === '' ? ' .' : ` ${line}`))].join('\n');
}

/** The DEBIAN/control text for `fields`, fields in the customary order, empty relations left out. */
export function renderControl(fields: ControlFields): string {
  const relation = (name: string, values: readonly string[]): string[] => (values.length > 0 ? [`${name}: ${values.join(', ')}`] : []);
  return [
    `Package: ${fields.package}`,
    `Version: ${fields.version}`,
    `Architecture: ${fields.architecture}`,
    `Maintainer: ${fields.maintainer}`,
    `Installed-Size: ${fields.installedSizeKiB}`,
    ...relation('Depends', fields.depends),
    ...relation('Recommends', fields.recommends),
    ...relation('Suggests', fields.suggests),
    `Section: ${fields.section}`,
    `Priority: ${fields.priority}`,
    `Homepage: ${fields.homepage}`,
    `Description: ${foldFieldValue(fields.description)}`,
    '',
  ].join('\n');
}
