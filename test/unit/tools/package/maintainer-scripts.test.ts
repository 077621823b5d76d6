// The maintainer scripts as the packages carry them: every template under resources/debian
// fills completely for both packages and is valid sh; a token without a value is refused.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fillTemplate, MAINTAINER_SCRIPTS, TemplateTokenError, type MaintainerValues } from '../../../../tools/package/maintainer-scripts.js';

const values: MaintainerValues = {
  PACKAGE: 'gatehouse', USER: 'gatehouse', SYSUSERS: 'gatehouse.conf', DATA_DIR: '/var/lib/gatehouse', CONFIG_DIR: '/etc/gatehouse',
  UNITS: 'gatehouse.service gatehouse-kiosk.service gatehouse-update.service', RESTART_UNITS: 'gatehouse.service gatehouse-kiosk.service', TMPFILES: '', PRIVATE_CONFFILES: '', RELOADS_UDEV: 'yes',
};

describe('maintainer scripts', () => {
  it.each(MAINTAINER_SCRIPTS)('%s fills every token and parses as sh', (script) => {
    const template = readFileSync(new URL(`../../../../resources/debian/${script}`, import.meta.url), 'utf8');
    const filled = fillTemplate(script, template, values);
    expect(filled).not.toMatch(/@[A-Z_]+@/);
    expect(filled.startsWith('#!/bin/sh\n')).toBe(true);
    execFileSync('sh', ['-n'], { input: filled });
  });

  it('refuses a template naming a value it was not given', () => {
    expect(() => fillTemplate('postinst', 'echo @PACKAGE@ @SURPRISE@ @OTHER@', values)).toThrow(TemplateTokenError);
    expect(() => fillTemplate('postinst', 'echo @SURPRISE@', values)).toThrow(/postinst: no value for @SURPRISE@/);
  });
});
