// The production health check of the update installer (SystemdKiosk): after the restart the host
// unit must be active, the host must have started serving since (its page key file, written when
// it listens) with its page answering 200 on loopback, and it must then stay up, same process, not
// restarted. systemd is not PID 1 here, so systemctl is a script that answers from files the test
// sets, while the host is a real HTTP server on 127.0.0.1.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pageKeyPath } from '../../../main/host/page-key-file.js';
import { SystemdKiosk } from '../../../main/updates/installer/kiosk-services.js';

let folder: string;
let server: http.Server;
let origin: string;
let pageStatus = 200;

beforeEach(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-update-health-'));
  pageStatus = 200;
  server = http.createServer((request, response) => {
    response.writeHead(request.url === '/' ? pageStatus : 404).end('<!doctype html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  // The unit's answers; `restart` writes the page key file as the host does once it listens.
  fs.writeFileSync(path.join(folder, 'show'), 'ActiveState=active\nMainPID=4242\nNRestarts=0\n');
  fs.writeFileSync(path.join(folder, 'systemctl'), [
    '#!/bin/sh',
    `cd '${folder}'`,
    'echo "$*" >> calls',
    'case "$1" in',
    '  show) cat show; if [ -f restarts-each-show ]; then n=$(cat restarts-each-show); echo $((n + 1)) > restarts-each-show; echo "NRestarts=$n"; fi ;;',
    `  restart) [ -f restart-fails ] && { echo "Job for $2 failed." >&2; exit 1; }; printf '{"origin":"${origin}","key":"x"}' > '${pageKeyPath(folder)}' ;;`,
    'esac',
    '',
  ].join('\n'), { mode: 0o755 });
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const folders: string[] = [];
afterAll(() => {
  for (const each of folders) fs.rmSync(each, { recursive: true, force: true });
});

const kiosk = () => {
  folders.push(folder);
  return new SystemdKiosk({ dataDir: folder, systemctl: path.join(folder, 'systemctl'), readyTimeoutMs: 1500, steadyMs: 100 });
};

describe('the kiosk health check after a restart', () => {
  it('is healthy when the host serves its page and stays up', async () => {
    const services = kiosk();
    await services.restart();
    expect(await services.checkHealth()).toEqual({ healthy: true });
    expect(fs.readFileSync(path.join(folder, 'calls'), 'utf8')).toMatch(/^restart gatehouse\.service\ntry-restart gatehouse-kiosk\.service\nshow /);
  });

  it('is unhealthy when the unit is not active', async () => {
    fs.writeFileSync(path.join(folder, 'show'), 'ActiveState=failed\nMainPID=0\nNRestarts=3\n');
    const services = kiosk();
    await services.restart();
    expect(await services.checkHealth()).toEqual({ healthy: false, reason: 'gatehouse.service did not come up within 2 s: the unit is failed' });
  });

  it('says why a restart failed', async () => {
    fs.writeFileSync(path.join(folder, 'restart-fails'), '');
    await expect(kiosk().restart()).rejects.toMatchObject({ code: 'UPDATE_RESTART_FAILED', message: expect.stringContaining('Job for gatehouse.service failed.') });
  });

  it('does not count a page key file the host wrote before the restart', async () => {
    const services = kiosk();
    await services.restart();
    const before = new Date(Date.now() - 60_000);
    fs.utimesSync(pageKeyPath(folder), before, before);
    expect(await services.checkHealth()).toMatchObject({ healthy: false, reason: expect.stringContaining('has not started serving since the restart') });
  });

  it('is unhealthy when the page does not answer 200', async () => {
    pageStatus = 500;
    const services = kiosk();
    await services.restart();
    expect(await services.checkHealth()).toMatchObject({ healthy: false, reason: expect.stringContaining('its page answers 500') });
  });

  it('is unhealthy when the host is restarted while it should stay up', async () => {
    fs.writeFileSync(path.join(folder, 'restarts-each-show'), '0');
    fs.writeFileSync(path.join(folder, 'show'), 'ActiveState=active\nMainPID=4242\n');
    const services = kiosk();
    await services.restart();
    expect(await services.checkHealth()).toMatchObject({ healthy: false, reason: expect.stringContaining('came up but did not stay up') });
  });
});
