// `gatehouse operator add|list` as a spawned process against a temporary data directory:
// the first technician from a shell, clear refusals (exit 2) for bad options, and an
// operator who can then log in at the kiosk.

import { describe, expect, it } from 'vitest';
import { openKiosk } from '../../../../main/kiosk/kiosk.js';
import { silentLog } from '../../../../main/log.js';
import { builtCliDataDirs, cleanEnv, runCli } from './run-cli.js';

const dataDir = builtCliDataDirs();

describe('gatehouse operator', () => {
  it('adds the first technician and lists them as JSON, without any PIN material', async () => {
    const dir = dataDir();
    const add = await runCli(['operator', 'add', '--role', 'technician', '--name', 'T', '--pin', '123456', '--data', dir]);
    expect(add).toMatchObject({ code: 0, stdout: 'created technician "T" (id 1)\n', stderr: '' });

    const list = await runCli(['operator', 'list', '--json', '--data', dir]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      { id: 1, name: 'T', role: 'technician', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), disabled: false, lockedUntil: null },
    ]);
    expect(list.stdout).not.toMatch(/scrypt|pin|123456/i);

    const text = await runCli(['--data', dir, 'operator', 'list']);
    expect(text).toMatchObject({ code: 0, stdout: '   1  technician  T\n' });
  });

  it('creates an operator who can log in at the kiosk, audited as done from the command line', async () => {
    const dir = dataDir();
    const add = await runCli(['operator', 'add', '--role', 'officer', '--name', 'Olga Officer', '--pin', 'k1osk-PIN', '--json', '--data', dir]);
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ id: 1, name: 'Olga Officer', role: 'officer' });

    const kiosk = openKiosk({ dataDir: dir, host: 'browser', log: silentLog });
    try {
      const screen = kiosk.openScreen(() => {});
      expect(await kiosk.dispatcher.call(screen, 'system.info', {})).toMatchObject({ ok: true, output: { firstRun: false } });
      expect(await kiosk.dispatcher.call(screen, 'auth.login', { name: 'Olga Officer', pin: 'k1osk-PIN' }))
        .toMatchObject({ ok: true, output: { operator: { id: 1, role: 'officer' } } });
      expect(kiosk.db.prepare('SELECT actor, action, details FROM audit WHERE seq = 1').get())
        .toEqual({ actor: 'cli', action: 'operator.create', details: '{"operatorId":1,"role":"officer"}' });
    } finally {
      await kiosk.close();
    }
  });

  it('takes the data directory from GATEHOUSE_DATA when --data is not given', async () => {
    const dir = dataDir();
    expect((await runCli(['operator', 'add', '--role', 'supervisor', '--name', 'Sven', '--pin', '654321'], cleanEnv({ GATEHOUSE_DATA: dir }))).code).toBe(0);
    const list = await runCli(['operator', 'list', '--json', '--data', dir]);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'Sven', role: 'supervisor' }]);
  });

  it.each([
    ['an unknown role', ['--role', 'chief', '--name', 'T', '--pin', '123456'], /^gatehouse: --role: .*officer.*supervisor.*technician.*\(CLI_INVALID_OPTIONS\)\n$/],
    ['a short PIN', ['--role', 'technician', '--name', 'T', '--pin', '12345'], /^gatehouse: --pin: at least 6 characters \(CLI_INVALID_OPTIONS\)\n$/],
    ['a name with symbols', ['--role', 'officer', '--name', '<script>', '--pin', '123456'], /^gatehouse: --name: letters, digits/],
  ])('refuses %s with exit 2 and a one-line reason, creating nothing', async (_label, options, message) => {
    const dir = dataDir();
    const run = await runCli(['operator', 'add', ...options, '--data', dir]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
    expect(JSON.parse((await runCli(['operator', 'list', '--json', '--data', dir])).stdout)).toEqual([]);
  });

  it('reports a refusal as JSON on stdout with --json', async () => {
    const run = await runCli(['operator', 'add', '--role', 'chief', '--name', 'T', '--pin', '1', '--json', '--data', dataDir()]);
    expect(run.code).toBe(2);
    const body = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CLI_INVALID_OPTIONS');
    expect(body.error.message).toContain('--role');
    expect(body.error.message).toContain('--pin');
  });

  it('refuses a name that is taken, in any letter case', async () => {
    const dir = dataDir();
    await runCli(['operator', 'add', '--role', 'technician', '--name', 'Tara', '--pin', '123456', '--data', dir]);
    const again = await runCli(['operator', 'add', '--role', 'officer', '--name', 'TARA', '--pin', '123456', '--data', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists.*\(OPERATOR_NAME_TAKEN\)/);
  });

  it('fails when a required option is missing', async () => {
    const run = await runCli(['operator', 'add', '--role', 'officer', '--name', 'T', '--data', dataDir()]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--pin');
  });
});
