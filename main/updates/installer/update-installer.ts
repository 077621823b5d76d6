// The privileged update installer: what `gatehouse-update apply` does, as root, when the kiosk has
// staged an update (and at every boot). It first finishes or rolls back an attempt a power cut
// interrupted, then takes a staged update out of the kiosk's reach, verifies it again against the
// update key pinned for root (signature, expiry, newer than what dpkg has installed, size, hash,
// and the package's own control fields), makes sure the installed version's package is at hand to
// go back to, and installs: dpkg, restart, health check; on any failure the previous package is
// installed again, the kiosk restarted and checked. Every step is written to the status file
// before the next begins (installer-status.ts), so after a power cut between any two steps the
// file says which version is meant to be installed and the next run knows what to do:
//
//   installing   → the new version completely installed? check its health; otherwise roll back
//   checking     → restart and check again
//   rolling-back → install the previous package again (dpkg -i is idempotent)
//
// dpkg, the kiosk's services and the clock come in as a `system`, so the tests run the real
// dpkg on real packages in a private root and a real health probe.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { UPDATE_PACKAGE_NAME } from '../../../protocol/update-manifest.js';
import { GatehouseError } from '../../errors.js';
import { readStagedUpdate, type StagedUpdateRequest } from '../staged-update.js';
import type { Dpkg } from './dpkg.js';
import { ensureInstallerFolders, type InstallerFolders } from './installer-folders.js';
import { InstallerStatusFile, type Failure, type InstallAttempt, type InstallerStatus } from './installer-status.js';
import type { HealthVerdict, KioskServices } from './kiosk-services.js';
import { PackageArchive } from './package-archive.js';
import { readPinnedUpdateKey } from './pinned-update-key.js';
import { copyStagedUpdate, removeStagedUpdate } from './staged-copy.js';

/** The durable points of an attempt, in order; a test's `reached` hook may cut the power at any of them. */
export type InstallerStep = 'started' | 'dpkg-installed' | 'checking' | 'rolling-back';

export interface InstallerSystem {
  dpkg: Dpkg;
  kiosk: KioskServices;
  now(): Date;
  /** Called when a step is on disk, before the next begins. */
  reached?(step: InstallerStep): void | Promise<void>;
}

export interface UpdateInstallerOptions {
  folders: InstallerFolders;
  /** The kiosk's staging folder (<data>/updates/staged). */
  stagedDir: string;
  system: InstallerSystem;
  /** Progress lines (the unit's journal). */
  log?: (line: string) => void;
}

interface PreparedAttempt {
  from: string;
  to: string;
  packageFile: string;
  previousPackageFile: string;
}

export class UpdateInstaller {
  private readonly log: (line: string) => void;

  constructor(private readonly options: UpdateInstallerOptions) {
    this.log = options.log ?? (() => {});
  }

  /** Finishes (or rolls back) an interrupted attempt, then installs a staged update if there is one. Returns the status after. */
  async run(): Promise<InstallerStatus> {
    const { folders, system } = this.options;
    ensureInstallerFolders(folders);
    return withInstallerLock(folders.lockFile, async () => {
      const status = InstallerStatusFile.open(folders.statusFile, () => system.now());
      const archive = new PackageArchive(folders.packages, await system.dpkg.architecture(), system.dpkg);
      const interrupted = status.attempt;
      if (interrupted) {
        this.log(`resuming the update ${interrupted.from} → ${interrupted.to}, interrupted while ${interrupted.phase}`);
        status.resume(interrupted);
        await this.carryOn(status, archive, interrupted, true);
      }
      await this.applyStaged(status, archive);
      return status.current;
    });
  }

  private async applyStaged(status: InstallerStatusFile, archive: PackageArchive): Promise<void> {
    const { folders, stagedDir } = this.options;
    let request: StagedUpdateRequest | null;
    try {
      request = await copyStagedUpdate(stagedDir, folders.incoming);
    } catch (error) {
      await this.refuse(status, undefined, error);
      return;
    }
    // Nothing staged, or the kiosk is still writing it (the request comes last): nothing to remove either.
    if (request === null) return;
    await this.removeStaged();
    this.log(`update to ${request.version} requested`);
    let prepared: PreparedAttempt;
    try {
      prepared = await this.prepare(archive);
    } catch (error) {
      await this.refuse(status, request.version, error);
      return;
    }
    const attempt = status.start({ id: randomUUID(), ...prepared });
    await this.options.system.reached?.('started');
    await this.carryOn(status, archive, attempt, false);
  }

  /** Records why the staged update is refused (and removes what is left of it); an error without a code is a fault and is thrown on. */
  private async refuse(status: InstallerStatusFile, offered: string | undefined, error: unknown): Promise<void> {
    const failure = failureOf(error);
    this.log(`update${offered ? ` to ${offered}` : ''} refused: ${failure.message} (${failure.code})`);
    status.refuse(offered, failure);
    if (offered === undefined) await this.removeStaged();
    if (!isCoded(error)) throw error;
  }

  private async removeStaged(): Promise<void> {
    const left = await removeStagedUpdate(this.options.stagedDir);
    if (left !== null) this.log(`the staged update was not removed completely: ${left}`);
  }

  /** Verifies the copied update against root's own facts and keeps the packages of both versions. */
  private async prepare(archive: PackageArchive): Promise<PreparedAttempt> {
    const { folders, system } = this.options;
    const installed = await system.dpkg.installed(UPDATE_PACKAGE_NAME);
    if (installed?.state !== 'installed') {
      throw new GatehouseError('UPDATE_PACKAGE_NOT_INSTALLED',
        installed === null
          ? `dpkg has no ${UPDATE_PACKAGE_NAME} package installed; updates apply only to a kiosk installed from its package.`
          : `dpkg has ${UPDATE_PACKAGE_NAME} ${installed.version} ${installed.state}, not installed; run "dpkg --configure -a" first.`,
        { state: installed?.state ?? null });
    }
    const updateKey = readPinnedUpdateKey(folders.pinnedKeyFile);
    const { manifest, packagePath } = await readStagedUpdate(folders.incoming, updateKey,
      { now: system.now(), installedVersion: installed.version, architecture: archive.architecture });
    const control = await system.dpkg.controlFields(packagePath);
    if (control.package !== manifest.package || control.version !== manifest.version || control.architecture !== manifest.architecture) {
      throw new GatehouseError('UPDATE_PACKAGE_CONTROL_MISMATCH',
        `The package file says ${control.package} ${control.version} (${control.architecture}); its manifest says ${manifest.package} ${manifest.version} ` +
          `(${manifest.architecture}). Nothing was installed; the authority published a wrong file.`, { version: manifest.version });
    }
    const previousPackageFile = await archive.rollbackPackage(installed.version, path.join(folders.incoming, 'repack'));
    return { from: installed.version, to: manifest.version, packageFile: archive.keep(packagePath, manifest.version), previousPackageFile };
  }

  /** Takes an attempt from its phase to its end. */
  private async carryOn(status: InstallerStatusFile, archive: PackageArchive, attempt: InstallAttempt, resumed: boolean): Promise<void> {
    let current = attempt;
    if (current.phase === 'installing') current = await this.install(status, current, resumed);
    if (current.phase === 'checking') {
      await this.options.system.reached?.('checking');
      const verdict = await this.restartAndCheck();
      if (verdict.healthy) {
        this.log(`${current.to} is installed and healthy`);
        status.finish(current, 'installed');
        archive.prune(current.to);
        return;
      }
      this.log(`${current.to} is unhealthy: ${verdict.reason}`);
      current = status.rollBack(current, { code: 'UPDATE_HEALTH_CHECK_FAILED', message: `The kiosk was unhealthy after the update: ${verdict.reason}` });
      await this.options.system.reached?.('rolling-back');
    }
    await this.rollBack(status, archive, current);
  }

  /** dpkg installs the new package (unless a run before did); the attempt moves on to its health check, or to the rollback. */
  private async install(status: InstallerStatusFile, attempt: InstallAttempt, resumed: boolean): Promise<InstallAttempt> {
    const { dpkg, reached } = this.options.system;
    let dpkgSaid = '';
    if (!resumed) {
      this.log(`installing ${attempt.to} over ${attempt.from}`);
      const result = await dpkg.install(attempt.packageFile);
      if (!result.ok) dpkgSaid = result.message;
      await reached?.('dpkg-installed');
    }
    const installed = await dpkg.installed(UPDATE_PACKAGE_NAME);
    if (installed?.version === attempt.to && installed.state === 'installed') return status.installed(attempt);
    const failure: Failure = resumed
      ? {
        code: 'UPDATE_INTERRUPTED',
        message: `Installing ${attempt.to} was interrupted (a power cut or a stop) before it completed; the previous version goes back on.`,
      }
      : {
        code: 'UPDATE_DPKG_FAILED',
        message: `The package of ${attempt.to} did not install (${dpkgSaid || `dpkg has ${installed?.version ?? 'nothing'} ${installed?.state ?? ''}`.trim()}).`,
      };
    this.log(failure.message);
    const next = status.rollBack(attempt, failure);
    await reached?.('rolling-back');
    return next;
  }

  private async rollBack(status: InstallerStatusFile, archive: PackageArchive, attempt: InstallAttempt): Promise<void> {
    const { dpkg } = this.options.system;
    this.log(`rolling back to ${attempt.from}`);
    const result = await dpkg.install(attempt.previousPackageFile);
    const installed = await dpkg.installed(UPDATE_PACKAGE_NAME);
    if (!result.ok || installed?.version !== attempt.from || installed.state !== 'installed') {
      const why = result.ok ? `dpkg has ${installed?.version ?? 'nothing'} ${installed?.state ?? ''}`.trim() : result.message;
      this.log(`the rollback to ${attempt.from} failed: ${why}`);
      status.finish(attempt, 'rollback-failed', {
        code: 'UPDATE_ROLLBACK_FAILED',
        message: `The previous version ${attempt.from} did not install again (${why}); its package is ${attempt.previousPackageFile}. Install it by hand with dpkg -i.`,
      });
      return;
    }
    const verdict = await this.restartAndCheck();
    if (!verdict.healthy) {
      this.log(`${attempt.from} is installed again but unhealthy: ${verdict.reason}`);
      status.finish(attempt, 'rollback-failed', {
        code: 'UPDATE_HEALTH_CHECK_FAILED', message: `The previous version ${attempt.from} is installed again, but the kiosk is unhealthy: ${verdict.reason}`,
      });
    } else {
      this.log(`rolled back to ${attempt.from}`);
      status.finish(attempt, 'rolled-back', attempt.failure);
    }
    archive.prune(attempt.from);
  }

  private async restartAndCheck(): Promise<HealthVerdict> {
    const { kiosk } = this.options.system;
    try {
      await kiosk.restart();
      return await kiosk.checkHealth();
    } catch (error) {
      return { healthy: false, reason: (error as Error).message };
    }
  }
}

/**
 * Runs `work` while holding the installer's lock file (its pid and the boot's id). A lock left by a
 * process that is gone, or by an earlier boot (its pid may belong to anything now), is taken over.
 */
async function withInstallerLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  const boot = currentBootId();
  for (let tries = 0; ; tries += 1) {
    try {
      fs.writeFileSync(lockFile, `${process.pid} ${boot}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) throw error;
      const [pid, holderBoot] = fs.readFileSync(lockFile, 'utf8').trim().split(' ');
      const holder = Number.parseInt(pid ?? '', 10);
      if (holderBoot === boot && Number.isInteger(holder) && holder > 0 && processIsAlive(holder)) {
        throw new GatehouseError('UPDATE_INSTALLER_BUSY', `Another update installer (process ${holder}) is running; wait for it to finish.`, { pid: holder });
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

function currentBootId(): string {
  return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isCoded(error: unknown): error is GatehouseError | ProtocolError {
  return error instanceof GatehouseError || error instanceof ProtocolError;
}

function failureOf(error: unknown): Failure {
  if (isCoded(error)) return { code: error.code, message: error.message.slice(0, 1000) };
  return { code: 'UPDATE_INSTALLER_FAILED', message: `The installer failed: ${String((error as Error)?.message ?? error).slice(0, 900)}` };
}
