// The udev rules that give the kiosk host's group the readers and scanners it supports: every line
// is udev syntax (keys, operators, quoted values, labels that exist), every vendor/product id is
// said in a comment above it and leads to the rule giving group gatehouse 0660 and the stable
// /dev/gatehouse/ name; the usual USB-serial bridges are all there. Then udev itself reads the file
// (`udevadm test`, with the rules folder replaced in a private mount namespace; root only) and
// must find nothing wrong in it. (Debian 12's udev 252 has no `udevadm verify`; it came in 253.)
// main/devices/device-detection.ts lists what is plugged in but knows no ids of its own, so there
// is no second list of ids to agree with.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../main/kiosk/project-root.js';

const RULES_FILE = join(projectRoot, 'resources', 'udev', '70-gatehouse.rules');
const text = readFileSync(RULES_FILE, 'utf8');

/** Keys this file may use, as udev(7) spells them; {…} takes an attribute or property name. */
const MATCH_KEYS = /^(ACTION|SUBSYSTEM|KERNEL|ATTRS\{[a-zA-Z_]+\}|ENV\{[A-Z_]+\})$/;
const ASSIGN_KEYS = /^(GROUP|MODE|SYMLINK|GOTO|LABEL|IMPORT\{builtin\}|ENV\{[A-Z_]+\})$/;

interface Pair { key: string; operator: string; value: string }

/** A rule line as key-operator-"value" pairs separated by commas; throws on anything else. */
function parseRuleLine(line: string): Pair[] {
  const pairs: Pair[] = [];
  let rest = line;
  while (rest.length > 0) {
    const match = /^([A-Za-z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(?:,\s*|$)/.exec(rest);
    if (!match) throw new Error(`not udev syntax at "${rest}"`);
    pairs.push({ key: match[1]!, operator: match[2]!, value: match[3]! });
    rest = rest.slice(match[0].length);
  }
  for (const { key, operator } of pairs) {
    const matching = operator === '==' || operator === '!=';
    if (!(matching ? MATCH_KEYS : ASSIGN_KEYS).test(key)) throw new Error(`${key}${operator} is not a ${matching ? 'match' : 'assignment'} udev knows here`);
  }
  return pairs;
}

const lines = text.split('\n');
const rules = lines.map((line, index) => ({ line: line.trim(), index })).filter(({ line }) => line !== '' && !line.startsWith('#'))
  .map(({ line, index }) => ({ index, pairs: parseRuleLine(line) }));
const value = (pairs: Pair[], key: string) => pairs.find((pair) => pair.key === key)?.value;
const idRules = rules.filter(({ pairs }) => value(pairs, 'ATTRS{idVendor}') !== undefined);

describe('70-gatehouse.rules', () => {
  it('is udev syntax throughout, and every GOTO has its LABEL', () => {
    expect(rules.length).toBeGreaterThan(10);
    const labels = rules.map(({ pairs }) => value(pairs, 'LABEL')).filter(Boolean);
    for (const { pairs } of rules) {
      const target = value(pairs, 'GOTO');
      if (target !== undefined) expect(labels).toContain(target);
    }
  });

  it('says above every vendor/product id what it is', () => {
    for (const { index, pairs } of idRules) {
      expect(value(pairs, 'ATTRS{idVendor}')).toMatch(/^[0-9a-f]{4}$/);
      expect(value(pairs, 'ATTRS{idProduct}')).toMatch(/^[0-9a-f]{4}$/);
      expect(lines[index - 1]).toMatch(/^# \S/);
    }
    const ids = idRules.map(({ pairs }) => `${value(pairs, 'ATTRS{idVendor}')}:${value(pairs, 'ATTRS{idProduct}')}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('covers the common USB-serial bridges the readers and fingerprint modules come on', () => {
    const ids = idRules.map(({ pairs }) => `${value(pairs, 'ATTRS{idVendor}')}:${value(pairs, 'ATTRS{idProduct}')}`);
    for (const id of ['0403:6001', '0403:6015', '10c4:ea60', '1a86:7523', '1a86:5523', '067b:2303']) expect(ids).toContain(id);
  });

  it('gives each of them to the group gatehouse, 0660, with a stable name under /dev/gatehouse/, and only serial lines', () => {
    for (const { pairs } of idRules) expect(value(pairs, 'GOTO')).toBe('gatehouse_serial');
    const grant = rules.findIndex(({ pairs }) => value(pairs, 'LABEL') === 'gatehouse_serial');
    const end = rules.findIndex(({ pairs }) => value(pairs, 'LABEL') === 'gatehouse_end');
    const granted = rules.slice(grant + 1, end).flatMap(({ pairs }) => pairs);
    expect(granted).toContainEqual({ key: 'GROUP', operator: '=', value: 'gatehouse' });
    expect(granted).toContainEqual({ key: 'MODE', operator: '=', value: '0660' });
    expect(granted.find((pair) => pair.key === 'SYMLINK')).toEqual({ key: 'SYMLINK', operator: '+=', value: 'gatehouse/serial-$env{ID_PATH}' });
    expect(rules[0]!.pairs).toEqual([{ key: 'ACTION', operator: '==', value: 'remove' }, { key: 'GOTO', operator: '=', value: 'gatehouse_end' }]);
    expect(rules[1]!.pairs).toEqual([{ key: 'SUBSYSTEM', operator: '!=', value: 'tty' }, { key: 'GOTO', operator: '=', value: 'gatehouse_end' }]);
  });

  it('refuses lines that are not udev syntax (the parser above can fail)', () => {
    expect(() => parseRuleLine('ATTRS{idVendor}="0403"')).toThrow(/assignment/);
    expect(() => parseRuleLine('GROUP="gatehouse" MODE="0660"')).toThrow(/syntax/);
    expect(() => parseRuleLine('FOO=="bar"')).toThrow(/match/);
  });
});

const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--mount', 'true']).status === 0
  && spawnSync('sh', ['-c', 'command -v udevadm']).status === 0;

describe.skipIf(!canUnshare)('udev reading the rules (udevadm test, root)', () => {
  /** What udev says about the rules files in `folder` while it processes a device: file:line messages. */
  function udevSays(files: Record<string, string>): string[] {
    const folder = mkdtempSync(join(tmpdir(), 'gatehouse-udev-'));
    try {
      for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
      const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c',
        `mount --bind ${folder} /etc/udev/rules.d && udevadm test --action=add /sys/class/tty/tty0`], { encoding: 'utf8' });
      return `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.startsWith('/etc/udev/rules.d/'));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it('finds nothing wrong in it (but that the group is missing where the package has not made it)', () => {
    const groupMissing = spawnSync('getent', ['group', 'gatehouse']).status !== 0;
    const said = udevSays({ '70-gatehouse.rules': text }).filter((line) => !(groupMissing && line.endsWith("Unknown group 'gatehouse', ignoring")));
    expect(said).toEqual([]);
  });

  it('would say so of a broken rule', () => {
    expect(udevSays({ '70-gatehouse.rules': `${text}\nATTRS{idVendor}="0403", GROUP="gatehouse"\n` }).join('\n')).toMatch(/70-gatehouse\.rules:\d+ Invalid operator/);
  });
});
