// `gatehouse chip read` as a technician runs it against a reader: `gatehouse sim chip` serves a
// passport on a private pcscd, and `chip read` (another process, pointed at that pcscd) reads it
// with the MRZ's key through real PC/SC, checked against --trust or the kiosk's own trust store.
// A genuine chip exits 0, an altered one 1, one of a country the kiosk does not trust 0 with
// "not-verifiable".

import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMrzLines } from '../../../../native/sim/sample-holder.js';
import { builtCli, cleanEnv, finished, runCli, startCli, tempDataDir } from './run-cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
beforeAll(() => {
  expect(fs.existsSync(builtCli), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
});

/** Runs `gatehouse sim chip` with `scenario` until the callback is done; gives it the socket and the CSCA file. */
async function withSimulatedChip(scenario: string, use: (sim: { env: NodeJS.ProcessEnv; csca: string; dir: string }) => Promise<void>): Promise<void> {
  const dir = tempDataDir();
  dirs.push(dir);
  const csca = path.join(dir, 'csca.der');
  const child = startCli(['sim', 'chip', '--scenario', scenario, '--csca-out', csca]);
  const done = finished(child);
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('ready ')) resolve();
    });
    child.once('exit', () => reject(new Error(`sim chip ended before it was ready: ${lines.join(' / ')}`)));
  });
  const socket = /^PCSCLITE_CSOCK_NAME=(\S+)$/.exec(lines[0]!)![1]!;
  try {
    await use({ env: cleanEnv({ GATEHOUSE_DATA: dir, PCSCLITE_CSOCK_NAME: socket }), csca, dir });
  } finally {
    child.kill('SIGTERM');
    await done;
  }
}

const MRZ = sampleMrzLines('passport', new Date());

describe('gatehouse chip read', () => {
  it('reads a genuine passport with PACE and verifies it against --trust, as JSON and as text', async () => {
    await withSimulatedChip('valid', async ({ env, csca }) => {
      const run = await runCli(['chip', 'read', '--json', '--mrz', ...MRZ, '--trust', csca, '--extended-length'], env);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({
        access: { protocol: 'PACE', password: 'mrz' },
        dg1: { surname: 'MUSTERFRAU', givenNames: 'ERIKA ANNA', documentNumber: 'C01X00T47', checkDigitsValid: true },
        portrait: { format: 'jpeg', width: expect.any(Number), height: expect.any(Number) },
        passiveAuthentication: { status: 'valid', csca: { country: 'UT' } },
        chipAuthentication: { performed: true, verified: true },
        dg1MatchesMrz: true,
        cscasTrusted: 1,
      });
      expect(JSON.stringify(summary)).not.toMatch(/"bytes":\{/); // sizes, never the bytes

      const text = await runCli(['chip', 'read', '--mrz', ...MRZ, '--trust', csca], env);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^access: PACE with the MRZ/m);
      expect(text.stdout).toMatch(/^Passive Authentication: valid \(CSCA UT: /m);
    });
  });

  it('exits 1 for a passport whose DG1 was altered after signing, and says why', async () => {
    await withSimulatedChip('altered-dg1', async ({ env, csca }) => {
      const run = await runCli(['chip', 'read', '--json', '--mrz', ...MRZ, '--trust', csca, '--extended-length'], env);
      expect(run.code, run.stderr).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ passiveAuthentication: { status: 'failed', reason: 'dg-hash-mismatch', dataGroup: 1 } });
    });
  });

  it('uses the kiosk\'s trust store: not verifiable before the CSCA is imported, valid after', async () => {
    await withSimulatedChip('valid', async ({ env, csca }) => {
      const before = await runCli(['chip', 'read', '--json', '--mrz', ...MRZ, '--extended-length'], env);
      expect(before.code, before.stderr).toBe(0);
      expect(JSON.parse(before.stdout)).toMatchObject({ passiveAuthentication: { status: 'not-verifiable', reason: 'no-csca-for-country' }, cscasTrusted: 0 });
      expect((await runCli(['trust', 'import', csca], env)).code).toBe(0);
      const after = await runCli(['chip', 'read', '--json', '--mrz', ...MRZ, '--extended-length'], env);
      expect(JSON.parse(after.stdout)).toMatchObject({ passiveAuthentication: { status: 'valid' }, cscasTrusted: 1 });
    });
  });

  it('refuses options that give no key or a broken MRZ (exit 2), before touching a reader', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const env = cleanEnv({ GATEHOUSE_DATA: dir });
    expect(await runCli(['chip', 'read'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/either --mrz .* or --can/) });
    const broken = [MRZ[0]!, MRZ[1]!.replace(/^(.{9})\d/, '$1X')];
    expect(await runCli(['chip', 'read', '--mrz', ...broken], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('do not check out') });
    expect(await runCli(['chip', 'read', '--can', '12'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('six digits') });
  });
});
