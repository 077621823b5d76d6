// The word on the sync panel's badge, from the sync service's progress. The service's `idle` only
// says that no round runs now; a supervisor reading "up to date" must be able to trust it.
import type { z } from 'zod';
import type { SyncProgress } from '../../../main/rpc/procedures/sync.js';

export type SyncBadge = 'not-provisioned' | 'idle' | 'waiting' | 'fault' | 'syncing' | 'offline' | 'halted';

/**
 * `idle` reads "up to date" only when nothing waits to be sent; "waiting" when records wait for the
 * next attempt (exported ones wait for their receipt file, not for sync); "fault" while a
 * configuration fault stands (records are retried, but a technician must act).
 */
export function badgeOf(progress: Pick<z.infer<typeof SyncProgress>, 'state' | 'queueDepth' | 'exported' | 'lastError'>): SyncBadge {
  if (progress.state !== 'idle') return progress.state;
  if (progress.lastError?.kind === 'config') return 'fault';
  return progress.queueDepth > progress.exported ? 'waiting' : 'idle';
}
