// The composition root: opens the store and wires every service into one RPC
// dispatcher. Both hosts (Electron and the browser host) start a Kiosk and attach
// their screens to it; nothing here knows which host it runs under.

import { appendAudit } from '../audit/audit-log.js';
import { auditHandlers } from '../audit/audit-procedures.js';
import { authHandlers } from '../auth/auth-procedures.js';
import { ScreenSession } from '../auth/screen-session.js';
import type { DeviceRig } from '../devices/device-rig.js';
import { devicesHandlers } from '../devices/devices-procedures.js';
import { EnrollmentDesk } from '../enrollment/enrollment-desk.js';
import { createLog, type Log } from '../log.js';
import { procedures, type Procedures } from '../rpc/contract.js';
import { RpcDispatcher, type Handlers } from '../rpc/dispatcher.js';
import { createEventSink } from '../rpc/event-sink.js';
import type { EventName } from '../rpc/contract.js';
import { openDatabase, type Db } from '../store/database.js';
import { databasePath } from './data-dir.js';
import { readSettings } from './station-settings.js';
import { StatusBoard } from './status-board.js';
import { systemHandlers } from './system-procedures.js';

export interface KioskOptions {
  dataDir: string;
  host: 'electron' | 'browser';
  now?: () => Date;
  log?: Log;
}

export interface Kiosk {
  readonly db: Db;
  readonly dispatcher: RpcDispatcher<Procedures, ScreenSession>;
  readonly status: StatusBoard;
  /** A new screen; `send` delivers contract events to it. */
  openScreen(send: (name: EventName, payload: unknown) => void): ScreenSession;
  /** The screen went away: stop its timers and drop its capture data. */
  closeScreen(screen: ScreenSession): void;
  /** Routes what the devices produce to the screens and the status bar. */
  attachDevices(rig: DeviceRig): void;
  close(): void;
}

export function openKiosk({ dataDir, host, now = () => new Date(), log = createLog('kiosk') }: KioskOptions): Kiosk {
  const db = openDatabase(databasePath(dataDir));
  const status = new StatusBoard(db);
  const idleTimeoutSeconds = () => readSettings(db).idleTimeoutSeconds;
  const desk = new EnrollmentDesk(db, now);
  let devices: DeviceRig | null = null;
  const screens = new Map<ScreenSession, (current: ReturnType<StatusBoard['current']>) => void>();
  const endSessionsOf = (operatorId: number) => {
    for (const screen of screens.keys()) if (screen.operator?.id === operatorId) screen.end('logout');
  };
  const handlers = {
    ...systemHandlers({ db, host, status }),
    ...authHandlers({ db, now, idleTimeoutSeconds, endSessionsOf }),
    ...auditHandlers(db),
    ...desk.handlers(),
    ...devicesHandlers(() => devices),
  } satisfies Handlers<Procedures, ScreenSession>;
  const dispatcher = new RpcDispatcher<Procedures, ScreenSession>(procedures, handlers, db, log);

  const onIdleExpire = (screen: ScreenSession) => {
    if (!screen.operator) return;
    appendAudit(db, { actor: screen.actor, action: 'auth.idle-logout', details: { operatorId: screen.operator.id } });
  };

  return {
    db,
    dispatcher,
    status,
    openScreen(send) {
      const emit = createEventSink(send);
      const screen = new ScreenSession({ idleTimeoutSeconds, emit, onIdleExpire });
      const forward = (current: ReturnType<StatusBoard['current']>) => emit('system.statusChanged', current);
      status.on('changed', forward);
      screens.set(screen, forward);
      return screen;
    },
    closeScreen(screen) {
      const forward = screens.get(screen);
      if (forward) status.off('changed', forward);
      screens.delete(screen);
      screen.dispose();
    },
    attachDevices(rig) {
      devices = rig;
      const reader = rig.documentReader;
      reader.on('capture', (capture) => desk.deliverCapture(capture));
      reader.on('failure', (failure) => desk.deliverFailure(failure));
      reader.on('status', (device) => status.setDevice(device));
      status.setDevice(reader.status);
    },
    close() {
      for (const screen of [...screens.keys()]) this.closeScreen(screen);
      db.close();
    },
  };
}
