// `gatehouse serve` says why its Chromium ended: a stand-in "chromium" (GATEHOUSE_CHROMIUM)
// writes to stderr and kills itself with a signal, exits with a code, or cannot be run at
// all. Serve prints the reason and Chromium's last stderr lines (no page address), relaunches
// a crashed one, ends with 0 after a normal close and 1 when Chromium keeps crashing or cannot
// start, and audits each end as `host.browser-exited` (what happened, relaunched or not).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKioskDatabase } from '../../../../main/store/database.js';
import { builtCli, cleanEnv, runCli, tempDataDir } from './run-cli.js';

const dirs: string[] = [];
beforeAll(() => {
  expect(fs.existsSync(builtCli), 'build first: npm run build').toBe(true);
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A stand-in for Chromium that opens its --app address (so the address is spent, as Chromium
 * spends it), then does what line N of `plan` says on its Nth launch: `signal NAME` (after two
 * lines on stderr, one of them naming its address), `exit CODE`.
 */
function fakeChromium(dir: string, plan: string[]): string {
  const file = path.join(dir, 'fake-chromium.mjs');
  fs.writeFileSync(path.join(dir, 'plan.txt'), plan.join('\n'));
  fs.writeFileSync(file, `#!${process.execPath}
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const dir = ${JSON.stringify(dir)};
const launches = join(dir, 'launches.txt');
const app = process.argv.find((a) => a.startsWith('--app=')).slice('--app='.length);
await fetch(app, { redirect: 'manual' });
appendFileSync(launches, 'x');
const [what, arg] = readFileSync(join(dir, 'plan.txt'), 'utf8').split('\\n')[readFileSync(launches, 'utf8').length - 1].split(' ');
if (what === 'signal') {
  process.stderr.write('[7:7:ERROR:dbus/bus.cc:405] Failed to connect to the bus: no session bus\\n');
  process.stderr.write('[7:7:ERROR:gpu_init.cc:481] Passthrough is not supported, GL is disabled\\n');
  process.stderr.write('[7:7:FATAL:render_frame_host_impl.cc:88] Check failed while loading ' + app + '\\n', () => process.kill(process.pid, arg));
} else {
  process.exit(Number(arg));
}
`, { mode: 0o755 });
  return file;
}

interface AuditRow { action: string; actor: string | null; details: string }

function browserExits(dataDir: string): Array<Record<string, unknown>> {
  const db = openKioskDatabase(dataDir);
  try {
    return (db.prepare("SELECT action, actor, details FROM audit WHERE action = 'host.browser-exited' ORDER BY seq").all() as AuditRow[])
      .map((row) => ({ actor: row.actor, ...JSON.parse(row.details) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

function serveWith(dir: string, chromium: string) {
  // The stand-in needs no display, but serve opens a window only where there is one; no window manager question on Wayland.
  return runCli(['serve', '--port', '0', '--data', dir], cleanEnv({ GATEHOUSE_CHROMIUM: chromium, WAYLAND_DISPLAY: 'wayland-test' }));
}

describe('gatehouse serve when Chromium ends', () => {
  it('reports a crash by signal with its cause and last stderr lines, relaunches, and ends with 0 when Chromium is closed', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const run = await serveWith(dir, fakeChromium(dir, ['signal SIGSEGV', 'signal SIGKILL', 'exit 0']));

    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.stderr).toContain('gatehouse: Chromium was killed by SIGSEGV: Chromium crashed. Launching it again with a fresh page address.\n'
      + "gatehouse: Chromium's last lines on stderr:\n"
      + '  | [7:7:ERROR:gpu_init.cc:481] Passthrough is not supported, GL is disabled\n'
      + '  | [7:7:FATAL:render_frame_host_impl.cc:88] Check failed while loading http://127.0.0.1:');
    expect(run.stderr).toContain('gatehouse: Chromium was killed by SIGKILL: most often the system ran out of memory');
    expect(run.stderr).toContain('gatehouse: Chromium was closed normally. Stopping the kiosk.\n');
    expect(run.stderr).not.toMatch(/bootstrap=(?!…)/);
    expect(run.stderr).not.toContain('Failed to connect to the bus');
    // The log has the same, as JSON lines.
    expect(run.stderr).toMatch(/"level":"warn","component":"host","message":"Chromium was killed by SIGSEGV: Chromium crashed\. Launching it again/);

    expect(browserExits(dir)).toEqual([
      { actor: null, outcome: 'signal', code: null, signal: 'SIGSEGV', errno: null, relaunched: true },
      { actor: null, outcome: 'signal', code: null, signal: 'SIGKILL', errno: null, relaunched: true },
      { actor: null, outcome: 'closed', code: null, signal: null, errno: null, relaunched: false },
    ]);
  });

  it('stops the kiosk with exit code 1 when Chromium exits with an error three times in a minute', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const run = await serveWith(dir, fakeChromium(dir, ['exit 3', 'exit 3', 'exit 3']));

    expect(run).toMatchObject({ code: 1, signal: null });
    expect(run.stderr.match(/gatehouse: Chromium ended with exit code 3\. Launching it again with a fresh page address\.\n/g)).toHaveLength(2);
    expect(run.stderr).toContain('gatehouse: Chromium ended with exit code 3. Stopping the kiosk.\n');
    expect(browserExits(dir).map((e) => [e.outcome, e.code, e.relaunched])).toEqual([['exit-code', 3, true], ['exit-code', 3, true], ['exit-code', 3, false]]);
  });

  it('says a Chromium that may not be run could not be started, and stops with exit code 1', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const notRunnable = path.join(dir, 'chromium');
    fs.writeFileSync(notRunnable, '#!/bin/sh\n', { mode: 0o644 });
    const run = await serveWith(dir, notRunnable);

    expect(run).toMatchObject({ code: 1, signal: null });
    expect(run.stderr).toContain('gatehouse: Chromium could not be started (EACCES): the program may not be run by this user; check its file permissions and that its file system is not mounted noexec. Stopping the kiosk.\n');
    expect(browserExits(dir)).toEqual([{ actor: null, outcome: 'not-started', code: null, signal: null, errno: 'EACCES', relaunched: false }]);
  });
});
