// The Debian packages on this machine, as a technician installs them: `apt-get install ./…deb`,
// the files, users and permissions the package promises, `systemd-analyze verify` on its units,
// then the kiosk session run exactly as the installed units say (their User=, EnvironmentFile=,
// Environment= and ExecStart=; cage headless, the only addition), its first screen filling cage's
// output in grim's picture, test-results/deb-kiosk-session-grim.png, the same picture as the window's
// from XWayland with xwd, deb-kiosk-session.png (a screen recorder keeps cage drawing the window
// itself: ../session/grim-shot.ts), and a purge that leaves nothing but the data it was not asked
// to remove. The same for the authority package, whose purge is asked to remove its data.
// Runs only as root on Debian with apt and dpkg, and only where no Gatehouse package is installed
// already (it would replace and purge it).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeMachineLock } from '../support/machine-lock.js';
import { AUTHORITY_PACKAGE, KIOSK_PACKAGE, type DebPackageSpec } from '../../../tools/package/deb-packages.js';
import { debianVersionOf } from '../../../tools/package/debian-control.js';
import { packageContents } from '../../../tools/package/package-contents.js';
import { drawnPage, HEADER_INK, kioskWindow, uncoveredEdgePixels, until } from '../../e2e/support/kiosk-screen.js';
import { readXwd } from '../../e2e/support/xwd-image.js';
import { readGrimShot, recordCageOutput, windowAndOutput } from '../session/grim-shot.js';
import { execStartArgv, readUnitFile, unitEnvironment } from '../session/systemd-unit-file.js';
import { ensureX11SocketDirectory } from '../session/x11-socket-directory.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const resultsDir = join(root, 'test-results');
const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const installed = (name: string) => spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' }).stdout.includes('install ok installed');

function whyNotHere(): string | null {
  if (process.getuid?.() !== 0) return 'not root: installing packages needs root';
  if (!existsSync('/etc/debian_version') || !have('apt-get') || !have('dpkg')) return 'not Debian with apt and dpkg';
  for (const tool of ['systemd-analyze', 'runuser', 'cage', 'grim', 'wf-recorder', 'xwd', 'xwininfo']) if (!have(tool)) return `${tool} is missing`;
  const present = [KIOSK_PACKAGE.name, AUTHORITY_PACKAGE.name].filter(installed);
  if (present.length > 0) return `${present.join(' and ')} already installed here; the test would replace and purge it`;
  return null;
}
const skipReason = whyNotHere();
if (skipReason !== null) console.warn(`deb-install: skipped, ${skipReason}`);

const version = debianVersionOf((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
const architecture = skipReason === null ? execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim() : '';
const debOf = (spec: DebPackageSpec) => join(root, 'release', `${spec.name}_${version}_${architecture}.deb`);

/** The newest modification time among the files a package is built from. */
function newestInput(): number {
  const places = ['dist', 'resources', 'bin', 'models', 'package.json', 'package-lock.json', 'docs/DEPLOY.md'];
  return Math.max(...places.flatMap((place) => {
    const at = join(root, place);
    if (!statSync(at).isDirectory()) return [statSync(at).mtimeMs];
    return readdirSync(at, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }));
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
  return `${result.stdout}${result.stderr}`;
}

const apt = (...args: string[]) => run('apt-get', ['-y', '-q', ...args], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
const userExists = (user: string) => spawnSync('getent', ['passwd', user]).status === 0;
const passwd = (user: string) => execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).trim().split(':');

/** Users the packages create that existed before the test (left alone afterwards). */
const USERS = ['gatehouse', 'gatehouse-kiosk', 'gatehouse-authority'];
/** What was there before this test took the machine (read once it holds the machine lock). */
let usersBefore = new Set<string>();
const DATA = ['/var/lib/gatehouse', '/var/lib/gatehouse-kiosk', '/var/lib/gatehouse-authority'];
let dataBefore = new Set<string>();

const children: ChildProcess[] = [];

/** The installed unit `name`, as systemd reads it. */
const installedUnit = (name: string) => readUnitFile(join('/lib/systemd/system', name));

/** Starts unit `name`'s command as the unit does (its User=, environment and ExecStart=), plus `extra` environment. */
function startAsUnit(name: string, extra: Record<string, string> = {}): { child: ChildProcess; output: () => string; ready: Promise<string> } {
  const unit = installedUnit(name);
  const user = unit.one('Service', 'User')!;
  const [, , , , , home, shell] = passwd(user);
  const own = unitEnvironment(unit);
  // What systemd gives every service (the user's identity, PATH, StateDirectory=), then the unit's own.
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: home!, USER: user, LOGNAME: user, SHELL: shell!,
    ...stateDirectoryEnvironment(unit.one('Service', 'StateDirectory'), user, unit.one('Service', 'StateDirectoryMode')),
    ...own, ...extra,
  };
  const child = spawn('runuser', ['-u', user, '--', 'env', '-i', ...Object.entries(env).map(([key, value]) => `${key}=${value}`), ...execStartArgv(unit, own)], {
    stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  children.push(child);
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      if (line.startsWith('ready ')) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`${name}'s command exited with ${code} before it was ready\n${output.slice(-3000)}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => output, ready };
}

/** StateDirectory= as systemd provides it before the command starts: the folder, owned by the unit's user, and $STATE_DIRECTORY. */
function stateDirectoryEnvironment(name: string | undefined, user: string, mode = '0755'): Record<string, string> {
  if (name === undefined) return {};
  const dir = join('/var/lib', name);
  mkdirSync(dir, { recursive: true, mode: Number.parseInt(mode, 8) });
  const [, , uid, gid] = passwd(user);
  chownSync(dir, Number(uid), Number(gid));
  return { STATE_DIRECTORY: dir };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

/** Every installed file of package `name`, from dpkg's own list. */
const packageFiles = (name: string) => new Set(run('dpkg-query', ['-L', name]).split('\n').filter(Boolean));

describe.skipIf(skipReason !== null)('the Debian packages, installed on this machine', () => {
  let releaseMachine: (() => void) | null = null;
  beforeAll(async () => {
    releaseMachine = await takeMachineLock();
    usersBefore = new Set(USERS.filter(userExists));
    dataBefore = new Set(DATA.filter((dir) => existsSync(dir)));
    const stale = [KIOSK_PACKAGE, AUTHORITY_PACKAGE].some((spec) => !existsSync(debOf(spec)) || statSync(debOf(spec)).mtimeMs < newestInput());
    if (stale) run(process.execPath, [join(root, 'dist', 'tools', 'package', 'main.js')]);
  }, 20 * 60_000);

  afterAll(async () => {
    for (const child of children) await stop(child);
    for (const spec of [KIOSK_PACKAGE, AUTHORITY_PACKAGE]) if (installed(spec.name)) apt('purge', spec.name);
    for (const dir of DATA) if (!dataBefore.has(dir)) rmSync(dir, { recursive: true, force: true });
    for (const user of USERS) if (!usersBefore.has(user) && userExists(user)) run('userdel', [user]);
    for (const group of USERS) if (!usersBefore.has(group) && spawnSync('getent', ['group', group]).status === 0) run('groupdel', [group]);
    releaseMachine?.();
  }, 5 * 60_000);

  it('the kiosk: installs with apt, runs its session as the units say, and purges cleanly', async () => {
    apt('install', debOf(KIOSK_PACKAGE));

    // Files: the whole import graph, the Node runtime, the command, and no development code.
    const files = packageFiles(KIOSK_PACKAGE.name);
    const contents = packageContents(root, KIOSK_PACKAGE, { os: process.platform, arch: process.arch, libc: 'glibc' });
    expect(contents.graphFiles.filter((file) => !files.has(`/opt/gatehouse/${file}`))).toEqual([]);
    expect([...files].filter((file) => /^\/opt\/gatehouse\/(dist\/(tools|bench|fuzz|torture)|test|tools)(\/|$)|\.map$/.test(file))).toEqual([]);
    expect(statSync('/opt/gatehouse/node/bin/node').mode & 0o777).toBe(0o755);
    expect(run('/usr/bin/gatehouse', ['--version']).trim()).toBe((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
    expect(run('/usr/bin/gatehouse-update', ['status']).trim()).toBe('the update installer has not run yet');
    const conffiles = run('dpkg-query', ['-W', '-f=${Conffiles}', KIOSK_PACKAGE.name]);
    expect(conffiles).toContain('/etc/gatehouse/gatehouse.conf');
    expect(conffiles).toContain('/etc/chromium/policies/managed/gatehouse.json');

    // Users and the data folder.
    expect(userExists('gatehouse') && userExists('gatehouse-kiosk')).toBe(true);
    const data = statSync('/var/lib/gatehouse');
    expect(data.mode & 0o777).toBe(0o700);
    expect(data.uid).toBe(Number(passwd('gatehouse')[2]));

    // The units, as systemd reads them (no systemd running is needed).
    const units = [...files].filter((file) => file.startsWith('/lib/systemd/system/') && /\.(service|path)$/.test(file));
    expect(units.map((unit) => unit.split('/').pop()).sort()).toEqual(['gatehouse-kiosk.service', 'gatehouse-update.path', 'gatehouse-update.service', 'gatehouse.service']);
    run('systemd-analyze', ['verify', ...units]);

    // The session: the host as gatehouse.service says, then the screen as gatehouse-kiosk.service says.
    const host = startAsUnit('gatehouse.service');
    const origin = (await host.ready).slice('ready '.length);
    expect(origin).toBe(`http://127.0.0.1:${unitEnvironment(installedUnit('gatehouse.service')).GATEHOUSE_PORT}`);
    const [, , kioskUid, kioskGid] = passwd('gatehouse-kiosk');
    const runtime = mkdtempSync(join(tmpdir(), 'gatehouse-kiosk-runtime-'));
    chownSync(runtime, Number(kioskUid), Number(kioskGid));
    ensureX11SocketDirectory();
    const screen = startAsUnit('gatehouse-kiosk.service', { WLR_BACKENDS: 'headless', WLR_LIBINPUT_NO_DEVICES: '1', XDG_RUNTIME_DIR: runtime });
    let recorder: Awaited<ReturnType<typeof recordCageOutput>> | undefined;
    try {
      recorder = await recordCageOutput(screen.child, 'gatehouse-kiosk', runtime);
      const asKiosk = (display: string | null, command: string[]) => spawnSync('runuser', ['-u', 'gatehouse-kiosk', '--', 'env', `XDG_RUNTIME_DIR=${runtime}`, 'WAYLAND_DISPLAY=wayland-0',
        ...(display === null ? [] : [`DISPLAY=${display}`]), ...command], { encoding: 'utf8' });
      // cage's XWayland, where Chromium's window is: the Xwayland process of the screen user, its display its first argument.
      const display = await until('cage\'s XWayland', () => xwaylandDisplayOf(Number(kioskUid)), 120_000);
      const window = await until('the kiosk window', () => kioskWindow(asKiosk(display, ['xwininfo', '-root', '-tree']).stdout), 120_000)
        .catch((error: Error) => { throw new Error(`${error.message}\nhost:\n${host.output().slice(-2000)}\nscreen:\n${screen.output().slice(-2000)}`); });
      const dump = join(runtime, 'window.xwd');
      const takeWindow = () => (asKiosk(display, ['xwd', '-silent', '-id', window.id, '-out', dump]).status === 0 ? readXwd(dump) : null);
      await until('the kiosk\'s first screen', drawnPage(takeWindow), 120_000);

      // grim: cage's output, the same picture as the window's.
      const shotFile = join(runtime, 'grim.png');
      const { window: page, output, same } = await windowAndOutput({
        window: takeWindow,
        output: () => (asKiosk(null, ['grim', shotFile]).status === 0 ? readGrimShot(shotFile) : null),
      });
      await recorder.stop();
      mkdirSync(resultsDir, { recursive: true });
      page?.savePng(join(resultsDir, 'deb-kiosk-session.png'));
      output?.savePng(join(resultsDir, 'deb-kiosk-session-grim.png'));
      expect(same, `grim's picture is not the window's (test-results/deb-kiosk-session-grim.png)\n${recorder.output().slice(-1500)}`).toBe(true);

      // The window covers the output exactly and its page reaches every edge.
      expect({ x: window.x, y: window.y, width: window.width, height: window.height }).toEqual({ x: 0, y: 0, width: output!.width, height: output!.height });
      expect(output!.pixel(0, 0)).toEqual(HEADER_INK);
      expect(uncoveredEdgePixels(output!)).toBe(0);
      expect(screen.output()).toMatch(/launching Chromium/);
      expect(host.output()).not.toMatch(/refused a page address|refused rpc connection/);
    } finally {
      await recorder?.stop();
      await stop(screen.child);
      await stop(host.child);
      rmSync(runtime, { recursive: true, force: true });
    }

    // Purge: the program, units and conffiles go; the data stays (not asked to remove it), and says so.
    const purge = apt('purge', KIOSK_PACKAGE.name);
    expect(purge).toMatch(/gatehouse: kept \/var\/lib\/gatehouse/);
    expect([...files].filter((file) => existsSync(file) && !statSync(file).isDirectory())).toEqual([]);
    for (const gone of ['/opt/gatehouse', '/usr/bin/gatehouse', '/etc/gatehouse/gatehouse.conf', '/etc/chromium/policies/managed/gatehouse.json']) expect(existsSync(gone), gone).toBe(false);
    expect(existsSync('/var/lib/gatehouse')).toBe(true);
    expect(installed(KIOSK_PACKAGE.name)).toBe(false);
  });

  it('the authority: installs, serves as its unit says, and purge removes its data when asked', async () => {
    apt('install', debOf(AUTHORITY_PACKAGE));
    const files = packageFiles(AUTHORITY_PACKAGE.name);
    expect([...files].filter((file) => /^\/opt\/gatehouse-authority\/dist\/(main|native|renderer|tools)\//.test(file))).toEqual([]);
    const conf = statSync('/etc/gatehouse-authority/authority.conf');
    expect([conf.mode & 0o777, conf.uid, conf.gid]).toEqual([0o640, 0, Number(passwd('gatehouse-authority')[3])]);
    expect(statSync('/var/lib/gatehouse-authority').mode & 0o777).toBe(0o700);
    run('systemd-analyze', ['verify', '/lib/systemd/system/gatehouse-authority.service']);

    // Nothing creates the authority's keys but its operator, once (docs/DEPLOY.md).
    run('runuser', ['-u', 'gatehouse-authority', '--', 'gatehouse-authority', '--data', '/var/lib/gatehouse-authority', 'keys', 'init']);
    const authority = startAsUnit('gatehouse-authority.service');
    try {
      const url = (await authority.ready).slice('ready '.length);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8480/);
      const token = run('runuser', ['-u', 'gatehouse-authority', '--', 'gatehouse-authority', '--data', '/var/lib/gatehouse-authority', 'token', 'create', '--json']);
      expect(JSON.parse(token)).toHaveProperty('token');
    } finally {
      await stop(authority.child);
    }

    run('sh', ['-c', 'GATEHOUSE_PURGE_DATA=1 DEBIAN_FRONTEND=noninteractive apt-get -y -q purge gatehouse-authority']);
    expect(existsSync('/var/lib/gatehouse-authority')).toBe(false);
    expect(existsSync('/opt/gatehouse-authority')).toBe(false);
    expect(existsSync('/etc/gatehouse-authority')).toBe(false);
  });
});

/** The X display of the Xwayland that user `uid` runs (cage starts it for the kiosk window), or null. */
function xwaylandDisplayOf(uid: number): string | null {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (statSync(join('/proc', pid)).uid !== uid) continue;
      const argv = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\0');
      if (argv[0]?.endsWith('Xwayland') && argv[1]?.startsWith(':')) return argv[1];
    } catch {
      // the process ended while we looked
    }
  }
  return null;
}
