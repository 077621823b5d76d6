// What the kiosk's update channel is doing, kept in one row of the store (schema 15) so that the
// diagnostics screen, `gatehouse doctor` and a restarted kiosk all see the same thing: the last
// check that reached the authority, the version being acted on, and why it was refused or failed.
import type { Db } from '../store/database.js';

export type UpdateStateName = 'idle' | 'available' | 'downloading' | 'downloaded' | 'staged' | 'refused' | 'failed';

export interface UpdateReason {
  code: string;
  message: string;
}

export interface UpdateChannelState {
  state: UpdateStateName;
  lastCheckedAt: string | null;
  version: string | null;
  sha256: string | null;
  /** The signed manifest being acted on (JSON as served), so a restart resumes the same package. */
  manifest: unknown;
  reason: UpdateReason | null;
  updatedAt: string | null;
}

interface StateRow {
  state: UpdateStateName;
  last_checked_at: string | null;
  version: string | null;
  sha256: string | null;
  manifest: string | null;
  reason_code: string | null;
  reason_message: string | null;
  updated_at: string;
}

const NOTHING: UpdateChannelState = { state: 'idle', lastCheckedAt: null, version: null, sha256: null, manifest: null, reason: null, updatedAt: null };

export function readUpdateChannelState(db: Db): UpdateChannelState {
  const row = db.prepare('SELECT * FROM update_channel WHERE singleton = 1').get() as StateRow | undefined;
  if (row === undefined) return NOTHING;
  return {
    state: row.state,
    lastCheckedAt: row.last_checked_at,
    version: row.version,
    sha256: row.sha256,
    manifest: row.manifest === null ? null : JSON.parse(row.manifest) as unknown,
    reason: row.reason_code === null ? null : { code: row.reason_code, message: row.reason_message ?? '' },
    updatedAt: row.updated_at,
  };
}

/** Replaces the fields given in `change` (the rest stay as they were). */
export function writeUpdateChannelState(db: Db, change: Partial<Omit<UpdateChannelState, 'updatedAt'>>, now: Date): UpdateChannelState {
  const next = { ...readUpdateChannelState(db), ...change, updatedAt: now.toISOString() };
  db.prepare(`INSERT INTO update_channel (singleton, state, last_checked_at, version, sha256, manifest, reason_code, reason_message, updated_at)
      VALUES (1, @state, @lastCheckedAt, @version, @sha256, @manifest, @reasonCode, @reasonMessage, @updatedAt)
    ON CONFLICT (singleton) DO UPDATE SET state = excluded.state, last_checked_at = excluded.last_checked_at, version = excluded.version,
      sha256 = excluded.sha256, manifest = excluded.manifest, reason_code = excluded.reason_code, reason_message = excluded.reason_message,
      updated_at = excluded.updated_at`).run({
    state: next.state,
    lastCheckedAt: next.lastCheckedAt,
    version: next.version,
    sha256: next.sha256,
    manifest: next.manifest === null ? null : JSON.stringify(next.manifest),
    reasonCode: next.reason?.code ?? null,
    reasonMessage: next.reason?.message ?? null,
    updatedAt: next.updatedAt,
  });
  return next;
}
