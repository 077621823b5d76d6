// RPC handlers of the technician's settings section: the settings with their bounds, and a
// change committed with its audit entry — each changed key with its old and new value.

import type { Procedures } from '../rpc/contract.js';
import type { Caller, Handlers } from '../rpc/dispatcher.js';
import type { Db } from '../store/database.js';
import { stationSettingsView, writeSettings } from './station-settings.js';

export function settingsHandlers(db: Db, now: () => Date): Pick<Handlers<Procedures, Caller>, 'settings.get' | 'settings.update'> {
  return {
    'settings.get': () => stationSettingsView(db),
    'settings.update': (changes, ctx) =>
      ctx.commit(() => writeSettings(db, changes, now()), ({ changed }) => ({ changes: changed })).settings,
  };
}
