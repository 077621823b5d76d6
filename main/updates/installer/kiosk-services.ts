// The kiosk's services as the update installer sees them: restart them so the installed version
// runs, then decide whether that version is healthy. In production (systemd as PID 1) healthy means:
// gatehouse.service is active, the host it runs has started serving since the restart (it writes
// <data>/page-key.json once it listens, and its origin answers the kiosk's page with 200), and it
// then stays up, same process, for a while — a host that crashes at start or a little later, or
// never gets its page out, is unhealthy. The kiosk session (cage + Chromium) is restarted too when
// it runs; its health is the host's: it only shows the host's page.

import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatehouseError } from '../../errors.js';
import { pageKeyPath } from '../../host/page-key-file.js';
import { describeFailure, runCommand } from './system-command.js';

export type HealthVerdict = { healthy: true } | { healthy: false; reason: string };

/** What the installer needs of the kiosk's services; the tests give one that runs a probe installed with the test package. */
export interface KioskServices {
  /** Restarts the kiosk so the version now installed runs; throws when that fails. */
  restart(): Promise<void>;
  /** Whether the kiosk that runs now is healthy, and why not. */
  checkHealth(): Promise<HealthVerdict>;
}

export interface SystemdKioskOptions {
  dataDir: string;
  hostUnit?: string;
  sessionUnit?: string;
  /** How long the restarted host has to serve its page. */
  readyTimeoutMs?: number;
  /** How long it must then stay up, same process, not restarted. */
  steadyMs?: number;
  /** The systemctl program (the tests give a scripted one). */
  systemctl?: string;
}

const SYSTEMCTL_TIMEOUT_MS = 3 * 60_000;
const POLL_MS = 1000;
const PAGE_TIMEOUT_MS = 5000;

/** True when systemd runs this machine (the installer can then restart and watch the kiosk's units). */
export function systemdIsRunning(): boolean {
  return fs.existsSync('/run/systemd/system');
}

export class SystemdKiosk implements KioskServices {
  private readonly hostUnit: string;
  private readonly sessionUnit: string;
  private restartedAt = 0;

  constructor(private readonly options: SystemdKioskOptions) {
    this.hostUnit = options.hostUnit ?? 'gatehouse.service';
    this.sessionUnit = options.sessionUnit ?? 'gatehouse-kiosk.service';
  }

  async restart(): Promise<void> {
    this.restartedAt = Date.now();
    await this.systemctl('restart', this.hostUnit);
    await this.systemctl('try-restart', this.sessionUnit);
  }

  async checkHealth(): Promise<HealthVerdict> {
    const readyTimeoutMs = this.options.readyTimeoutMs ?? 120_000;
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const missing = await this.serving();
      if (missing === null) break;
      if (Date.now() >= deadline) return { healthy: false, reason: `${this.hostUnit} did not come up within ${Math.round(readyTimeoutMs / 1000)} s: ${missing}` };
      await sleep(POLL_MS);
    }
    const before = await this.unitProcess();
    await sleep(this.options.steadyMs ?? 15_000);
    const after = await this.unitProcess();
    if (after.state !== 'active' || after.mainPid !== before.mainPid || after.restarts !== before.restarts) {
      return { healthy: false, reason: `${this.hostUnit} came up but did not stay up (${after.state}, process ${before.mainPid} → ${after.mainPid})` };
    }
    return { healthy: true };
  }

  /** Null when the host is active and serves its page since the restart, else what is missing. */
  private async serving(): Promise<string | null> {
    const { state } = await this.unitProcess();
    if (state !== 'active') return `the unit is ${state}`;
    const file = pageKeyPath(this.options.dataDir);
    let origin: URL;
    try {
      if (fs.statSync(file).mtimeMs < this.restartedAt - 1000) return 'the host has not started serving since the restart';
      origin = new URL((JSON.parse(fs.readFileSync(file, 'utf8')) as { origin: string }).origin);
    } catch {
      return `the host has not written ${file}`;
    }
    if (origin.protocol !== 'http:' || origin.hostname !== '127.0.0.1') return `${file} names ${origin.origin}, not a loopback address`;
    try {
      const response = await fetch(new URL('/', origin), { signal: AbortSignal.timeout(PAGE_TIMEOUT_MS), redirect: 'manual' });
      await response.body?.cancel();
      return response.status === 200 ? null : `its page answers ${response.status}`;
    } catch (error) {
      return `its page does not answer (${(error as Error).message})`;
    }
  }

  private async unitProcess(): Promise<{ state: string; mainPid: string; restarts: string }> {
    const result = await runCommand(this.options.systemctl ?? 'systemctl', ['show', '--property=ActiveState,MainPID,NRestarts', this.hostUnit], { timeoutMs: SYSTEMCTL_TIMEOUT_MS });
    const values = new Map(result.stdout.split('\n').map((line) => line.split('=', 2) as [string, string]));
    return { state: values.get('ActiveState') ?? 'unknown', mainPid: values.get('MainPID') ?? '', restarts: values.get('NRestarts') ?? '' };
  }

  private async systemctl(verb: string, unit: string): Promise<void> {
    const result = await runCommand(this.options.systemctl ?? 'systemctl', [verb, unit], { timeoutMs: SYSTEMCTL_TIMEOUT_MS });
    if (result.code !== 0) {
      throw new GatehouseError('UPDATE_RESTART_FAILED', `systemctl ${verb} ${unit} failed (${describeFailure('systemctl', result)}).`, { unit });
    }
  }
}
