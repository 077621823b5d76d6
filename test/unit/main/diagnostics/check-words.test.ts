// Every doctor check has words on the diagnostics screen in every language: a title, its
// result when it passes, its outcome when it fails for a reason the screen does not know,
// and each reason code the checks can give (found in their source, so a new one without
// words fails here), with what to do whenever it did not pass.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineChecks } from '../../../../main/cli/doctor-checks.js';
import { stationChecks } from '../../../../main/cli/station-checks.js';
import { CheckId } from '../../../../main/rpc/procedures/diagnostics.js';
import { projectRoot } from '../../../e2e/support/kiosk-process.js';

type Tree = { [key: string]: string | Tree };
const locales = ['en', 'de', 'zh-CN'].map((code) => [code, JSON.parse(readFileSync(join(projectRoot, 'resources/locales', `${code}.json`), 'utf8')) as Tree] as const);
const lookup = (tree: Tree, key: string) => key.split('.').reduce<Tree | string | undefined>((node, part) => (typeof node === 'object' ? node[part] : undefined), tree);

/** The reason codes each check gives, beside ok and its outcome. */
const REASONS: Record<string, { ok?: string[]; problems?: string[] }> = {
  node: { problems: ['too-old'] },
  'chip-readers': { problems: ['no-reader', 'no-service'] },
  chromium: { problems: ['not-found'] },
  permissions: { ok: ['no-folder'], problems: ['exposed'] },
  encryption: { ok: ['no-store'], problems: ['plain'] },
  integrity: { ok: ['no-store'], problems: ['problems'] },
  'audit-chain': { ok: ['no-store'], problems: ['broken'] },
  provisioning: { ok: ['no-store'], problems: ['not-provisioned'] },
  authority: { ok: ['no-store', 'not-provisioned', 'no-time'], problems: ['unreachable', 'refused', 'clock-ahead', 'clock-behind'] },
  'disk-space': { problems: ['low'] },
  jobs: { ok: ['no-store'], problems: ['failed-jobs', 'overdue'] },
};

const definitions = [...machineChecks('/nonexistent'), ...stationChecks('/nonexistent').checks];

describe('the diagnostics screen\'s words for the doctor checks', () => {
  it('cover every check id, each once', () => {
    expect(definitions.map((check) => check.id).sort()).toEqual([...CheckId.options].sort());
  });

  it('name every reason the checks\' source gives', () => {
    const source = ['main/cli/doctor-checks.ts', 'main/cli/station-checks.ts', 'main/diagnostics/background-jobs-check.ts'].map((file) => readFileSync(join(projectRoot, file), 'utf8')).join('\n');
    const inSource = new Set([...source.matchAll(/(?:new CheckProblem\(|reason: )(?:skew > 0 \? )?'([a-z-]+)'(?: : '([a-z-]+)')?/g)].flatMap((m) => [m[1]!, m[2]].filter(Boolean)));
    const listed = new Set(Object.values(REASONS).flatMap(({ ok = [], problems = [] }) => [...ok, ...problems]));
    expect([...inSource].filter((reason) => !listed.has(reason))).toEqual([]);
  });

  for (const [code, tree] of locales) {
    it(`exist in ${code}, with what to do when a check did not pass`, () => {
      const missing: string[] = [];
      const need = (key: string) => {
        if (typeof lookup(tree, `diagnostics.checks.${key}`) !== 'string') missing.push(key);
      };
      for (const check of definitions) {
        const { ok = [], problems = [] } = REASONS[check.id] ?? {};
        need(`${check.id}.title`);
        for (const state of ['ok', ...ok]) need(`${check.id}.${state}.result`);
        for (const state of [check.required ? 'failed' : 'warning', ...problems]) {
          need(`${check.id}.${state}.result`);
          need(`${check.id}.${state}.todo`);
        }
      }
      expect(missing).toEqual([]);
    });
  }
});
