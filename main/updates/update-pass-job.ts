// The update pass as durable background work: the sync loop asks for a pass (`requestUpdatePass`,
// one queued at most) and the job runner runs it, with its abort signal at shutdown and its backoff
// when the authority could not be reached or the download broke off (the download resumes where it
// stopped). Refusals are outcomes, not failures: they are audited once by the pass and not retried.
import { z } from 'zod';
import { JobFailure, jobType, type JobHandler } from '../jobs/job-kind.js';
import { enqueueJob } from '../jobs/job-store.js';
import type { Db } from '../store/database.js';
import type { UpdateChannel } from './update-channel.js';

export const UPDATE_PASS = jobType('update.pass', z.strictObject({}));

/** Queues a pass unless one is queued already. */
export function requestUpdatePass(db: Db, now: Date): void {
  enqueueJob(db, UPDATE_PASS, {}, { dedupeKey: 'update', now });
}

export function updatePassHandler(updates: UpdateChannel): JobHandler<z.infer<typeof UPDATE_PASS.payload>> {
  return {
    type: UPDATE_PASS,
    // A download that broke off is tried again within minutes, at most hourly, for as long as it fails.
    retry: { baseMs: 30_000, capMs: 60 * 60_000, maxRetryAfterMs: 60 * 60_000, maxAttempts: null },
    async run(_payload, { signal, progress }) {
      const outcome = await updates.run(signal, ({ received, total }) => progress(received, total));
      if (outcome === 'unreachable' || outcome === 'download-failed') {
        throw new JobFailure('UPDATE_PASS_INCOMPLETE', `The update pass ended ${outcome}; it is tried again.`, { retryable: true });
      }
    },
  };
}
