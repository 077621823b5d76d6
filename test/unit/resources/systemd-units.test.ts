// The kiosk's systemd units, sysusers and tmpfiles entries: each unit passes `systemd-analyze
// verify` (against a temporary root holding this machine's units and the packaged commands, since
// nothing is installed here), keeps its sandbox (`systemd-analyze security` score), runs the
// commands with options the CLIs really have, and the users, folders and page key path agree
// across the files.

import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../main/cli/main.js';
import { projectRoot } from '../../../main/kiosk/project-root.js';
import { execStartArgv, parseEnvironmentFile, readUnitFile, unitEnvironment } from '../../integration/session/systemd-unit-file.js';

const resources = join(projectRoot, 'resources');
const unitPath = (name: string) => join(resources, 'systemd', name);
const UNITS = ['gatehouse.service', 'gatehouse-kiosk.service', 'gatehouse-authority.service'];
/** Where the packages install what the units read (H1's layout), here in the checkout. */
const installed: Record<string, string> = {
  '/etc/gatehouse/gatehouse.conf': join(resources, 'gatehouse.conf'),
  '/etc/gatehouse-authority/authority.conf': join(resources, 'gatehouse-authority.conf'),
};
const fromCheckout = (path: string) => installed[path] ?? path;

const host = readUnitFile(unitPath('gatehouse.service'));
const kiosk = readUnitFile(unitPath('gatehouse-kiosk.service'));
const authority = readUnitFile(unitPath('gatehouse-authority.service'));
const conf = parseEnvironmentFile(readFileSync(join(resources, 'gatehouse.conf'), 'utf8'));

/** `u NAME ID GECOS HOME SHELL` lines of a sysusers.d file. */
function sysusers(file: string): Map<string, { home: string }> {
  const users = new Map<string, { home: string }>();
  for (const line of readFileSync(join(resources, 'sysusers', file), 'utf8').split('\n')) {
    const match = /^u\s+(\S+)\s+(\S+)\s+"[^"]*"\s+(\S+)\s+(\S+)$/.exec(line);
    if (match) users.set(match[1]!, { home: match[3]! });
    else if (line.trim() !== '' && !line.startsWith('#')) throw new Error(`unexpected sysusers line: ${line}`);
  }
  return users;
}

/** The `d` lines of the tmpfiles.d file: path → mode, user, group. */
function tmpfilesFolders(): Map<string, { mode: number; user: string; group: string }> {
  const folders = new Map<string, { mode: number; user: string; group: string }>();
  for (const line of readFileSync(join(resources, 'tmpfiles', 'gatehouse.conf'), 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [type, path, mode, user, group] = line.trim().split(/\s+/);
    expect(type).toBe('d');
    folders.set(path!, { mode: Number.parseInt(mode!, 8), user: user!, group: group! });
  }
  return folders;
}

/** The long option names of a `gatehouse` subcommand. */
function gatehouseOptions(command: string): string[] {
  const found = buildProgram().commands.find((each) => each.name() === command);
  if (!found) throw new Error(`gatehouse has no command ${command}`);
  return found.options.map((option) => option.long!);
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('gatehouse.service', () => {
  it('serves the kiosk on the configured port, shares the page key, as gatehouse with its data in /var/lib/gatehouse', () => {
    const argv = execStartArgv(host, unitEnvironment(host, fromCheckout));
    expect(argv).toEqual(['/usr/bin/gatehouse', 'serve', '--no-browser', '--port', conf.GATEHOUSE_PORT, '--page-key-file', '/run/gatehouse/page-key.json']);
    for (const option of argv.filter((word) => word.startsWith('--'))) expect(gatehouseOptions('serve')).toContain(option);
    expect(host.one('Service', 'User')).toBe('gatehouse');
    expect(host.one('Service', 'StateDirectory')).toBe('gatehouse');
    expect(host.one('Service', 'StateDirectoryMode')).toBe('0700');
    expect(conf.GATEHOUSE_DATA).toBe('/var/lib/gatehouse');
    expect(unitEnvironment(host, fromCheckout)).toMatchObject({ GATEHOUSE_PACKAGED: '1', GATEHOUSE_DATA: '/var/lib/gatehouse' });
  });

  it('is hardened and restarted on failure', () => {
    for (const [key, value] of [['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'], ['NoNewPrivileges', 'yes'],
      ['Restart', 'on-failure'], ['Type', 'exec'], ['StandardError', 'journal'], ['PrivateDevices', 'no'], ['UMask', '0077']]) {
      expect([key, host.one('Service', key!)]).toEqual([key, value]);
    }
    // The only folder it writes outside its StateDirectory is where it shares the page key.
    expect(host.all('Service', 'ReadWritePaths')).toEqual(['/run/gatehouse']);
    expect(host.all('Service', 'DeviceAllow')).toEqual([]);
  });
});

describe('gatehouse-kiosk.service', () => {
  it('runs cage with the kiosk window on tty1 as gatehouse-kiosk, from the page key the host shares', () => {
    const argv = execStartArgv(kiosk, unitEnvironment(kiosk, fromCheckout));
    expect(argv).toEqual(['/usr/bin/cage', '--', '/usr/bin/gatehouse', 'kiosk-window', '--page-key', '/run/gatehouse/page-key.json']);
    for (const option of argv.slice(3).filter((word) => word.startsWith('--'))) expect(gatehouseOptions('kiosk-window')).toContain(option);
    expect(kiosk.one('Service', 'User')).toBe('gatehouse-kiosk');
    for (const [key, value] of [['PAMName', 'login'], ['TTYPath', '/dev/tty1'], ['UtmpIdentifier', 'tty1'], ['Restart', 'always'],
      ['StateDirectory', 'gatehouse-kiosk'], ['NoNewPrivileges', 'yes']]) {
      expect([key, kiosk.one('Service', key!)]).toEqual([key, value]);
    }
    expect(kiosk.all('Unit', 'Conflicts')).toEqual(['getty@tty1.service']);
    expect(kiosk.all('Unit', 'Wants')).toEqual(['gatehouse.service']);
    expect(kiosk.all('Unit', 'After').join(' ').split(' ')).toContain('gatehouse.service');
    expect(kiosk.all('Service', 'InaccessiblePaths')).toEqual(['-/var/lib/gatehouse']);
  });
});

describe('gatehouse-authority.service', () => {
  it('serves the authority from /var/lib/gatehouse-authority, the database from its environment file, PostgreSQL only ordered after', async () => {
    const env = unitEnvironment(authority, fromCheckout);
    const argv = execStartArgv(authority, env);
    expect(argv).toEqual(['/usr/bin/gatehouse-authority', '--data', '/var/lib/gatehouse-authority', 'serve',
      '--host', env.GATEHOUSE_AUTHORITY_HOST, '--port', env.GATEHOUSE_AUTHORITY_PORT]);
    const help = (args: string[]) => spawnSync(process.execPath, [join(projectRoot, 'bin', 'gatehouse-authority.js'), ...args, '--help'], { encoding: 'utf8' }).stdout;
    for (const option of ['--data', '--database']) expect(help([])).toContain(option);
    for (const option of ['--host', '--port']) expect(help(['serve'])).toContain(option);
    expect(authority.one('Service', 'User')).toBe('gatehouse-authority');
    expect(authority.one('Service', 'StateDirectory')).toBe('gatehouse-authority');
    expect(authority.all('Unit', 'After')).toContain('postgresql.service');
    expect(authority.all('Unit', 'Wants').concat(authority.all('Unit', 'Requires'))).toEqual([]);
    expect(readFileSync(join(resources, 'gatehouse-authority.conf'), 'utf8')).toMatch(/^#GATEHOUSE_AUTHORITY_DATABASE=postgres:\/\//m);
  });
});

describe('users and folders', () => {
  it('sysusers makes every user the units run as, with its StateDirectory as home', () => {
    const users = new Map([...sysusers('gatehouse.conf'), ...sysusers('gatehouse-authority.conf')]);
    for (const unit of [host, kiosk, authority]) {
      const user = unit.one('Service', 'User')!;
      expect(users.get(user)).toEqual({ home: `/var/lib/${unit.one('Service', 'StateDirectory')}` });
      expect(unit.one('Service', 'Group')).toBe(user);
    }
    expect([...sysusers('gatehouse-authority.conf').keys()]).toEqual(['gatehouse-authority']);
  });

  it('the page key folder is the host\'s, setgid with the screen user\'s group, readable by nobody else', () => {
    const folders = tmpfilesFolders();
    expect([...folders.keys()]).toEqual([dirname('/run/gatehouse/page-key.json')]);
    expect(folders.get('/run/gatehouse')).toEqual({ mode: 0o2750, user: host.one('Service', 'User'), group: kiosk.one('Service', 'Group') });
  });
});

const missing = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0;

describe.skipIf(missing('systemd-analyze'))('systemd-analyze', () => {
  /** A root with this machine's units, the packaged commands as stubs, and the kiosk's units installed. */
  function verificationRoot(commands: string[]): string {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-units-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    cpSync('/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    for (const command of commands) {
      writeFileSync(join(root, command), '#!/bin/sh\n');
      chmodSync(join(root, command), 0o755);
    }
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    for (const unit of UNITS) cpSync(unitPath(unit), join(root, 'etc/systemd/system', unit));
    return root;
  }
  const verify = (root: string) => spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, ...UNITS], { encoding: 'utf8' });

  it('verify passes on all three units', () => {
    const result = verify(verificationRoot(['/usr/bin/gatehouse', '/usr/bin/gatehouse-authority', '/usr/bin/cage']));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('verify fails when a command the units run is not installed', () => {
    const result = verify(verificationRoot(['/usr/bin/gatehouse-authority', '/usr/bin/cage']));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Command /usr/bin/gatehouse is not executable');
  });

  it.each([['gatehouse.service', 4.5], ['gatehouse-kiosk.service', 5], ['gatehouse-authority.service', 2]])('%s keeps its sandbox (exposure at most %d)', (unit, threshold) => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=yes', unitPath(unit)], { encoding: 'utf8' });
    const level = /Overall exposure level for \S+: ([\d.]+)/.exec(result.stdout)?.[1];
    expect(Number(level)).toBeLessThanOrEqual(threshold);
  });
});
