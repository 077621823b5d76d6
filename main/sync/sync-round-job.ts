// The `sync.round` job: one waiting round at most (dedupe key "sync"), queued in the same
// transaction as whatever gives sync work — a sealed record, a finished provisioning — so the
// job runner wakes for it without anyone remembering to "kick" sync. A round waiting out a
// backoff keeps its time (a new record does not hammer an authority that is away); "sync now"
// cuts it short. The kiosk's SyncService is the handler (sync-service.ts).
import { z } from 'zod';
import { jobType } from '../jobs/job-kind.js';
import { enqueueJob } from '../jobs/job-store.js';
import type { Db } from '../store/database.js';

export const SYNC_ROUND = jobType('sync.round', z.strictObject({}));
export const SYNC_ROUND_KEY = 'sync';

/** Asks for a sync round now (inside the caller's transaction); `overrideBackoff` for a person's "sync now". */
export function requestSyncRound(db: Db, options: { now?: Date; overrideBackoff?: boolean } = {}): number {
  return enqueueJob(db, SYNC_ROUND, {}, { dedupeKey: SYNC_ROUND_KEY, ...options });
}
