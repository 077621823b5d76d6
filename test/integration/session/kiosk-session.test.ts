// The kiosk session as the packaged units run it, from this checkout: gatehouse.service's command
// as the user gatehouse and gatehouse-kiosk.service's (cage with `gatehouse kiosk-window`) as the
// user gatehouse-kiosk, with the environment their units give them, under Chromium's managed policy.
// Substituted, since nothing is installed and PID 1 is not systemd: /usr/bin/gatehouse by this
// checkout's bin/gatehouse.js on /usr/bin/node; the folders systemd and tmpfiles.d would make
// (/var/lib/…, /run/gatehouse, XDG_RUNTIME_DIR) by folders of the same owners and modes in a
// temporary folder; the configured port by a free one (other tests share this machine), in the
// policy as well; /etc/chromium by a copy holding the policy, bound in a private mount namespace so
// no other Chromium on the machine sees it; and WLR_BACKENDS=headless for cage, which has no screen
// here. Shows: the host serves on the port, the screen user cannot enter the data folder but reads
// the shared page key, the window opens the kiosk's first screen through a one-time address (spent
// by the time anyone replays it), filling cage's output (grim's picture of the output, saved as
// test-results/kiosk-session-grim.png, is the window's as xwd takes it from XWayland, saved as
// kiosk-session-W.png; a screen recorder keeps cage drawing the window itself: grim-shot.ts), the
// window ends by itself when the host stops; and the host's slips still draw under the policy.
// Root only (users, runuser, mount namespaces); users it had to create are removed afterwards.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeMachineLock } from '../support/machine-lock.js';
import { screenshotDir } from '../../e2e/support/browser.js';
import { projectRoot } from '../../e2e/support/kiosk-process.js';
import { drawnPage, HEADER_INK, kioskWindow, uncoveredEdgePixels, until } from '../../e2e/support/kiosk-screen.js';
import { readXwd } from '../../e2e/support/xwd-image.js';
import { readGrimShot, recordCageOutput, windowAndOutput } from './grim-shot.js';
import { execStartArgv, readUnitFile, unitEnvironment } from './systemd-unit-file.js';
import { ensureX11SocketDirectory } from './x11-socket-directory.js';

const resources = join(projectRoot, 'resources');
const cli = join(projectRoot, 'bin', 'gatehouse.js');
const hostUnit = readUnitFile(join(resources, 'systemd', 'gatehouse.service'));
const kioskUnit = readUnitFile(join(resources, 'systemd', 'gatehouse-kiosk.service'));
const HOST_USER = hostUnit.one('Service', 'User')!;
const SCREEN_USER = kioskUnit.one('Service', 'User')!;
/** What systemd puts in PATH for a system service. */
const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const missing = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0;
const tools = ['cage', 'grim', 'wf-recorder', 'Xwayland', 'xwininfo', 'xwd', 'runuser', 'useradd', 'userdel', 'unshare', 'chromium'];
const unmet = process.getuid?.() !== 0 ? 'needs root (users, runuser, a mount namespace)'
  : tools.filter(missing).map((tool) => `needs ${tool}`).join(', ')
    // Both users must reach this checkout and Node (not so under a 0700 home).
    || (spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, cli, '--version'], { stdio: 'ignore' }).status !== 0 ? 'the checkout is not readable by other users' : '');

const run = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' });
const idOf = (name: string, kind: 'user' | 'group') => Number(run('getent', [kind === 'user' ? 'passwd' : 'group', name]).stdout.split(':')[2]);

describe.skipIf(unmet !== '')(`the kiosk session as its units run it${unmet ? ` (skipped: ${unmet})` : ''}`, () => {
  const cleanups: Array<() => unknown> = [];
  let work = '';
  let port = 0;
  const folder = (path: string, mode: number, owner: string, group = owner) => {
    mkdirSync(path, { recursive: true });
    chownSync(path, idOf(owner, 'user'), idOf(group, 'group'));
    chmodSync(path, mode);
    return path;
  };
  const paths = { data: '', kioskState: '', run: '', runtime: '', chromiumEtc: '' };
  let host: ChildProcess;
  let hostStderr = '';
  let hostExit: Promise<number | null>;
  let session: ChildProcess;
  let sessionStderr = '';
  let sessionExit: Promise<number | null>;

  beforeAll(async () => {
    cleanups.push(await takeMachineLock());
    for (const user of [HOST_USER, SCREEN_USER]) {
      if (run('id', ['-u', user]).status === 0) continue;
      expect(run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', user]).status).toBe(0);
      const uid = idOf(user, 'user');
      cleanups.push(() => {
        // Whatever this test started as the user it made (a Chromium helper still exiting) ends first, or userdel refuses.
        for (const each of processes().filter((one) => one.uid === uid)) process.kill(each.pid, 'SIGKILL');
        expect(run('userdel', [user]).status).toBe(0);
      });
    }
    work = mkdtempSync('/tmp/gatehouse-session-');
    chmodSync(work, 0o755);
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    // As StateDirectory= makes them (0700, the unit's user), and /run/gatehouse as tmpfiles.d says.
    paths.data = folder(join(work, 'var/lib/gatehouse'), 0o700, HOST_USER);
    paths.kioskState = folder(join(work, 'var/lib/gatehouse-kiosk'), 0o700, SCREEN_USER);
    const [, , mode, owner, group] = readFileSync(join(resources, 'tmpfiles', 'gatehouse.conf'), 'utf8').split('\n').find((line) => line.startsWith('d '))!.split(/\s+/);
    paths.run = folder(join(work, 'run/gatehouse'), Number.parseInt(mode!, 8), owner!, group);
    // pam_systemd's XDG_RUNTIME_DIR for the session.
    paths.runtime = folder(join(work, 'run/user/screen'), 0o700, SCREEN_USER);
    port = await freePort();
    paths.chromiumEtc = join(work, 'etc/chromium');
    cpSync('/etc/chromium', paths.chromiumEtc, { recursive: true });
    mkdirSync(join(paths.chromiumEtc, 'policies/managed'), { recursive: true });
    const policy = readFileSync(join(resources, 'chromium/policies/gatehouse.json'), 'utf8');
    expect(policy).toContain('http://127.0.0.1:8470');
    writeFileSync(join(paths.chromiumEtc, 'policies/managed/gatehouse.json'), policy.replaceAll('http://127.0.0.1:8470', `http://127.0.0.1:${port}`));
  }, 20 * 60_000); // the machine lock may wait for the package test

  afterAll(async () => {
    for (const child of [session, host]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        for (const pid of descendantsOf(child.pid!)) process.kill(pid, 'SIGKILL');
        await exited;
      }
    }
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A unit's command and environment with the substitutions above. */
  function asUnitRunsIt(unit: ReturnType<typeof readUnitFile>, extra: Record<string, string>): { argv: string[]; env: Record<string, string> } {
    const env = { ...unitEnvironment(unit, (path) => (path === '/etc/gatehouse/gatehouse.conf' ? join(resources, 'gatehouse.conf') : path)), GATEHOUSE_PORT: String(port), GATEHOUSE_DATA: paths.data };
    const argv = execStartArgv(unit, env).flatMap((word) => {
      if (word === '/usr/bin/gatehouse') return ['/usr/bin/node', cli];
      return [word.startsWith('/run/gatehouse/') ? join(paths.run, word.slice('/run/gatehouse/'.length)) : word];
    });
    return { argv, env: { ...env, PATH: SYSTEMD_PATH, ...extra } };
  }

  /** Runs `argv` as `user` with exactly `env`, /etc/chromium being the copy with the policy, in a mount namespace of its own. */
  function runAs(user: string, { argv, env }: { argv: string[]; env: Record<string, string> }): ChildProcess {
    const script = 'mount --bind "$1" /etc/chromium && user="$0" && shift && exec runuser -u "$user" -- env -i "$@"';
    return spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, user, paths.chromiumEtc,
      ...Object.entries(env).map(([key, value]) => `${key}=${value}`), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  const asScreenUser = (...command: string[]) => spawnSync('runuser', ['-u', SCREEN_USER, '--', 'env', `XDG_RUNTIME_DIR=${paths.runtime}`, 'WAYLAND_DISPLAY=wayland-0', ...command], { encoding: 'utf8' });

  it('the host serves on the configured port as gatehouse, and shares its page key with the screen user alone', async () => {
    const hostCommand = asUnitRunsIt(hostUnit, { HOME: paths.data, USER: HOST_USER, LOGNAME: HOST_USER, STATE_DIRECTORY: paths.data });
    expect(hostCommand.argv.slice(2)).toEqual(['serve', '--no-browser', '--port', String(port), '--page-key-file', join(paths.run, 'page-key.json')]);
    expect(hostCommand.env).toMatchObject({ GATEHOUSE_PACKAGED: '1' });
    host = runAs(HOST_USER, hostCommand);
    host.stderr!.setEncoding('utf8').on('data', (chunk: string) => { hostStderr += chunk; });
    hostExit = new Promise((resolve) => host.once('exit', resolve));
    const ready = await new Promise<string>((resolve, reject) => {
      createInterface({ input: host.stdout! }).on('line', (line) => { if (line.startsWith('ready ')) resolve(line); });
      host.once('exit', (code) => reject(new Error(`the host exited with ${code}:\n${hostStderr.slice(-3000)}`)));
    });
    expect(ready).toBe(`ready http://127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);

    const pageKey = join(paths.run, 'page-key.json');
    expect(statSync(pageKey).mode & 0o7777).toBe(0o640);
    expect(statSync(pageKey).gid).toBe(idOf(SCREEN_USER, 'group'));
    expect(JSON.parse(asScreenUser('cat', pageKey).stdout)).toMatchObject({ origin: `http://127.0.0.1:${port}` });
    expect(run('runuser', ['-u', 'nobody', '--', 'cat', pageKey]).status).not.toBe(0);
    const entered = run('runuser', ['-u', SCREEN_USER, '--', 'ls', paths.data]);
    expect(entered.status).not.toBe(0);
    expect(entered.stderr).toContain('Permission denied');
    expect(readdirSync(paths.data)).toContain('gatehouse.sqlite');
  });

  it('the kiosk window opens the first screen through a one-time address, filling cage\'s output', async () => {
    const kioskCommand = asUnitRunsIt(kioskUnit, {
      HOME: paths.kioskState, USER: SCREEN_USER, LOGNAME: SCREEN_USER, STATE_DIRECTORY: paths.kioskState, XDG_RUNTIME_DIR: paths.runtime,
      WLR_BACKENDS: 'headless', WLR_LIBINPUT_NO_DEVICES: '1',
    });
    expect(kioskCommand.argv).toEqual(['/usr/bin/cage', '--', '/usr/bin/node', cli, 'kiosk-window', '--page-key', join(paths.run, 'page-key.json')]);
    ensureX11SocketDirectory();
    session = runAs(SCREEN_USER, kioskCommand);
    session.stderr!.setEncoding('utf8').on('data', (chunk: string) => { sessionStderr += chunk; });
    sessionExit = new Promise((resolve) => session.once('exit', resolve));
    const failed = (why: string) => new Error(`${why}\n${sessionStderr.slice(-3000)}`);
    const recorder = await recordCageOutput(session, SCREEN_USER, paths.runtime).catch((error: Error) => { throw failed(error.message); });
    cleanups.push(recorder.stop);

    // Chromium, as the screen user, on a one-time address of the host, with its sandbox.
    const browser = await until('Chromium', () => processes().find((each) => each.uid === idOf(SCREEN_USER, 'user') && each.args.some((arg) => arg.startsWith('--app='))) ?? null)
      .catch(() => { throw failed('no Chromium'); });
    expect(browser.args).not.toContain('--no-sandbox');
    expect(browser.args).toContain(`--user-data-dir=${join(paths.kioskState, 'chromium-profile')}`);
    const address = browser.args.find((arg) => arg.startsWith('--app='))!.slice('--app='.length);
    expect(address).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/session\\?bootstrap=`));

    // wlroots starts XWayland through a double fork: it is the screen user's, not cage's child.
    const xwayland = await until('XWayland', () => processes().find((each) => each.uid === idOf(SCREEN_USER, 'user') && each.args[0]?.endsWith('Xwayland')) ?? null);
    const display = xwayland.args.find((arg) => /^:\d+$/.test(arg))!;
    const window = await until('the kiosk window', () => kioskWindow(asScreenUser('env', `DISPLAY=${display}`, 'xwininfo', '-root', '-tree').stdout))
      .catch(() => { throw failed('no kiosk window'); });

    // The window as xwd takes it from XWayland, once its page has drawn; then grim's picture of
    // cage's output must be the same picture.
    const dump = join(paths.runtime, 'window.xwd');
    const takeWindow = () => (asScreenUser('env', `DISPLAY=${display}`, 'xwd', '-silent', '-id', window.id, '-out', dump).status === 0 ? readXwd(dump) : null);
    await until('the kiosk page in its window', drawnPage(takeWindow)).catch(() => {
      if (existsSync(dump)) readXwd(dump).savePng(join(screenshotDir, 'kiosk-session-not-drawn.png'));
      throw failed(`the page was not drawn (the window as it was: ${join(screenshotDir, 'kiosk-session-not-drawn.png')})`);
    });
    const grimFile = join(paths.runtime, 'output.png');
    const { window: image, output: shot, same } = await windowAndOutput({
      window: takeWindow,
      output: () => (asScreenUser('grim', grimFile).status === 0 ? readGrimShot(grimFile) : null),
    });
    await recorder.stop();
    mkdirSync(screenshotDir, { recursive: true });
    shot?.savePng(join(screenshotDir, 'kiosk-session-grim.png'));
    image?.savePng(join(screenshotDir, `kiosk-session-${shot?.width ?? 'window'}.png`));
    expect(same, `grim's picture is not the window's (test-results/kiosk-session-grim.png)\n${recorder.output().slice(-1500)}`).toBe(true);
    const { width, height } = shot!;
    expect({ x: window.x, y: window.y, width: window.width, height: window.height }).toEqual({ x: 0, y: 0, width, height });
    expect(shot!.pixel(0, 0)).toEqual(HEADER_INK);
    expect(uncoveredEdgePixels(shot!)).toBe(0);

    // The address was exchanged already: replayed, it is refused.
    expect((await fetch(address, { redirect: 'manual' })).status).toBe(403);
    expect(hostStderr).toMatch(/refused a page address.*already used/);
  });

  it('the window ends by itself when the host stops, and the host stops cleanly', async () => {
    const hostPid = processes().find((each) => each.ppid === host.pid && each.uid === idOf(HOST_USER, 'user'))!.pid;
    process.kill(hostPid, 'SIGTERM');
    expect(await hostExit).toBe(0);
    expect(existsSync(join(paths.run, 'page-key.json'))).toBe(false);
    await sessionExit;
    expect(sessionStderr).toContain('the kiosk host stopped or restarted');
    expect(sessionStderr).not.toMatch(/gatehouse: Chromium (was|ended|could)/);
  });

  it('the host still draws slips under the policy (its private temporary folder is allowed)', async () => {
    const draw = "const { slipPdf } = await import(process.argv[1]); process.stdout.write(String((await slipPdf('<p>Gatehouse slip</p>')).length));";
    const drawing = runAs(HOST_USER, {
      argv: ['/usr/bin/node', '--input-type=module', '-e', draw, join(projectRoot, 'dist/main/slips/slip-renderer.js')],
      env: { PATH: SYSTEMD_PATH, HOME: paths.data },
    });
    let out = '';
    let err = '';
    drawing.stdout!.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    drawing.stderr!.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    const code = await new Promise((resolve) => drawing.once('exit', resolve));
    expect(code, err.slice(-2000)).toBe(0);
    expect(Number(out)).toBeGreaterThan(1000);
  });

});

interface ProcessInfo { pid: number; ppid: number; uid: number; args: string[] }

/** Every process: its parent, real user and command line (from /proc). */
function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      found.push({
        pid: Number(name),
        ppid: Number(/^PPid:\s+(\d+)/m.exec(status)![1]),
        uid: Number(/^Uid:\s+(\d+)/m.exec(status)![1]),
        args: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean),
      });
    } catch {
      // Ended meanwhile.
    }
  }
  return found;
}

function descendantsOf(pid: number): number[] {
  const all = processes();
  const below = (parent: number): number[] => all.filter((each) => each.ppid === parent).flatMap((each) => [...below(each.pid), each.pid]);
  return [...below(pid), pid];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).once('error', reject);
  });
}
