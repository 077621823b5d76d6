// Delivers due outbox records to the authority: each envelope whole in one signed PUT, or in
// resumable chunks when large; idempotent by record id and digest, so a retry after a lost
// answer gets the original receipt. A record that went out in an export bundle is first looked
// up (its status), so one the authority took in from the bundle is not sent again. A verified receipt moves the record out of the queue in one
// transaction with its audit entry; a failure schedules that record's next attempt (its own
// backoff) and the drain goes on with the others, unless the failure ends the round (a halt, a
// 429) or too many attempts in a row failed (the authority, not a replica, is away).
import { EventEmitter } from 'node:events';
import type { RecordStored } from '../../protocol/api.js';
import { appendAudit } from '../audit/audit-log.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { Db } from '../store/database.js';
import { dueRecords, markRejected, readEnvelope, scheduleRetry, type DueRecord } from '../store/outbox.js';
import { AuthorityRefusal, type AuthorityClient } from './authority-client.js';
import { checkReceipt, storeVerifiedReceipt } from './receipts.js';
import { classifyFailure, retryDelayMs, type FailureKind, type RetryPolicy, type SyncFailure } from './retry-policy.js';

export interface UploadLimits {
  /** Records sent at once. */
  concurrency: number;
  /** Envelopes up to this size go in one PUT; larger ones as a chunked upload. */
  singleRequestMaxBytes: number;
  /** Chunk size (the authority's maxChunkBytes caps it). */
  chunkBytes: number;
  /** Queue rows read per poll. */
  batch: number;
  /** Failed attempts in a row (no record delivered or refused between them) that end the drain. */
  failuresInARow: number;
}

const DEFAULT_UPLOAD_LIMITS: UploadLimits = { concurrency: 4, singleRequestMaxBytes: 1024 * 1024, chunkBytes: 512 * 1024, batch: 64, failuresInARow: 8 };

export interface TransferProgress {
  recordId: string;
  bytes: number;
  total: number;
}

/** What became of one record in a drain; `code` and `kind` say why it was not delivered. */
export type RecordOutcome =
  | { recordId: string; outcome: 'delivered' }
  | { recordId: string; outcome: 'retried' | 'rejected'; code: string; kind: FailureKind };

export interface DrainResult {
  delivered: number;
  retried: number;
  rejected: number;
  /** Every record tried, in the order its attempt ended. */
  outcomes: RecordOutcome[];
  /** Why the drain stopped early: a failure that ends the round, or the last of too many in a row. */
  stoppedBy: SyncFailure | null;
}

export interface OutboxUploaderOptions {
  db: Db;
  client: AuthorityClient;
  credentials: KioskCredentials;
  policy: RetryPolicy;
  limits?: Partial<UploadLimits>;
  now?: () => Date;
  random?: () => number;
}

export class OutboxUploader extends EventEmitter<{
  transfer: [TransferProgress];
  delivered: [recordId: string];
  failed: [recordId: string, failure: SyncFailure];
}> {
  private readonly limits: UploadLimits;
  private readonly now: () => Date;

  constructor(private readonly options: OutboxUploaderOptions) {
    super();
    this.limits = { ...DEFAULT_UPLOAD_LIMITS, ...options.limits };
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Sends every record due when the drain starts, each at most once, until none is left or a
   * failure ends the drain; records after a failed one are still sent.
   */
  async drain(): Promise<DrainResult> {
    const result: DrainResult = { delivered: 0, retried: 0, rejected: 0, outcomes: [], stoppedBy: null };
    const dueBy = this.now().toISOString();
    const tried = new Set<string>();
    const run = { result, failedInARow: 0 };
    while (result.stoppedBy === null) {
      const due = dueRecords(this.options.db, dueBy, this.limits.batch).filter((record) => !tried.has(record.recordId));
      if (due.length === 0) break;
      for (const record of due) tried.add(record.recordId);
      let next = 0;
      const worker = async () => {
        while (result.stoppedBy === null && next < due.length) await this.deliver(due[next++]!, run);
      };
      await Promise.all(Array.from({ length: Math.min(this.limits.concurrency, due.length) }, worker));
    }
    return result;
  }

  private async deliver(record: DueRecord, run: { result: DrainResult; failedInARow: number }): Promise<void> {
    const { db, credentials } = this.options;
    const { result } = run;
    let stored: RecordStored;
    try {
      stored = await this.send(record);
      checkReceipt(credentials, stored.receipt, { recordId: record.recordId, digest: record.digest });
    } catch (error) {
      const failure = classifyFailure(error);
      const now = this.now();
      if (failure.kind === 'reject') {
        markRejected(db, record.recordId, failure, now.toISOString());
        result.rejected += 1;
        run.failedInARow = 0; // the authority answered with a verdict: it is there
        result.outcomes.push({ recordId: record.recordId, outcome: 'rejected', code: failure.code, kind: failure.kind });
      } else {
        const delay = retryDelayMs(record.attempts + 1, this.options.policy, failure.retryAfterMs, this.options.random);
        scheduleRetry(db, record.recordId, { nextAttemptAt: new Date(now.getTime() + delay).toISOString(), fault: failure, now: now.toISOString() });
        result.retried += 1;
        run.failedInARow += 1;
        result.outcomes.push({ recordId: record.recordId, outcome: 'retried', code: failure.code, kind: failure.kind });
        if (failure.endsRound || run.failedInARow >= this.limits.failuresInARow) result.stoppedBy ??= failure;
      }
      this.emit('failed', record.recordId, failure);
      return;
    }
    const now = this.now();
    db.transaction(() => {
      if (storeVerifiedReceipt(db, stored.receipt, now)) {
        appendAudit(db, { actor: 'sync', action: 'record.delivered', details: { recordId: record.recordId, via: 'sync' }, at: now });
      }
    }).immediate();
    result.delivered += 1;
    run.failedInARow = 0;
    result.outcomes.push({ recordId: record.recordId, outcome: 'delivered' });
    this.emit('delivered', record.recordId);
  }

  private async send(record: DueRecord): Promise<RecordStored> {
    if (record.exported) {
      const held = await this.heldByAuthority(record.recordId);
      if (held !== null) return held;
    }
    const envelope = readEnvelope(this.options.db, record.recordId);
    this.emit('transfer', { recordId: record.recordId, bytes: 0, total: envelope.length });
    const stored = envelope.length <= this.limits.singleRequestMaxBytes
      ? await this.options.client.putRecord(record.recordId, envelope)
      : await this.sendInChunks(record, envelope);
    this.emit('transfer', { recordId: record.recordId, bytes: envelope.length, total: envelope.length });
    return stored;
  }

  /** The authority's record status, or null when it does not hold the record. */
  private async heldByAuthority(recordId: string): Promise<RecordStored | null> {
    try {
      return await this.options.client.recordStatus(recordId);
    } catch (error) {
      if (error instanceof AuthorityRefusal && error.code === 'RECORD_NOT_FOUND') return null;
      throw error;
    }
  }

  /** Creates the upload or resumes the one the authority holds for this envelope, from its committed offset. */
  private async sendInChunks(record: DueRecord, envelope: Buffer): Promise<RecordStored> {
    const { client } = this.options;
    const created = await client.createUpload(record.recordId, envelope.length, record.digest);
    if (created.status === 'stored') return created;
    const { uploadId } = created;
    const chunkBytes = Math.min(this.limits.chunkBytes, created.maxChunkBytes);
    let offset = created.offset;
    while (offset < envelope.length) {
      this.emit('transfer', { recordId: record.recordId, bytes: offset, total: envelope.length });
      try {
        offset = (await client.uploadChunk(uploadId, offset, envelope.subarray(offset, offset + chunkBytes))).offset;
      } catch (error) {
        // The chunk landed but its answer did not, or another attempt moved on: ask where it stands.
        if (!(error instanceof AuthorityRefusal && error.code === 'UPLOAD_OFFSET_MISMATCH')) throw error;
        offset = (await client.uploadState(uploadId)).offset;
      }
    }
    return client.completeUpload(uploadId, record.digest);
  }
}
