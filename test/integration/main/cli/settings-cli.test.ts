// `gatehouse settings list|get|set` as a spawned process against a real (encrypted) store in a
// temporary data directory: values listed with what they may be, a value read by its setting's
// schema and audited with its old and new value exactly as the screen's change, refusals that
// name the setting and its range (exit 2, one line), and a running kiosk that sees the change.

import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import { openKiosk } from '../../../../main/kiosk/kiosk.js';
import { silentLog } from '../../../../main/log.js';
import { builtCliDataDirs, cleanEnv, runCli } from './run-cli.js';

const dataDir = builtCliDataDirs();

const auditOf = (dir: string) => {
  const kiosk = openKiosk({ dataDir: dir, host: 'browser', log: silentLog });
  try {
    const rows = kiosk.db.prepare("SELECT actor, details FROM audit WHERE action = 'settings.update' ORDER BY seq").all() as Array<{ actor: string; details: string }>;
    return { rows: rows.map(({ actor, details }) => ({ actor, details: JSON.parse(details) as unknown })), verified: verifyAudit(kiosk.db) };
  } finally {
    void kiosk.close();
  }
};

describe('gatehouse settings', () => {
  it('lists every setting with its value and what it may be, as text and as JSON', async () => {
    const dir = dataDir();
    const text = await runCli(['settings', 'list', '--data', dir]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^idleTimeoutSeconds\s+120\s+\(a whole number from 15 to 3600\)$/m);
    expect(text.stdout).toMatch(/^defaultLanguage\s+en\s+\(one of en, de, zh-CN\)$/m);
    expect(text.stdout).toMatch(/^alwaysSecondApproval\s+none\s+\(a comma-separated list of person, company/m);
    expect(text.stdout).toMatch(/^slipPrinter\s+none\s+\(text, or '' for none\)$/m);

    const json = await runCli(['settings', 'list', '--json', '--data', dir]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      settings: { idleTimeoutSeconds: 120, idleWarningSeconds: 30, sealedRetentionHours: 168, slipFolder: null },
      fields: expect.arrayContaining([{ key: 'sealedRetentionHours', type: 'integer', min: 0, max: 8760 }]),
      mandatorySecondApproval: expect.arrayContaining(['face-exception', 'finger-duplicate']),
      authorityRetentionHours: null,
    });
  });

  it('sets values by their schema, audited with the old and new value, and reads them back', async () => {
    const dir = dataDir();
    expect(await runCli(['settings', 'set', 'idleTimeoutSeconds', '300', '--data', dir]))
      .toMatchObject({ code: 0, stdout: 'idleTimeoutSeconds: 120 → 300\n', stderr: '' });
    const set = await runCli(['settings', 'set', 'alwaysSecondApproval', 'company, person', '--json', '--data', dir]);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({
      key: 'alwaysSecondApproval', value: ['company', 'person'], changes: [{ key: 'alwaysSecondApproval', old: [], new: ['company', 'person'] }],
    });
    expect(await runCli(['settings', 'set', 'slipPrinter', 'front-desk', '--data', dir])).toMatchObject({ code: 0, stdout: 'slipPrinter: none → front-desk\n' });
    expect(await runCli(['settings', 'set', 'slipPrinter', '', '--data', dir])).toMatchObject({ code: 0, stdout: 'slipPrinter: front-desk → none\n' });
    expect(await runCli(['settings', 'set', 'idleTimeoutSeconds', '300', '--data', dir])).toMatchObject({ code: 0, stdout: 'idleTimeoutSeconds is already 300\n' });

    expect(await runCli(['settings', 'get', 'idleTimeoutSeconds', '--data', dir])).toMatchObject({ code: 0, stdout: '300\n' });
    const got = await runCli(['settings', 'get', 'alwaysSecondApproval', '--json', '--data', dir]);
    expect(JSON.parse(got.stdout)).toEqual({ key: 'alwaysSecondApproval', value: ['company', 'person'] });

    expect(auditOf(dir)).toEqual({
      rows: [
        { actor: 'cli', details: { changes: [{ key: 'idleTimeoutSeconds', old: 120, new: 300 }] } },
        { actor: 'cli', details: { changes: [{ key: 'alwaysSecondApproval', old: [], new: ['company', 'person'] }] } },
        { actor: 'cli', details: { changes: [{ key: 'slipPrinter', old: null, new: 'front-desk' }] } },
        { actor: 'cli', details: { changes: [{ key: 'slipPrinter', old: 'front-desk', new: null }] } },
        { actor: 'cli', details: { changes: [] } },
      ],
      verified: expect.objectContaining({ ok: true }),
    });
  });

  it.each<[string[], RegExp]>([
    [['idleTimeoutSeconds', '5'], /^gatehouse: Setting "idleTimeoutSeconds" must be a whole number from 15 to 3600; "5" is not\. \(SETTING_INVALID\)\n$/],
    [['heldEnrollmentLimit', '2.5'], /Setting "heldEnrollmentLimit" must be a whole number from 1 to 500; "2\.5" is not\. \(SETTING_INVALID\)/],
    [['defaultLanguage', 'fr'], /Setting "defaultLanguage" must be one of en, de, zh-CN; "fr" is not\. \(SETTING_INVALID\)/],
    [['alwaysSecondApproval', 'face-exception'], /Setting "alwaysSecondApproval" must be a comma-separated list of person, company \(each at most once\), or '' for none; "face-exception" is not/],
    [['slipPrinter', 'front desk'], /Setting "slipPrinter" must be a CUPS queue name, or '' for none; "front desk" is not\./],
    [['slipFolder', 'slips'], /Setting "slipFolder" must be an absolute path, or '' for none; "slips" is not\./],
    [['idleWarningSeconds', '120'], /The idle warning \(120 s\) must be shorter than the idle timeout \(120 s\): shorten the warning or lengthen the timeout\. \(SETTING_IDLE_WARNING_TOO_LONG\)/],
    [['idleTimeout', '300'], /There is no setting "idleTimeout"; the settings are idleTimeoutSeconds, idleWarningSeconds, .*\(SETTING_UNKNOWN\)/],
  ])('refuses %j with one line naming the setting and what it may be (exit 2), changing nothing', async (args, message) => {
    const dir = dataDir();
    const refused = await runCli(['settings', 'set', ...args, '--data', dir]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(message);
    expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(auditOf(dir).rows).toEqual([]);
  });

  it('answers a refusal as JSON with --json', async () => {
    const refused = await runCli(['settings', 'set', 'sealedRetentionHours', '9000', '--json', '--data', dataDir()]);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toEqual({
      error: { code: 'SETTING_INVALID', message: expect.stringContaining('from 0 to 8760'), details: { key: 'sealedRetentionHours', min: 0, max: 8760 } },
    });
  });

  it('changes what a running kiosk uses at once', async () => {
    const dir = dataDir();
    const kiosk = openKiosk({ dataDir: dir, host: 'browser', log: silentLog });
    try {
      const screen = kiosk.openScreen(() => {});
      expect(await runCli(['settings', 'set', 'defaultLanguage', 'de'], cleanEnv({ GATEHOUSE_DATA: dir }))).toMatchObject({ code: 0 });
      expect(await kiosk.dispatcher.call(screen, 'system.info', {})).toMatchObject({ ok: true, output: { settings: { defaultLanguage: 'de' } } });
    } finally {
      await kiosk.close();
    }
  });
});
