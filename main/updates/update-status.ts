// The update channel as the diagnostics report shows it: the running version and architecture,
// whether an update key is pinned, and the channel's state row — read from the store, so the
// kiosk's screen and the CLI's support bundle report the same.
import type { z } from 'zod';
import { version } from '../kiosk/project-root.js';
import { readIdentity } from '../provisioning/kiosk-credentials.js';
import type { UpdatesStatus } from '../rpc/procedures/diagnostics.js';
import type { Db } from '../store/database.js';
import { debianArchitecture } from './update-channel.js';
import { readUpdateChannelState } from './update-channel-state.js';

export function updatesStatus(db: Db): z.infer<typeof UpdatesStatus> {
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
  };
}
