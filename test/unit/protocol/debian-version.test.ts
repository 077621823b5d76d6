// Debian version order (Policy 5.6.12): the examples the Policy gives, the laws of an order, the
// equivalences it names (leading zeros, a missing revision is "0", a missing epoch is 0), the
// strict parser, and agreement with `dpkg --compare-versions` itself on thousands of random pairs.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDebianVersions, parseControlFields, parseDebianVersion } from '../../../protocol/debian-version.js';

/** Small alphabets, so random versions collide, share prefixes and exercise every rule. */
const char = (chars: string) => fc.constantFrom(...chars.split(''));
const text = (first: string, rest: string, max: number) =>
  fc.tuple(char(first), fc.array(char(rest), { maxLength: max })).map(([head, tail]) => head + tail.join(''));
const revision = text('0123aZz.+~', '0019aZz.+~', 5);
const upstream = (hyphens: boolean) => text('0129', hyphens ? '00129aZz.+~-' : '00129aZz.+~', 7);
const debianVersion = fc.record({
  epoch: fc.option(fc.constantFrom('0', '1', '2', '00', '10'), { nil: undefined }),
  revision: fc.option(revision, { nil: undefined }),
}).chain(({ epoch, revision: rev }) => upstream(rev !== undefined)
  .map((up) => `${epoch === undefined ? '' : `${epoch}:`}${up}${rev === undefined ? '' : `-${rev}`}`));

/** A version and a close relative of it: equal by the rules, or one step away. */
const nearPair = debianVersion.chain((a) => fc.constantFrom(
  a,
  a.includes(':') ? a : `0:${a}`,
  a.includes('-') ? a : `${a}-0`,
  a.replace(/^([0-9]+:)?/, (epoch) => `${epoch}0`),
  `${a}~`,
  `${a}0`,
  `${a}a`,
).map((b) => [a, b] as [string, string]));

describe('compareDebianVersions', () => {
  it('orders the Policy\'s examples: ~~ < ~~a < ~ < (nothing) < a', () => {
    const ordered = ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a'];
    for (let i = 0; i + 1 < ordered.length; i += 1) expect(compareDebianVersions(ordered[i]!, ordered[i + 1]!)).toBe(-1);
  });

  it('orders familiar versions', () => {
    expect(compareDebianVersions('1.0.0', '1.1.0')).toBe(-1);
    expect(compareDebianVersions('1.10', '1.9')).toBe(1);
    expect(compareDebianVersions('1:0.1', '2.0')).toBe(1);
    expect(compareDebianVersions('1.0-1', '1.0-1ubuntu1')).toBe(-1);
    expect(compareDebianVersions('1.0+dfsg-1', '1.0-1')).toBe(1);
    expect(compareDebianVersions('1.0~rc1-1', '1.0-1')).toBe(-1);
    expect(compareDebianVersions('0:1.0', '1.0-0')).toBe(0);
    expect(compareDebianVersions('1.0', '1.00')).toBe(0);
    expect(compareDebianVersions('1.2-3-4', '1.2-3-5')).toBe(-1);
    expect(compareDebianVersions('99999999999999999999999', '99999999999999999999998')).toBe(1);
  });

  it('is an order: reflexive, antisymmetric, transitive', () => {
    fc.assert(fc.property(debianVersion, debianVersion, debianVersion, (a, b, c) => {
      expect(compareDebianVersions(a, a)).toBe(0);
      expect(compareDebianVersions(a, b)).toBe(-compareDebianVersions(b, a) || 0);
      const [x, y, z] = [a, b, c].sort(compareDebianVersions);
      expect(compareDebianVersions(x!, z!)).toBeLessThanOrEqual(0);
      expect(compareDebianVersions(x!, y!)).toBeLessThanOrEqual(0);
    }), { numRuns: 500 });
  });

  it('treats a missing epoch as 0, a missing revision as "0" and leading zeros as nothing', () => {
    fc.assert(fc.property(upstream(false), fc.constantFrom('0', '00', '000'), (up, zeros) => {
      expect(compareDebianVersions(up, `0:${up}`)).toBe(0);
      expect(compareDebianVersions(up, `${up}-0`)).toBe(0);
      expect(compareDebianVersions(up, `${zeros}${up}`)).toBe(0);
    }));
  });

  it('lets the epoch decide before anything else, and a tilde sort before the end', () => {
    fc.assert(fc.property(debianVersion, debianVersion, upstream(false), (a, b, up) => {
      const bare = (v: string) => v.replace(/^[0-9]+:/, '');
      expect(compareDebianVersions(`3:${bare(a)}`, `2:${bare(b)}`)).toBe(1);
      expect(compareDebianVersions(`${up}~${bare(a).replace(/-/g, '')}`, up)).toBe(-1);
    }));
  });
});

describe('parseDebianVersion', () => {
  it('splits epoch, upstream and revision (at the last hyphen)', () => {
    expect(parseDebianVersion('2:1.0-rc-3')).toEqual({ epoch: '2', upstream: '1.0-rc', revision: '3' });
    expect(parseDebianVersion('007:1.0')).toEqual({ epoch: '7', upstream: '1.0', revision: '' });
    expect(parseDebianVersion('1.0')).toEqual({ epoch: '0', upstream: '1.0', revision: '' });
  });

  it('refuses what is not a Debian version', () => {
    for (const bad of ['', 'a1.0', '1.0-', ':1.0', 'x:1.0', '1:', '1.0_1', '1:2:3', '1.0 1', '-1', '1.0-a_b', '1'.repeat(257)]) {
      expect(() => parseDebianVersion(bad), bad).toThrow(expect.objectContaining({ code: 'DEBIAN_VERSION_INVALID' }));
    }
  });

  it('accepts every version the generator makes', () => {
    fc.assert(fc.property(debianVersion, (v) => {
      expect(() => parseDebianVersion(v)).not.toThrow();
    }));
  });
});

describe('agreement with dpkg', () => {
  it('orders 3000 random pairs as dpkg --compare-versions does', () => {
    const pairs = fc.sample(fc.oneof(fc.tuple(debianVersion, debianVersion), nearPair), { numRuns: 3000, seed: 20261206 });
    const script = `while read -r a b; do
      if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi
    done`;
    const answers = execFileSync('sh', ['-c', script], { input: pairs.map(([a, b]) => `${a} ${b}\n`).join(''), encoding: 'utf8' })
      .trim().split('\n').map(Number);
    expect(answers).toHaveLength(pairs.length);
    const disagreements = pairs.filter(([a, b], i) => compareDebianVersions(a, b) !== answers[i]);
    expect(disagreements).toEqual([]);
    expect(new Set(answers)).toEqual(new Set([-1, 0, 1]));
  });
});

describe('parseControlFields', () => {
  const value = fc.stringMatching(/^[A-Za-z0-9.+~:-]{1,40}$/);
  it('reads Package, Version and Architecture from dpkg-deb --field in any order and case, others empty when not printed', () => {
    fc.assert(fc.property(value, value, value, fc.boolean(), (name, version, architecture, withArchitecture) => {
      const lines = [`Version: ${version}`, `package:   ${name} `, ...(withArchitecture ? [`Architecture: ${architecture}`] : []), 'Description: x'];
      expect(parseControlFields(`${lines.join('\n')}\n`)).toEqual({ package: name, version, architecture: withArchitecture ? architecture : '' });
    }));
  });
});
