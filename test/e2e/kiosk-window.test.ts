// The kiosk window fills the screen where `gatehouse serve` opens it with the real Chromium:
// on a bare X server without a window manager (Xvfb), where `--kiosk` alone leaves a
// 1050×780 window, and under cage (Wayland, headless, run as an unprivileged user because cage
// refuses root), where Chromium runs through XWayland and cage sizes it. Each screen is saved
// under test-results/screenshots/ and checked: the kiosk's page reaches every edge (no pixel
// of the black root is left), and the window's geometry covers the screen (`xwininfo`).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { screenshotDir } from './support/browser.js';
import { drawnPage, kioskWindow, uncoveredEdgePixels, until } from './support/kiosk-screen.js';
import { projectRoot } from './support/kiosk-process.js';
import { readXwd } from './support/xwd-image.js';
import { ensureX11SocketDirectory } from '../integration/session/x11-socket-directory.js';

const cli = join(projectRoot, 'bin', 'gatehouse.js');
const missing = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Ends `child` after the test, and waits until it has. */
function stopOnCleanup(child: ChildProcess): void {
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });
}

function readyLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('ready ')) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before serving`)));
  });
}

describe.skipIf(missing('Xvfb') || missing('xwininfo') || missing('xdpyinfo'))('on a bare X server (Xvfb, no window manager)', () => {
  it.each([[1280, 800], [1920, 1080]])('covers the whole %ix%i screen', async (width, height) => {
    const work = mkdtempSync(join(tmpdir(), 'gatehouse-x11-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    // A display number nobody holds, away from the low ones sessions use; -displayfd: Xvfb writes it once it accepts clients.
    const number = Array.from({ length: 100 }, (_, i) => 90 + i).find((n) => !existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`))!;
    const xvfb = spawn('Xvfb', [`:${number}`, '-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-fbdir', work, '-nolisten', 'tcp', '-br'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    });
    stopOnCleanup(xvfb);
    const display = `:${(await new Promise<string>((resolve) => xvfb.stdio[3]!.once('data', (data: Buffer) => resolve(data.toString())))).trim()}`;

    const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display };
    delete env.WAYLAND_DISPLAY;
    const serve = spawn(process.execPath, [cli, '--data', join(work, 'data'), 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    stopOnCleanup(serve);
    let stderr = '';
    serve.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    await readyLine(serve);

    const window = await until('the kiosk window', () => kioskWindow(spawnSync('xwininfo', ['-root', '-tree', '-display', display], { encoding: 'utf8' }).stdout));
    const screen = join(work, 'Xvfb_screen0');
    // The page has drawn once its header's ink is in the top left corner.
    const shotPath = join(screenshotDir, 'screenshots', `kiosk-window-x11-${width}.png`);
    mkdirSync(join(screenshotDir, 'screenshots'), { recursive: true });
    const image = await until('the kiosk page on the screen', drawnPage(() => readXwd(screen))).catch((error: Error) => {
      readXwd(screen).savePng(shotPath);
      throw new Error(`${error.message} (the screen as it was: ${shotPath})\n${stderr.slice(-3000)}`);
    });
    image.savePng(shotPath);

    expect(window.x).toBeLessThanOrEqual(0);
    expect(window.y).toBeLessThanOrEqual(0);
    expect(window.x + window.width).toBeGreaterThanOrEqual(width);
    expect(window.y + window.height).toBeGreaterThanOrEqual(height);
    expect(uncoveredEdgePixels(image)).toBe(0);
    expect(stderr).toMatch(new RegExp(`"message":"launching Chromium".*"screen":\\{"width":${width},"height":${height}\\}`));

    const exited = new Promise((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/gatehouse: Chromium (was|ended|could)/);
  });
});

const NOBODY = 65534;

/** cage refuses root: the kiosk runs as nobody, who must be able to run Node and read this checkout (not so under a 0700 home). */
const nobodyRunsTheKiosk = () => process.getuid?.() === 0
  && spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, cli, '--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(missing('cage') || missing('grim') || missing('Xwayland') || missing('xwd') || !nobodyRunsTheKiosk())('under cage (Wayland, headless, as an unprivileged user)', () => {
  it('fills the output with the kiosk window', async () => {
    // Everything cage and the kiosk write belongs to the user they run as.
    const work = mkdtempSync(join(tmpdir(), 'gatehouse-cage-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    chmodSync(work, 0o700);
    chownSync(work, NOBODY, NOBODY);
    const data = join(work, 'data');
    const displayFile = join(work, 'display');
    const kioskPidFile = join(work, 'kiosk.pid');
    const env = {
      PATH: '/usr/bin:/bin', HOME: work, XDG_RUNTIME_DIR: work, WLR_BACKENDS: 'headless', WLR_LIBINPUT_NO_DEVICES: '1',
    };
    // cage starts XWayland and hands its DISPLAY to the kiosk; the test needs it to look at the window.
    // Its pid, so the test ends the kiosk and cage then ends with it, taking XWayland down cleanly.
    ensureX11SocketDirectory();
    const session = `echo "$DISPLAY" > ${displayFile}; echo $$ > ${kioskPidFile}; exec ${process.execPath} ${cli} --data ${data} serve --port 0`;
    const cage = spawn('runuser', ['-u', 'nobody', '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'cage', '--', 'sh', '-c', session], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(async () => {
      if (cage.exitCode !== null || cage.signalCode !== null) return;
      const exited = new Promise((resolve) => cage.once('exit', resolve));
      if (existsSync(kioskPidFile)) process.kill(Number(readFileSync(kioskPidFile, 'utf8')), 'SIGTERM');
      else cage.kill('SIGTERM');
      await exited;
    });
    let stderr = '';
    cage.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    await readyLine(cage).catch((error: Error) => { throw new Error(`${error.message}\n${stderr.slice(-2000)}`); });

    const asNobody = { ...env, WAYLAND_DISPLAY: 'wayland-0' };
    const xDisplay = await until('XWayland', () => (existsSync(displayFile) ? readFileSync(displayFile, 'utf8').trim() || null : null));
    const xEnv = { ...asNobody, DISPLAY: xDisplay };
    const runAsNobody = (command: string[]) => spawnSync('runuser', ['-u', 'nobody', '--', 'env', ...Object.entries(xEnv).map(([k, v]) => `${k}=${v}`), ...command], { encoding: 'utf8' });

    // The output's size is what cage captures of it.
    const shotPath = join(work, 'output.png');
    expect(runAsNobody(['grim', shotPath]).status).toBe(0);
    const output = PNG.sync.read(readFileSync(shotPath));
    const window = await until('the kiosk window', () => kioskWindow(runAsNobody(['xwininfo', '-root', '-tree']).stdout));

    const windowDump = join(work, 'window.xwd');
    // The page has drawn once its header's ink is in the top left corner of the window.
    const image = await until('the kiosk page in its window', drawnPage(() => {
      if (runAsNobody(['xwd', '-silent', '-id', window.id, '-out', windowDump]).status !== 0) return null;
      return readXwd(windowDump);
    }));
    mkdirSync(join(screenshotDir, 'screenshots'), { recursive: true });
    image.savePng(join(screenshotDir, 'screenshots', `kiosk-window-cage-${output.width}.png`));

    expect({ x: window.x, y: window.y, width: window.width, height: window.height }).toEqual({ x: 0, y: 0, width: output.width, height: output.height });
    expect([image.width, image.height]).toEqual([output.width, output.height]);
    expect(uncoveredEdgePixels(image)).toBe(0);
  });
});
