// Sync rounds: probe the authority, pull the signed station configuration and operator list,
// deliver due records, push a signed audit checkpoint and purge envelopes whose receipts are old
// enough. Inside the kiosk a round is the handler of the singleton `sync.round` job
// (sync-round-job.ts): sealing a record, provisioning and "sync now" queue one, a failed round is
// retried with backoff by the job runner, and a good one puts itself back for when the next
// record is due or the idle poll. One record's failure does not end a round (outbox-uploader.ts);
// each round's per-record outcomes go to its result, the sync panel and the log. It reports
// network state to the status board and progress to the sync panel, keeps a fault a technician
// must fix on show until a round passes without one, and stops (no retries) when the authority
// refuses the kiosk, until "sync now".
import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { checkpointToPush, recordAcknowledgedCheckpoint } from '../audit/audit-checkpoints.js';
import { JobFailure, type JobHandler } from '../jobs/job-kind.js';
import type { JobRunner } from '../jobs/job-runner.js';
import { queuedJob } from '../jobs/job-store.js';
import type { StatusBoard } from '../kiosk/status-board.js';
import type { Log } from '../log.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { SyncProgress } from '../rpc/procedures/sync.js';
import type { Db } from '../store/database.js';
import { purgeEnvelopes, queueSummary, standingConfigFault } from '../store/outbox.js';
import { acceptAuthorityDocument } from './authority-documents.js';
import { pullRecordStatus } from './record-status.js';
import { AuthorityClient } from './authority-client.js';
import { OutboxUploader, type RecordOutcome, type TransferProgress, type UploadLimits } from './outbox-uploader.js';
import { classifyFailure, DEFAULT_RETRY_POLICY, type RetryPolicy, type SyncFailure } from './retry-policy.js';
import { requestSyncRound, SYNC_ROUND, SYNC_ROUND_KEY } from './sync-round-job.js';

export type SyncProgressView = z.infer<typeof SyncProgress>;

export interface SyncServiceOptions {
  db: Db;
  /** The kiosk's credentials, null until it is provisioned. */
  credentials(): KioskCredentials | null;
  status?: StatusBoard;
  /** The kiosk's job runner, whose `sync.round` jobs start() takes; none for one-off rounds (the CLI, tests). */
  jobs?: JobRunner;
  log: Log;
  now?: () => Date;
  random?: () => number;
  policy?: RetryPolicy;
  limits?: Partial<UploadLimits>;
  /** Per request to the authority. */
  timeoutMs?: number;
  /** How often an idle kiosk looks again (new documents, records due later). */
  idlePollMs?: number;
  /** How often the station configuration and operator list are pulled. */
  documentsEveryMs?: number;
  /** Envelopes purged per round at most. */
  purgeBatch?: number;
  /** Also after every round that reached the authority, not awaited: the update check (main/updates/update-channel.ts). */
  afterOnlineRound?(): void;
}

export interface RoundResult {
  state: SyncProgressView['state'];
  delivered: number;
  retried: number;
  rejected: number;
  purged: number;
  /** What the authority said became of records, changes applied. */
  statusChanges: number;
  checkpointSeq: number | null;
  /** What ended the round early; null also when single records failed and the round went on. */
  failure: SyncFailure | null;
  /** Each record tried in this round: delivered, to be retried or rejected, with the code. */
  outcomes: RecordOutcome[];
}

const PROGRESS_EVERY_MS = 250;
/** Records not delivered in the last round that the sync panel lists (the rest are counted). */
const SHOWN_FAILURES = 20;

export class SyncService extends EventEmitter<{ progress: [SyncProgressView] }> {
  private readonly now: () => Date;
  private readonly policy: RetryPolicy;
  private state: SyncProgressView['state'] = 'idle';
  private lastRound: SyncProgressView['lastRound'] = null;
  private lastSuccessAt: string | null = null;
  private lastError: SyncProgressView['lastError'] = null;
  private transfer: TransferProgress | null = null;
  private documentsPulledAt = -Infinity;
  private handlingJobs = false;
  private round: Promise<RoundResult> | null = null;
  private progressTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SyncServiceOptions) {
    super();
    this.now = options.now ?? (() => new Date());
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.setMaxListeners(0);
    if (options.credentials() === null) this.state = 'not-provisioned';
    else options.status?.setNetwork('offline');
  }

  /** Takes the runner's `sync.round` jobs from now on and queues a round at once (rounds then follow by themselves). */
  start(): void {
    const { jobs, db } = this.options;
    if (!jobs) throw new Error('SyncService.start() needs the kiosk\'s job runner');
    if (this.handlingJobs) return;
    this.handlingJobs = true;
    jobs.register(this.roundJob());
    requestSyncRound(db, { now: this.now() });
  }

  /** Ends taking rounds; pending progress is dropped at once, a round in flight is awaited. */
  async stop(): Promise<void> {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    if (this.handlingJobs) {
      this.handlingJobs = false;
      await this.options.jobs?.release(SYNC_ROUND.kind);
    }
    await this.round?.catch(() => undefined);
  }

  /** The queue changed outside a round (an export, imported receipts): the sync panel shows it. */
  queueChanged(): void {
    this.emitProgress();
  }

  /** "Sync now": clears a halt and any backoff, and queues a round at once. */
  syncNow(): SyncProgressView {
    if (this.state === 'halted') this.state = 'idle';
    requestSyncRound(this.options.db, { now: this.now(), overrideBackoff: true });
    this.emitProgress();
    return this.progress();
  }

  /**
   * One round: probe, pull documents when due, deliver, checkpoint, purge. Runs the rounds one
   * at a time; a call while one runs waits for it and runs the next.
   */
  async runOnce(): Promise<RoundResult> {
    while (this.round) await this.round.catch(() => undefined);
    this.round = this.doRound();
    try {
      return await this.round;
    } finally {
      this.round = null;
      this.emitProgress();
    }
  }

  progress(): SyncProgressView {
    // Provisioned since (on a screen or from the CLI): ready, before its first round has run.
    if (this.state === 'not-provisioned' && this.options.credentials() !== null) this.state = 'idle';
    const queue = queueSummary(this.options.db);
    return {
      state: this.state,
      queueDepth: queue.queued,
      exported: queue.exported,
      rejected: queue.rejected,
      oldestUnsyncedAt: queue.oldestQueuedAt,
      lastSuccessAt: this.lastSuccessAt,
      nextAttemptAt: this.nextAttemptAt(queue.nextAttemptAt),
      transfer: this.transfer,
      lastError: this.lastError,
      lastRound: this.lastRound,
    };
  }

  /** When the next try is planned, if that is still ahead: the later of the backoff (a queued round's) and the next record due. */
  private nextAttemptAt(recordDue: string | null): string | null {
    if (this.state === 'halted' || this.state === 'not-provisioned') return null;
    const round = queuedJob(this.options.db, SYNC_ROUND.kind, SYNC_ROUND_KEY);
    const backoffUntil = round !== undefined && round.attempts > 0 ? Date.parse(round.nextAttemptAt) : 0;
    const next = Math.max(backoffUntil, recordDue === null ? 0 : Date.parse(recordDue));
    return next > this.now().getTime() ? new Date(next).toISOString() : null;
  }

  /**
   * The `sync.round` handler: a transient failure is retried by the runner (after the backoff of
   * `policy`, never before Retry-After); a halt fails the job, as does every round queued while
   * sync is halted (nothing runs until "sync now"); a good round runs again when the next record
   * is due, or after the idle poll; what rides on that schedule (the update check) hangs on
   * `afterOnlineRound` in doRound.
   */
  private roundJob(): JobHandler<z.infer<typeof SYNC_ROUND.payload>> {
    return {
      type: SYNC_ROUND,
      retry: { ...this.policy, maxAttempts: null },
      run: async () => {
        const round = await this.runOnce();
        const { failure } = round;
        if (failure !== null) throw new JobFailure(failure.code, failure.message, { retryable: failure.kind !== 'halt', retryAfterMs: failure.retryAfterMs });
        if (round.state === 'halted') {
          throw new JobFailure(this.lastError?.code ?? 'SYNC_HALTED', `Sync is stopped until "sync now": ${this.lastError?.message ?? ''}`, { retryable: false });
        }
        if (round.state === 'not-provisioned') return; // provisioning queues the next round
        return { again: new Date(this.now().getTime() + this.idleMs()) };
      },
    };
  }

  /** After a good round: until the next record is due, at most the idle poll (new documents, record status). */
  private idleMs(): number {
    const idle = this.options.idlePollMs ?? 60_000;
    const due = queueSummary(this.options.db).nextAttemptAt;
    return due === null ? idle : Math.min(idle, Math.max(0, Date.parse(due) - this.now().getTime()));
  }

  private async doRound(): Promise<RoundResult> {
    const result: RoundResult = {
      state: this.state, delivered: 0, retried: 0, rejected: 0, purged: 0, statusChanges: 0, checkpointSeq: null, failure: null, outcomes: [],
    };
    const credentials = this.options.credentials();
    result.purged = this.purge();
    if (credentials === null) {
      this.state = 'not-provisioned';
      return { ...result, state: this.state };
    }
    if (this.state === 'halted') return result;
    const client = new AuthorityClient({
      baseUrl: credentials.identity.authorityUrl,
      signer: { keyId: credentials.identity.kioskId, privateKey: credentials.keys.signing.privateKey },
      timeoutMs: this.options.timeoutMs,
      now: this.now,
    });
    this.setState('syncing');
    try {
      await client.probe();
      this.options.status?.setNetwork('online');
      await this.pullDocuments(client, credentials);
      const drained = await this.drain(client, credentials);
      Object.assign(result, { delivered: drained.delivered, retried: drained.retried, rejected: drained.rejected, outcomes: drained.outcomes });
      if (drained.stoppedBy) {
        result.failure = this.failed(drained.stoppedBy);
      } else {
        result.statusChanges = await pullRecordStatus(this.options.db, client, credentials);
        if (result.statusChanges > 0) this.options.status?.changed(); // screens showing records follow
        result.checkpointSeq = await this.pushCheckpoint(client, credentials);
        this.succeeded(drained.recordFailures);
        this.options.afterOnlineRound?.();
      }
    } catch (error) {
      result.failure = this.failed(classifyFailure(error));
    }
    result.purged += this.purge();
    this.reportRound(result);
    return { ...result, state: this.state };
  }

  /** The round's outcomes on the sync panel and in the log (record ids and codes only). */
  private reportRound(result: RoundResult): void {
    if (result.outcomes.length === 0 && result.failure === null) return;
    const failures = result.outcomes.filter((o) => o.outcome !== 'delivered');
    this.lastRound = {
      at: this.now().toISOString(),
      delivered: result.delivered,
      retried: result.retried,
      rejected: result.rejected,
      failures: failures.slice(0, SHOWN_FAILURES),
    };
    const fields = { delivered: result.delivered, retried: result.retried, rejected: result.rejected, endedBy: result.failure?.code ?? null };
    if (failures.length > 0 || result.failure !== null) this.options.log.warn('sync round: not every record was delivered', fields);
    else this.options.log.info('sync round', fields);
  }

  private async drain(client: AuthorityClient, credentials: KioskCredentials) {
    const uploader = new OutboxUploader({
      db: this.options.db, client, credentials, policy: this.policy, limits: this.options.limits, now: this.now, random: this.options.random,
    });
    /** Failures of single records the round went on past: the one the panel shows is the one a technician must fix, else the last. */
    let recordFailures: SyncFailure | null = null;
    uploader.on('transfer', (transfer) => {
      this.transfer = transfer;
      this.emitProgress();
    });
    uploader.on('delivered', () => {
      this.lastSuccessAt = this.now().toISOString();
      if (this.lastError?.kind !== 'config') this.lastError = null;
      this.emitProgress();
    });
    uploader.on('failed', (recordId, failure) => {
      const outcome = failure.kind === 'reject' ? 'rejected' : 'retried';
      this.options.log[failure.kind === 'transient' ? 'warn' : 'error']('record not delivered', { recordId, outcome, code: failure.code, kind: failure.kind });
      if (failure.kind !== 'reject' && (recordFailures?.kind !== 'config' || failure.kind === 'config')) recordFailures = failure;
    });
    const drained = await uploader.drain();
    return { ...drained, recordFailures };
  }

  private async pullDocuments(client: AuthorityClient, credentials: KioskCredentials): Promise<void> {
    const now = this.now();
    if (now.getTime() - this.documentsPulledAt < (this.options.documentsEveryMs ?? 15 * 60_000)) return;
    const { db } = this.options;
    acceptAuthorityDocument(db, credentials, 'station-config', await client.stationConfig(), now);
    acceptAuthorityDocument(db, credentials, 'operators', await client.operators(), now);
    this.documentsPulledAt = now.getTime();
  }

  private async pushCheckpoint(client: AuthorityClient, credentials: KioskCredentials): Promise<number | null> {
    const { db } = this.options;
    const checkpoint = checkpointToPush(db, credentials.identity.kioskId, credentials.keys.signing.privateKey, this.now());
    if (checkpoint === null) return null;
    await client.pushCheckpoint(checkpoint);
    recordAcknowledgedCheckpoint(db, checkpoint, this.now());
    return checkpoint.seq;
  }

  private purge(): number {
    const { db } = this.options;
    const purged = db.transaction(() => purgeEnvelopes(db, this.now().toISOString(), this.options.purgeBatch ?? 500)).immediate();
    if (purged > 0) this.options.log.info('sealed envelopes purged after their receipts', { count: purged });
    return purged;
  }

  /**
   * The round went through; `standing` is a record's failure it went on past. The panel shows the
   * failure that stands, not one sync has recovered from: a record's fault a technician must fix
   * stands while any record waits on it, even through rounds that did not try that record.
   */
  private succeeded(standing: SyncFailure | null): void {
    this.lastSuccessAt = this.now().toISOString();
    const waitingOn = standingConfigFault(this.options.db);
    this.lastError = standing?.kind === 'config' || waitingOn === null
      ? standing && this.errorOf(standing)
      : { ...waitingOn, kind: 'config' };
    this.setState('idle');
  }

  private errorOf(failure: SyncFailure): NonNullable<SyncProgressView['lastError']> {
    return { code: failure.code, message: failure.message, at: this.now().toISOString(), kind: failure.kind };
  }

  private failed(failure: SyncFailure): SyncFailure {
    this.lastError = this.errorOf(failure);
    if (failure.kind === 'halt') {
      this.options.log.error('sync halted: the authority refused this kiosk', { code: failure.code });
      this.setState('halted');
      return failure;
    }
    if (failure.code === 'AUTHORITY_UNREACHABLE') this.options.status?.setNetwork('offline');
    this.setState(failure.code === 'AUTHORITY_UNREACHABLE' ? 'offline' : 'idle');
    return failure;
  }

  private setState(state: SyncProgressView['state']): void {
    if (state !== 'syncing') this.transfer = null; // a transfer shows only while a round runs
    if (this.state === state) return;
    this.state = state;
    this.emitProgress(true);
  }

  /** Progress at most every PROGRESS_EVERY_MS (the last one always arrives); `now` skips the wait. */
  private emitProgress(now = false): void {
    if (now) {
      if (this.progressTimer) clearTimeout(this.progressTimer);
      this.progressTimer = null;
      this.publish();
      return;
    }
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = null;
      this.publish();
    }, PROGRESS_EVERY_MS).unref();
  }

  private publish(): void {
    this.emit('progress', this.progress());
    this.options.status?.changed();
  }
}
