// RPC handlers for what every screen shows: version and first-run state, the status
// bar (devices, network, queue) and the station settings.

import type { Procedures } from '../rpc/contract.js';
import type { Caller, Handlers } from '../rpc/dispatcher.js';
import { countOperators } from '../auth/operator-repository.js';
import type { Db } from '../store/database.js';
import { version } from './project-root.js';
import { readSettings, writeSettings } from './station-settings.js';
import type { StatusBoard } from './status-board.js';

export interface SystemDeps {
  db: Db;
  host: 'electron' | 'browser';
  status: StatusBoard;
}

export function systemHandlers({ db, host, status }: SystemDeps): Pick<Handlers<Procedures, Caller>, 'system.info' | 'system.status' | 'settings.update'> {
  return {
    'system.info': () => ({
      version,
      host,
      firstRun: countOperators(db) === 0,
      simulatedDevices: status.current().devices.some((d) => d.simulated),
      settings: readSettings(db),
    }),
    'system.status': () => status.current(),
    'settings.update': (changes, ctx) =>
      ctx.commit(() => writeSettings(db, changes), () => ({ changed: Object.keys(changes) })),
  };
}
