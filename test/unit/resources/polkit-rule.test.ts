// The polkit rule that lets the kiosk host (user gatehouse) talk to pcscd: run as polkitd runs a
// rules file (JavaScript calling polkit.addRule), with a stand-in for polkit's objects.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../main/kiosk/project-root.js';

type Rule = (action: { id: string }, subject: { user: string }) => string;

function loadRules(): Rule[] {
  const rules: Rule[] = [];
  const polkit = { Result: { YES: 'yes', NO: 'no', NOT_HANDLED: null }, addRule: (rule: Rule) => rules.push(rule) };
  runInNewContext(readFileSync(join(projectRoot, 'resources', 'polkit', '50-gatehouse-pcscd.rules'), 'utf8'), { polkit });
  return rules;
}

describe('50-gatehouse-pcscd.rules', () => {
  const [rule, ...others] = loadRules();

  it('adds one rule', () => {
    expect(rule).toBeDefined();
    expect(others).toEqual([]);
  });

  it.each(['org.debian.pcsc-lite.access_pcsc', 'org.debian.pcsc-lite.access_card'])('allows %s to the gatehouse user', (id) => {
    expect(rule!({ id }, { user: 'gatehouse' })).toBe('yes');
  });

  it.each([
    ['org.debian.pcsc-lite.access_pcsc', 'gatehouse-kiosk'],
    ['org.debian.pcsc-lite.access_card', 'nobody'],
    ['org.freedesktop.systemd1.manage-units', 'gatehouse'],
  ])('leaves %s for %s to the defaults', (id, user) => {
    expect(rule!({ id }, { user })).toBeNull();
  });
});
