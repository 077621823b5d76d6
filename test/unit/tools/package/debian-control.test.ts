// The package version and control file: every npm version the builder accepts becomes a
// version dpkg accepts and orders as npm does (a pre-release before its release); versions
// it cannot carry over are refused; multi-line fields are folded as Policy §5.1 says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDebianVersions, parseDebianVersion } from '../../../../protocol/debian-version.js';
import { debianVersionOf, foldFieldValue, PackageVersionError, renderControl } from '../../../../tools/package/debian-control.js';

const number = fc.nat(10_000);
const identifier = fc.oneof(fc.nat(500).map(String), fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/));
const npmVersion = fc.record({
  core: fc.tuple(number, number, number),
  pre: fc.option(fc.array(identifier, { minLength: 1, maxLength: 3 }), { nil: undefined }),
});
type NpmVersion = { core: [number, number, number]; pre: string[] | undefined };
const text = ({ core, pre }: NpmVersion): string => `${core.join('.')}${pre === undefined ? '' : `-${pre.join('.')}`}`;

/** npm's precedence (semver §11) for the versions generated here. */
function compareNpm(a: NpmVersion, b: NpmVersion): number {
  for (let at = 0; at < 3; at += 1) if (a.core[at] !== b.core[at]) return Math.sign(a.core[at]! - b.core[at]!);
  if (a.pre === undefined || b.pre === undefined) return a.pre === b.pre ? 0 : a.pre === undefined ? 1 : -1;
  for (let at = 0; at < Math.min(a.pre.length, b.pre.length); at += 1) {
    const [x, y] = [a.pre[at]!, b.pre[at]!];
    const [xn, yn] = [/^[0-9]+$/.test(x), /^[0-9]+$/.test(y)];
    if (x === y) continue;
    if (xn && yn) return Math.sign(Number(x) - Number(y));
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

describe('debianVersionOf', () => {
  it('gives a valid Debian version for every accepted npm version', () => {
    fc.assert(fc.property(npmVersion, (version) => {
      expect(() => parseDebianVersion(debianVersionOf(text(version as NpmVersion)))).not.toThrow();
    }));
  });

  it('orders like npm: releases by number, a pre-release before its release', () => {
    fc.assert(fc.property(npmVersion, npmVersion, (a, b) => {
      const [x, y] = [a as NpmVersion, b as NpmVersion];
      expect(compareDebianVersions(debianVersionOf(text(x)), debianVersionOf(text(y)))).toBe(compareNpm(x, y));
    }));
  });

  it('writes the pre-release after a tilde', () => {
    expect(debianVersionOf('0.1.0')).toBe('0.1.0');
    expect(debianVersionOf('1.2.3-rc.1')).toBe('1.2.3~rc.1');
  });

  it('refuses what it cannot carry over unchanged in meaning', () => {
    for (const bad of ['1.2', '01.2.3', '1.2.3-rc-1', '1.2.3+build.5', 'v1.2.3', '1.2.3-', '1.2.3-a..b']) {
      expect(() => debianVersionOf(bad), bad).toThrow(PackageVersionError);
    }
  });
});

describe('control file', () => {
  it('folds continuation lines with a space and empty lines as " ."', () => {
    expect(foldFieldValue(['synopsis', 'first line', '', 'second paragraph'])).toBe('synopsis\n first line\n .\n second paragraph');
  });

  it('renders the fields in order, leaving out empty relations', () => {
    const control = renderControl({
      package: 'gatehouse', version: '0.1.0', architecture: 'amd64', maintainer: 'Team <t@example.invalid>', installedSizeKiB: 42,
      depends: ['a', 'b'], recommends: [], suggests: ['c'], section: 'misc', priority: 'optional', homepage: 'https://example.invalid/',
      description: ['short', 'long'],
    });
    expect(control).toBe([
      'Package: gatehouse', 'Version: 0.1.0', 'Architecture: amd64', 'Maintainer: Team <t@example.invalid>', 'Installed-Size: 42',
      'Depends: a, b', 'Suggests: c', 'Section: misc', 'Priority: optional', 'Homepage: https://example.invalid/', 'Description: short', ' long', '',
    ].join('\n'));
  });
});
