// The update channel as the diagnostics report shows it: the running version and architecture,
// whether an update key is pinned, the channel's state row (read from the store), and what the
// privileged installer last did (its status file) — so the kiosk's screen and the CLI's support
// bundle report the same.
import type { z } from 'zod';
import { version } from '../kiosk/project-root.js';
import { readIdentity } from '../provisioning/kiosk-credentials.js';
import type { UpdatesStatus } from '../rpc/procedures/diagnostics.js';
import type { Db } from '../store/database.js';
import { readInstallerStatus } from './installer/installer-status.js';
import { debianArchitecture } from './update-channel.js';
import { readUpdateChannelState } from './update-channel-state.js';

type InstallerView = z.infer<typeof UpdatesStatus>['installer'];

/** The installer's status file (by default the installed kiosk's) as the report shows it. */
export function installerView(statusFile?: string): InstallerView {
  let status;
  try {
    status = readInstallerStatus(statusFile);
  } catch {
    return { outcome: 'unreadable', phase: null, at: null, from: null, to: null, code: 'UPDATE_STATUS_UNREADABLE' };
  }
  if (status === null) return null;
  if (status.attempt !== null) {
    const { phase, updatedAt, from, to, failure } = status.attempt;
    return { outcome: 'in-progress', phase, at: updatedAt, from, to, code: failure?.code ?? null };
  }
  if (status.last === null) return null;
  const { outcome, at, from, to, failure } = status.last;
  return { outcome, phase: null, at, from: from ?? null, to: to ?? null, code: failure?.code ?? null };
}

export function updatesStatus(db: Db, installerStatusFile?: string): z.infer<typeof UpdatesStatus> {
  const identity = readIdentity(db);
  const { state, lastCheckedAt, version: found, reason, updatedAt } = readUpdateChannelState(db);
  return {
    installedVersion: version,
    architecture: debianArchitecture(),
    keyPinned: identity === null ? null : identity.authority.updateKeyId !== undefined,
    state,
    lastCheckedAt,
    version: found,
    reason,
    updatedAt,
    installer: installerView(installerStatusFile),
  };
}
