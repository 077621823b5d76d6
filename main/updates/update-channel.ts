// The kiosk's side of signed updates, one pass at a time: ask the authority for the newest
// manifest for this architecture, verify it against the update key pinned at provisioning
// (signature, expiry, newer than the running version, allowed over it), download the package
// resumably, check its size and SHA-256, and — only at an idle moment, never while an
// enrollment is under way or someone is signed in at a screen — stage it for the privileged
// installer (staged-update.ts). Every step that finds something is audited and kept in the
// update_channel row for the diagnostics screen; nothing is staged unless every check passed.
//
// The sync loop calls afterSyncRound() after each round that reached the authority: a pass is
// queued as a background job (update-pass-job.ts) when one is due (checkEveryMs), and a
// downloaded update waiting for an idle moment is tried again at every round. run() is the pass
// itself, with the job's AbortSignal and a progress callback.
import { appendAudit } from '../audit/audit-log.js';
import { compareDebianVersions } from '../../protocol/debian-version.js';
import { UpdateManifest, UpdateRefusedError, verifyUpdateManifest } from '../../protocol/update-manifest.js';
import { GatehouseError } from '../errors.js';
import type { Log } from '../log.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { Db } from '../store/database.js';
import { auditInstallerEvents } from './installer/installer-audit.js';
import { downloadPackage, removeOtherPartials } from './package-download.js';
import { pinnedUpdateKey } from './pinned-update-key.js';
import { peekStagedRequest, updateFolders, writeStagedUpdate, type UpdateFolders } from './staged-update.js';
import { UpdateClient } from './update-client.js';
import { requestUpdatePass } from './update-pass-job.js';
import { readUpdateChannelState, writeUpdateChannelState, type UpdateChannelState } from './update-channel-state.js';

/** Why this is not a moment to stage an update, or null when it is. */
export type BusyReason = 'enrollment-active' | 'operator-signed-in';

export interface UpdateChannelOptions {
  db: Db;
  dataDir: string;
  credentials(): KioskCredentials | null;
  /** The version of the gatehouse package running now. */
  installedVersion: string;
  /** The kiosk's Debian architecture (debianArchitecture() by default). */
  architecture?: string;
  busy(): BusyReason | null;
  log: Log;
  now?: () => Date;
  /** How often a pass runs from the sync loop. */
  checkEveryMs?: number;
  timeoutMs?: number;
  stallTimeoutMs?: number;
}

export type UpdatePassOutcome =
  | 'not-provisioned' | 'unreachable' | 'none-published' | 'up-to-date' | 'refused' | 'download-failed' | 'waiting-for-idle' | 'staged' | 'already-staged';

export interface UpdatePassProgress {
  version: string;
  received: number;
  total: number;
}

const DEFAULT_CHECK_EVERY_MS = 60 * 60_000;

/** Node's process.arch as dpkg names it. */
export function debianArchitecture(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386', ppc64: 'ppc64el', s390x: 's390x', riscv64: 'riscv64' };
  return names[arch] ?? arch;
}

/** Why staging must wait: an enrollment on a capture step, or anyone signed in (or called) at a screen. */
export function busyReason(unfinishedEnrollments: number, screens: Iterable<{ operator: unknown; assistant: unknown }>): BusyReason | null {
  if (unfinishedEnrollments > 0) return 'enrollment-active';
  for (const screen of screens) if (screen.operator !== null || screen.assistant !== null) return 'operator-signed-in';
  return null;
}

export class UpdateChannel {
  private readonly now: () => Date;
  private readonly architecture: string;
  private readonly folders: UpdateFolders;
  private pass: Promise<UpdatePassOutcome> | null = null;
  private lastPassAt = -Infinity;

  constructor(private readonly options: UpdateChannelOptions) {
    this.now = options.now ?? (() => new Date());
    this.architecture = options.architecture ?? debianArchitecture();
    this.folders = updateFolders(options.dataDir);
  }

  /**
   * Audits what the privileged installer recorded since the last call (it writes only its status
   * file; the kiosk is the audit chain's one writer). At start and with each pass; a damaged status
   * file is logged and the kiosk runs on.
   */
  auditInstaller(): void {
    try {
      auditInstallerEvents(this.options.db);
    } catch (error) {
      this.options.log.warn('the update installer\'s status cannot be read', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** What the channel is doing, for the diagnostics screen. */
  state(): UpdateChannelState {
    return readUpdateChannelState(this.options.db);
  }

  /** After a sync round that reached the authority: a pass is queued when one is due or an update waits for an idle moment. */
  afterSyncRound(): void {
    if (this.pass !== null) return;
    const due = this.now().getTime() - this.lastPassAt >= (this.options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS);
    if (due || this.state().state === 'downloaded') requestUpdatePass(this.options.db, this.now());
  }

  /** One pass: check, verify, download, verify, stage when idle. A call while a pass runs gets that pass. */
  run(signal?: AbortSignal, onProgress?: (progress: UpdatePassProgress) => void): Promise<UpdatePassOutcome> {
    this.pass ??= this.runPass(signal, onProgress).finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  private async runPass(signal?: AbortSignal, onProgress?: (progress: UpdatePassProgress) => void): Promise<UpdatePassOutcome> {
    this.auditInstaller();
    const credentials = this.options.credentials();
    if (credentials === null) return 'not-provisioned';
    this.lastPassAt = this.now().getTime();
    const { installedVersion } = this.options;

    let updateKey;
    try {
      updateKey = pinnedUpdateKey(credentials.identity);
    } catch (error) {
      if (!(error instanceof GatehouseError)) throw error;
      this.refuse(null, error);
      return 'refused';
    }

    const client = new UpdateClient({
      baseUrl: credentials.identity.authorityUrl,
      signer: { keyId: credentials.identity.kioskId, privateKey: credentials.keys.signing.privateKey },
      timeoutMs: this.options.timeoutMs,
      now: this.now,
    });
    let signed: unknown;
    try {
      signed = await client.latestManifest(this.architecture);
    } catch (error) {
      if (!(error instanceof GatehouseError)) throw error;
      const held = this.state().state;
      if (held !== 'downloaded' && held !== 'staged') this.write({ state: 'failed', reason: reasonOf(error) });
      return 'unreachable';
    }
    const checkedAt = this.now().toISOString();
    if (signed === null) {
      this.settle({ lastCheckedAt: checkedAt });
      return 'none-published';
    }
    // The running version itself is no news (and its manifest may long have expired): nothing to verify or do.
    const claimed = UpdateManifest.safeParse(signed);
    if (claimed.success && compareDebianVersions(claimed.data.version, installedVersion) === 0) {
      this.settle({ lastCheckedAt: checkedAt });
      return 'up-to-date';
    }

    let manifest: UpdateManifest;
    try {
      manifest = verifyUpdateManifest(signed, updateKey, { now: this.now(), installedVersion, architecture: this.architecture });
    } catch (error) {
      if (!(error instanceof UpdateRefusedError)) throw error;
      this.write({ lastCheckedAt: checkedAt });
      this.refuse(claimed.success ? claimed.data : null, error);
      return 'refused';
    }

    const before = this.write({ lastCheckedAt: checkedAt });
    const same = before.sha256 === manifest.sha256 && (before.state === 'downloaded' || before.state === 'staged' || before.state === 'downloading');
    if (same && before.state === 'staged' && peekStagedRequest(this.folders.staged)?.sha256 === manifest.sha256) return 'already-staged';
    if (!same) {
      removeOtherPartials(this.folders.partial, manifest.sha256);
      this.write({ state: 'available', version: manifest.version, sha256: manifest.sha256, manifest, reason: null });
      this.audit({ action: 'update.available', details: { version: manifest.version, sha256: manifest.sha256, size: manifest.size } });
    }

    let packagePath: string;
    try {
      if (this.state().state !== 'downloaded') this.write({ state: 'downloading', reason: null });
      const downloaded = await downloadPackage({
        client, manifest, partialDir: this.folders.partial, signal, stallTimeoutMs: this.options.stallTimeoutMs,
        onProgress: (received, total) => onProgress?.({ version: manifest.version, received, total }),
      });
      packagePath = downloaded.path;
      if (this.state().state !== 'downloaded') {
        this.write({ state: 'downloaded', reason: null });
        this.audit({
          action: 'update.downloaded',
          details: { version: manifest.version, sha256: manifest.sha256, resumedFrom: downloaded.resumedFrom, fetched: downloaded.fetched },
        });
      }
    } catch (error) {
      if (error instanceof UpdateRefusedError) {
        this.refuse(manifest, error);
        return 'refused';
      }
      if (signal?.aborted || !(error instanceof GatehouseError)) throw error;
      this.write({ state: 'failed', reason: reasonOf(error) });
      return 'download-failed';
    }

    const busy = this.options.busy();
    if (busy !== null) {
      this.write({ reason: { code: 'UPDATE_WAITING_FOR_IDLE', message: `Waiting for an idle moment (${busy}).` } });
      return 'waiting-for-idle';
    }
    // Time passed while it downloaded and waited: the manifest must still hold when it is handed over.
    try {
      verifyUpdateManifest(manifest, updateKey, { now: this.now(), installedVersion, architecture: this.architecture });
    } catch (error) {
      if (!(error instanceof UpdateRefusedError)) throw error;
      this.refuse(manifest, error);
      return 'refused';
    }
    writeStagedUpdate(this.folders.staged, { packagePath, signedManifest: manifest, fromVersion: installedVersion, now: this.now() });
    this.write({ state: 'staged', reason: null });
    this.audit({ action: 'update.staged', details: { version: manifest.version, sha256: manifest.sha256, fromVersion: installedVersion } });
    return 'staged';
  }

  /** Nothing to act on: idle, unless an update is staged or waits (a check that finds nothing new does not undo them). */
  private settle(change: Partial<UpdateChannelState>): void {
    const held = this.state().state;
    if (held === 'staged' || held === 'downloaded') this.write(change);
    else this.write({ ...change, state: 'idle', version: null, sha256: null, manifest: null, reason: null });
  }

  /** Refused: audited the first time this manifest is refused for this reason, and kept for the screen. */
  private refuse(manifest: Pick<UpdateManifest, 'version' | 'sha256'> | null, error: GatehouseError | UpdateRefusedError): void {
    const held = this.state();
    const again = held.state === 'refused' && held.reason?.code === error.code && held.sha256 === (manifest?.sha256 ?? null);
    this.write({ state: 'refused', version: manifest?.version ?? null, sha256: manifest?.sha256 ?? null, manifest: null, reason: reasonOf(error) });
    if (!again) this.audit({ action: 'update.refused', details: { reason: error.code, version: manifest?.version ?? null } });
    this.options.log.warn('update refused', { code: error.code, version: manifest?.version ?? null });
  }

  private write(change: Partial<UpdateChannelState>): UpdateChannelState {
    return writeUpdateChannelState(this.options.db, change, this.now());
  }

  private audit(entry: { action: `update.${'available' | 'downloaded' | 'refused' | 'staged'}`; details: Record<string, unknown> }): void {
    appendAudit(this.options.db, { actor: 'system', ...entry, at: this.now() });
  }
}

function reasonOf(error: { code: string; message: string }) {
  return { code: error.code, message: error.message };
}
