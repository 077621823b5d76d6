// `gatehouse support-bundle --out DIR`: the bundle from the command line, for a kiosk whose
// screen does not come up, with its log lines read from a saved log file and scrubbed; refused
// without a kiosk store (it never makes one), and audited.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import { openKioskDatabase } from '../../../../main/store/database.js';
import { MRZ_LINES } from '../../../fixtures/enrollment-on-review.js';
import { builtCliDataDirs, runCli } from './run-cli.js';

const tempDir = builtCliDataDirs();

describe('gatehouse support-bundle', () => {
  it('writes the bundle with the scrubbed lines of a saved log, and audits it', async () => {
    const dataDir = tempDir();
    const made = await runCli(['--data', dataDir, 'operator', 'add', '--role', 'technician', '--name', 'Tom Tech', '--pin', '97531864']);
    expect(made.code, made.stderr).toBe(0);
    const stick = tempDir();
    const logFile = path.join(tempDir(), 'kiosk.log');
    fs.writeFileSync(logFile, [
      JSON.stringify({ at: '2026-12-07T09:00:00.000Z', level: 'info', component: 'host', message: 'launching Chromium' }),
      JSON.stringify({ at: '2026-12-07T09:00:01.000Z', level: 'warn', component: 'reader', message: 'read refused', documentNumber: 'X4RT9K2Q7', raw: MRZ_LINES[0] }),
      '',
    ].join('\n'));

    const run = await runCli(['--data', dataDir, 'support-bundle', '--out', stick, '--log', logFile, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const written = JSON.parse(run.stdout) as { file: string; bytes: number; logSource: string };
    expect(written).toMatchObject({ file: expect.stringMatching(/gatehouse-support-unprovisioned-\d{8}T\d{6}Z\.json$/), logSource: 'file kiosk.log' });
    const text = fs.readFileSync(written.file, 'utf8');
    expect(text).not.toContain('X4RT9K2Q7');
    expect(text).not.toContain(MRZ_LINES[0]!.slice(0, 20));
    expect(text).not.toContain('97531864');
    const bundle = JSON.parse(text) as { log: { lines: string[] }; diagnostics: { checks: Array<{ id: string }>; devices: unknown[] }; outbox: object };
    expect(bundle.log.lines).toHaveLength(2);
    expect(JSON.parse(bundle.log.lines[1]!)).toMatchObject({ message: 'read refused', documentNumber: '[removed]', raw: '[mrz removed]' });
    expect(bundle.diagnostics.checks).toHaveLength(16);
    expect(bundle.diagnostics.devices).toEqual([]); // the CLI has no devices open
    expect(bundle.outbox).toEqual({});

    const db = openKioskDatabase(dataDir);
    try {
      const last = db.prepare('SELECT actor, action, details FROM audit ORDER BY seq DESC LIMIT 1').get();
      expect(last).toEqual({ actor: 'cli', action: 'diagnostics.support-bundle-written', details: JSON.stringify({ bytes: written.bytes, file: path.basename(written.file) }) });
      expect(verifyAudit(db).ok).toBe(true);
    } finally {
      db.close();
    }
  });

  it('refuses a data folder without a kiosk store, making none', async () => {
    const dataDir = tempDir();
    const run = await runCli(['--data', dataDir, 'support-bundle', '--out', tempDir(), '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'SUPPORT_BUNDLE_NO_STORE' } });
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});
