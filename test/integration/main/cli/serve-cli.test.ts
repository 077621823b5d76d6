// `gatehouse serve --no-browser --port 0`: exactly one line `ready <origin>` with nothing in
// it that opens an RPC screen; pages are opened with one-time addresses from
// `gatehouse serve --page-url` (the same user only), serving until SIGTERM, then a clean exit.
// Simulated devices only with --simulate (never on the packaged service); a device set up by
// another process while it serves is run without a restart.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { writeDeviceSettings } from '../../../../main/devices/device-settings.js';
import { pageKeyPath } from '../../../../main/host/page-key-file.js';
import { openKioskDatabase } from '../../../../main/store/database.js';
import { startMrzSimulator } from '../../../../native/sim/mrz-sim.js';
import type { RpcResult } from '../../../../main/rpc/define.js';
import { builtCli, cleanEnv, finished, runCli, startCli, tempDataDir } from './run-cli.js';

const dirs: string[] = [];
beforeAll(() => {
  expect(fs.existsSync(builtCli), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0) {
        stream.off('data', onData);
        resolve(text.slice(0, end + 1));
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended before a line: ${JSON.stringify(text)}`)));
  });
}

/** The session cookie a one-time page address gives, or the refusal's status. */
async function openPage(address: string): Promise<{ status: number; cookie: string }> {
  const answer = await fetch(address, { redirect: 'manual' });
  return { status: answer.status, cookie: (answer.headers.get('set-cookie') ?? '').split(';')[0]! };
}

/** One call's result over a page's RPC socket (events the kiosk sends meanwhile are passed over). */
function systemInfo(origin: string, cookie: string, method = 'system.info'): Promise<RpcResult> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${new URL(origin).host}/rpc`, { origin, headers: { cookie } });
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`refused with ${response.statusCode}`)));
    socket.once('open', () => socket.send(JSON.stringify({ t: 'call', id: 1, method, input: {} })));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { t: string; result?: RpcResult };
      if (message.t !== 'result') return;
      socket.close();
      resolve(message.result!);
    });
  });
}

/**
 * A stand-in for Chromium: records its arguments, opens its --app address as Chromium would,
 * crashes on its first launch and keeps running after that.
 */
function fakeChromium(dir: string): string {
  const file = path.join(dir, 'fake-chromium.mjs');
  fs.writeFileSync(file, `#!${process.execPath}
import { appendFileSync, readFileSync } from 'node:fs';
const log = process.env.FAKE_CHROMIUM_LOG;
const app = process.argv.find((a) => a.startsWith('--app=')).slice('--app='.length);
const answer = await fetch(app, { redirect: 'manual' });
appendFileSync(log, JSON.stringify({ args: process.argv.slice(2), status: answer.status }) + '\\n');
if (readFileSync(log, 'utf8').trim().split('\\n').length === 1) process.exit(1);
setInterval(() => {}, 1000);
`, { mode: 0o755 });
  return file;
}

describe('gatehouse serve', () => {
  it('prints one ready line with its origin and no secret, opens pages through one-time addresses, and exits 0 on SIGTERM', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const child = startCli(['serve', '--no-browser', '--port', '0', '--data', dir]);
    const done = finished(child);
    const line = await firstLine(child.stdout);
    const match = /^ready (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(line);
    expect(match, line).not.toBeNull();
    const origin = match![1]!;
    expect(Number(match![2])).toBeGreaterThan(0);

    const page = await fetch(origin);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(`ws://127.0.0.1:${match![2]}`);
    // Nothing printed opens a screen, with or without a forged Origin.
    await expect(systemInfo(origin, '')).rejects.toThrow('refused with 401');
    expect(fs.statSync(pageKeyPath(dir)).mode & 0o777).toBe(0o600);

    const minted = await runCli(['serve', '--page-url', '--data', dir]);
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    const address = minted.stdout.trim();
    expect(address).toMatch(new RegExp(`^${origin}/session\\?bootstrap=\\S+$`));
    const opened = await openPage(address);
    expect(opened.status).toBe(303);
    expect(await systemInfo(origin, opened.cookie)).toMatchObject({ ok: true, output: { host: 'browser', firstRun: true } });
    expect((await openPage(address)).status).toBe(403);

    child.kill('SIGTERM');
    const exit = await done;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.stdout).toBe(line);
    expect(exit.stderr).not.toContain(address.split('bootstrap=')[1]!);
    expect(exit.stderr).toMatch(/"message":"refused a page address"/);
    expect(fs.existsSync(`${dir}/gatehouse.sqlite`)).toBe(true);
    expect(fs.existsSync(pageKeyPath(dir))).toBe(false);
  });

  it('launches Chromium on a one-time address that is spent once Chromium opened it, and a crashed Chromium on a fresh one', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const launches = path.join(dir, 'launches.jsonl');
    const chromium = fakeChromium(dir);
    // The stand-in needs no display, but serve opens a window only where there is one.
    const child = startCli(['serve', '--port', '0', '--data', dir], cleanEnv({ GATEHOUSE_CHROMIUM: chromium, FAKE_CHROMIUM_LOG: launches, DISPLAY: ':0' }));
    const done = finished(child);
    const line = await firstLine(child.stdout);
    const origin = /^ready (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(line)?.[1];
    expect(origin, line).toBeDefined();
    while ((fs.existsSync(launches) ? fs.readFileSync(launches, 'utf8').trim().split('\n') : []).length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seen = fs.readFileSync(launches, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; status: number });
    expect(seen.map((s) => s.status)).toEqual([303, 303]);
    const addresses = seen.map((s) => s.args.find((a) => a.startsWith('--app='))!.slice('--app='.length));
    expect(addresses[0]).not.toBe(addresses[1]);
    for (const { args } of seen) {
      expect(args.filter((a) => /fake-ui|remote-debugging/.test(a))).toEqual([]);
      expect(args.filter((a) => a.includes('bootstrap='))).toHaveLength(1);
    }
    // What another user reads in /proc/PID/cmdline of either Chromium opens nothing now.
    for (const address of addresses) expect((await openPage(address)).status).toBe(403);
    const preferences = JSON.parse(fs.readFileSync(path.join(dir, 'chromium-profile', 'Default', 'Preferences'), 'utf8'));
    expect(preferences.profile.content_settings.exceptions.media_stream_camera).toEqual({ [`${origin},*`]: { setting: 1 } });

    child.kill('SIGTERM');
    const exit = await done;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.stdout).toBe(line);
    expect(exit.stderr).toMatch(/gatehouse: Chromium ended with exit code 1\. Launching it again with a fresh page address\./);
    for (const address of addresses) expect(exit.stderr).not.toContain(new URL(address).searchParams.get('bootstrap'));
  });

  it('says at once that there is no display, and serves without the window', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const launches = path.join(dir, 'launches.jsonl');
    const env = cleanEnv({ GATEHOUSE_CHROMIUM: fakeChromium(dir), FAKE_CHROMIUM_LOG: launches });
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = startCli(['serve', '--port', '0', '--data', dir], env);
    const done = finished(child);
    const notice = await firstLine(child.stderr);
    expect(notice).toMatch(/^gatehouse: There is no display: neither WAYLAND_DISPLAY nor DISPLAY is set, so the kiosk window cannot open\. Serving without it; open a page as this user with "gatehouse serve --page-url --data /);
    const line = await firstLine(child.stdout);
    const origin = /^ready (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(line)?.[1];
    expect(origin, line).toBeDefined();
    // It serves: a page address from --page-url opens a session.
    const page = await runCli(['serve', '--page-url', '--data', dir]);
    expect((await openPage(page.stdout.trim())).status).toBe(303);
    child.kill('SIGTERM');
    expect(await done).toMatchObject({ code: 0, signal: null });
    expect(fs.existsSync(launches)).toBe(false);
  });

  it('with --require-display, exits 2 with the reason when there is no display', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const env = cleanEnv();
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const run = await finished(startCli(['serve', '--require-display', '--port', '0', '--data', dir], env));
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/There is no display.*Start the kiosk in its session \(cage, or a desktop\), or serve without the window \(--no-browser\)/);
    expect(fs.existsSync(path.join(dir, 'gatehouse.sqlite'))).toBe(false);
  });

  it('--page-url says so when no kiosk serves from the data folder, with exit 2', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const run = await runCli(['serve', '--page-url', '--data', dir]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/No kiosk is serving from/);
  });

  it('refuses --simulated-… options without --simulate, saying to add it, before touching the data folder', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const run = await runCli(['serve', '--no-browser', '--simulated-chip', '--simulated-reader', 'cnid', '--data', dir]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/--simulated-reader and --simulated-chip only refine a simulation: add --simulate .*\(CLI_INVALID_OPTIONS\)/);
    expect(fs.existsSync(path.join(dir, 'gatehouse.sqlite'))).toBe(false);
  });

  it('refuses --simulate on the packaged service (GATEHOUSE_PACKAGED=1)', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const run = await runCli(['serve', '--no-browser', '--simulate', '--data', dir], cleanEnv({ GATEHOUSE_PACKAGED: '1' }));
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/never runs simulated devices.*\(DEVICES_SIMULATION_REFUSED\)/);
    expect(fs.existsSync(path.join(dir, 'gatehouse.sqlite'))).toBe(false);
  });

  it('runs no simulator without --simulate, shows devices "not set up", and follows a device set up by another process', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const child = startCli(['serve', '--no-browser', '--port', '0', '--data', dir]);
    const done = finished(child);
    const origin = /^ready (\S+)\n$/.exec(await firstLine(child.stdout))![1]!;
    const { cookie } = await openPage((await runCli(['serve', '--page-url', '--data', dir])).stdout.trim());
    const devices = async () => (await systemInfo(origin, cookie, 'system.status') as { output: { devices: { kind: string; state: string; problem?: string; simulated: boolean }[] } }).output.devices;
    expect(await systemInfo(origin, cookie)).toMatchObject({ ok: true, output: { simulatedDevices: false, camera: null } });
    expect((await devices()).filter((device) => device.kind !== 'camera')).toEqual([
      { kind: 'document-reader', name: 'Document reader', state: 'not-configured', simulated: false, problem: 'not-set-up' },
      { kind: 'fingerprint', name: 'Fingerprint scanner', state: 'not-configured', simulated: false, problem: 'not-set-up' },
    ]);
    expect(fs.existsSync(path.join(dir, 'run', 'mrz-reader'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'run', 'fingerprint'))).toBe(false);

    // Another process (as `gatehouse devices set` does) sets up a reader on a pty; the kiosk runs it without a restart.
    const reader = await startMrzSimulator({ link: path.join(dir, 'acme-reader'), scenario: 'idle' });
    try {
      const store = openKioskDatabase(dir);
      try {
        writeDeviceSettings(store, 'document-reader', { kind: 'mrz', path: reader.path, framing: { framing: 'lines' } });
      } finally {
        store.close();
      }
      while ((await devices()).find((device) => device.kind === 'document-reader')?.state !== 'ready') await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await reader.stop();
    }
    child.kill('SIGTERM');
    const exit = await done;
    expect(exit).toMatchObject({ code: 0 });
    expect(exit.stderr).not.toMatch(/simulated devices stand in/);
    expect(exit.stderr).toMatch(/"message":"device configured".*"role":"document-reader".*"kind":"mrz"/);
  });

  it('with --simulate, says so and runs the simulators', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const child = startCli(['serve', '--no-browser', '--port', '0', '--simulate', '--data', dir]);
    const done = finished(child);
    const origin = /^ready (\S+)\n$/.exec(await firstLine(child.stdout))![1]!;
    const { cookie } = await openPage((await runCli(['serve', '--page-url', '--data', dir])).stdout.trim());
    expect(await systemInfo(origin, cookie)).toMatchObject({ ok: true, output: { simulatedDevices: true } });
    expect(fs.existsSync(path.join(dir, 'run', 'mrz-reader'))).toBe(true);
    child.kill('SIGTERM');
    const exit = await done;
    expect(exit).toMatchObject({ code: 0 });
    expect(exit.stderr).toMatch(/simulated devices stand in for the devices not set up \(--simulate\); never enroll people on this kiosk/);
  });

  it('refuses a port that is not a port, with exit 2', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const run = await runCli(['serve', '--no-browser', '--port', '70000', '--data', dir]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/--port must be a whole number from 0 to 65535/);
  });
});
