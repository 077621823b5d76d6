// RPC handlers for what every screen shows: version and first-run state, the status
// bar (devices, network, queue), the camera the face step opens, and the station settings
// (changed in settings-procedures.ts).

import type { Procedures } from '../rpc/contract.js';
import type { Caller, Handlers } from '../rpc/dispatcher.js';
import { countOperators } from '../auth/operator-repository.js';
import { readDevicesConfig } from '../devices/device-config.js';
import type { Db } from '../store/database.js';
import { version } from './project-root.js';
import { readSettings } from './station-settings.js';
import type { StatusBoard } from './status-board.js';

export interface SystemDeps {
  db: Db;
  host: 'electron' | 'browser';
  status: StatusBoard;
}

export function systemHandlers({ db, host, status }: SystemDeps): Pick<Handlers<Procedures, Caller>, 'system.info' | 'system.status'> {
  return {
    'system.info': () => ({
      version,
      host,
      firstRun: countOperators(db) === 0,
      simulatedDevices: status.current().devices.some((d) => d.simulated),
      camera: readDevicesConfig(db).camera,
      settings: readSettings(db),
    }),
    'system.status': () => status.current(),
  };
}
