// The composition root: opens the store and wires every service into one RPC
// dispatcher. Both hosts (Electron and the browser host) start a Kiosk and attach
// their screens to it; nothing here knows which host it runs under.

import { appendAudit } from '../audit/audit-log.js';
import { auditHandlers } from '../audit/audit-procedures.js';
import { authHandlers } from '../auth/auth-procedures.js';
import { loginLibraryCleaner } from '../auth/login-finger-library.js';
import { operatorManagementHandlers } from '../auth/operator-management.js';
import { fingerprintLoginHandlers } from '../auth/fingerprint-login.js';
import { ScreenSession } from '../auth/screen-session.js';
import type { ChipReaderService } from '../devices/chip-reader-service.js';
import type { DeviceRig } from '../devices/device-rig.js';
import { devicesHandlers } from '../devices/devices-procedures.js';
import { DeviceTests, deviceSetupHandlers } from '../devices/device-setup-procedures.js';
import { diagnosticsHandlers } from '../diagnostics/diagnostics-procedures.js';
import { readConsentDocument } from '../enrollment/consent-text.js';
import { captureFromReading, readFailure } from '../enrollment/document-capture.js';
import { DocumentChips } from '../enrollment/document-chips.js';
import { enrollmentHandlers } from '../enrollment/enrollment-procedures.js';
import { EnrollmentWorkflow } from '../enrollment/enrollment-workflow.js';
import { faceHandlers } from '../enrollment/face-procedures.js';
import { readFingerprintPolicy } from '../enrollment/fingerprint-policy.js';
import { fingerprintStepHandlers } from '../enrollment/fingerprint-step.js';
import { reviewQueueHandlers } from '../enrollment/review-queue-procedures.js';
import { FaceService } from '../face/face-service.js';
import { JobRunner } from '../jobs/job-runner.js';
import { recordsHandlers } from '../records/records-procedures.js';
import { slipFolderOf } from '../slips/slip-delivery.js';
import { SlipPrinting } from '../slips/slip-printing.js';
import { createLog, type Log } from '../log.js';
import { procedures, type Procedures } from '../rpc/contract.js';
import { RpcDispatcher, type Handlers } from '../rpc/dispatcher.js';
import { createEventSink } from '../rpc/event-sink.js';
import type { EventName } from '../rpc/contract.js';
import { openKioskDatabase, type Db } from '../store/database.js';
import type { QueuedRecord } from '../store/outbox.js';
import { FileKeyVault, type KeyVault } from '../provisioning/key-vault.js';
import { Provisioning } from '../provisioning/provisioning.js';
import { approveAndSeal, type EnrollmentRecord } from '../sync/record-sealer.js';
import { syncHandlers } from '../sync/sync-procedures.js';
import { requestSyncRound } from '../sync/sync-round-job.js';
import { SyncService, type SyncProgressView } from '../sync/sync-service.js';
import { busyReason, UpdateChannel } from '../updates/update-channel.js';
import { updatePassHandler } from '../updates/update-pass-job.js';
import { version } from './project-root.js';
import { settingsHandlers } from './settings-procedures.js';
import { readSettings } from './station-settings.js';
import { StatusBoard } from './status-board.js';
import { systemHandlers } from './system-procedures.js';

/** How often a kiosk that is not provisioned looks for an identity the CLI may have stored. */
const PROVISIONING_POLL_MS = 2_000;

export interface KioskOptions {
  dataDir: string;
  host: 'electron' | 'browser';
  now?: () => Date;
  log?: Log;
  /** Where the kiosk's private keys live; a 0600 file under dataDir unless the host brings its own. */
  keyVault?: KeyVault;
}

export interface Kiosk {
  readonly db: Db;
  readonly dispatcher: RpcDispatcher<Procedures, ScreenSession>;
  readonly status: StatusBoard;
  readonly provisioning: Provisioning;
  /** Background work (sync rounds, slip printing …): runs from open until close() stops it. */
  readonly jobs: JobRunner;
  /** Delivers the outbox; the host starts it (it takes the `sync.round` jobs). */
  readonly sync: SyncService;
  /** Signed updates: checked after sync rounds, downloaded, verified and staged at an idle moment. */
  readonly updates: UpdateChannel;
  /**
   * Seals an approved record and queues it (envelope, outbox row and `record.sealed` audit
   * entry in one transaction); returns once committed. KIOSK_NOT_PROVISIONED before provisioning.
   */
  sealRecord(record: EnrollmentRecord, actor: string): QueuedRecord;
  /** A new screen; `send` delivers contract events to it. */
  openScreen(send: (name: EventName, payload: unknown) => void): ScreenSession;
  /** The screen went away: stop its timers and drop its capture data. */
  closeScreen(screen: ScreenSession): void;
  /** Routes what the devices produce to the screens and the status bar. */
  attachDevices(rig: DeviceRig): void;
  /** Closes the screens, waits for sync and the face worker to stop, then closes the store. */
  close(): Promise<void>;
}

export function openKiosk({ dataDir, host, now = () => new Date(), log = createLog('kiosk'), keyVault }: KioskOptions): Kiosk {
  const vault = keyVault ?? new FileKeyVault(dataDir);
  const db = openKioskDatabase(dataDir, vault);
  const status = new StatusBoard(db, now);
  const provisioning = new Provisioning(db, vault, now);
  const jobs = new JobRunner({ db, log, now });
  const sync = new SyncService({
    db, credentials: () => provisioning.credentials, status, log, now, jobs, afterOnlineRound: () => updates.afterSyncRound(),
  });
  provisioning.on('provisioned', () => requestSyncRound(db, { now: now() }));
  const syncWatchers = new Map<ScreenSession, (progress: SyncProgressView) => void>();
  const settings = () => readSettings(db);
  const idleTimeoutSeconds = () => settings().idleTimeoutSeconds;
  const idleWarningSeconds = () => settings().idleWarningSeconds;
  // Sealing queues the sync round that delivers the record in its own transaction: the job runner wakes by itself.
  const sealRecord = (record: EnrollmentRecord, actor: string): QueuedRecord => approveAndSeal(db, provisioning.require(), record, actor, now());
  const workflow = new EnrollmentWorkflow({
    db, now, settings,
    credentials: () => provisioning.credentials,
    fingers: () => readFingerprintPolicy(db).fingers,
    changed: () => status.changed(),
    log,
  });
  workflow.recover();
  status.attachEnrollments(() => ({ held: workflow.repository.countHeld(), enrollmentBlocked: workflow.gate() }));
  // A technician may provision from the CLI while the kiosk runs: look for it until it is.
  const provisioningWatch = provisioning.watch(PROVISIONING_POLL_MS,
    (error) => log.error('stored provisioning cannot be loaded', { error: error instanceof Error ? error.message : String(error) }));
  provisioning.on('provisioned', () => status.changed());
  const credentialDeps = { db, now, module: () => devices?.fingerprint ?? null };
  const slipOutput = () => {
    const { slipPrinter, slipFolder } = settings();
    return { printer: slipPrinter, folder: slipFolderOf(dataDir, slipFolder) };
  };
  const slips = new SlipPrinting({ db, credentials: () => provisioning.require(), output: slipOutput, jobs });
  jobs.register(slips.handler);
  jobs.start();
  const enrollmentDeps = {
    db, workflow, now, consent: readConsentDocument(), kioskVersion: version, credentials: credentialDeps,
    kioskCredentials: () => provisioning.require(), seal: sealRecord, settings, slips,
  };
  const face = new FaceService();
  let devices: DeviceRig | null = null;
  const deviceTests = new DeviceTests();
  let cameraReported = false;
  const screens = new Map<ScreenSession, (current: ReturnType<StatusBoard['current']>) => void>();
  const updates = new UpdateChannel({
    db, dataDir, log, now, installedVersion: version, credentials: () => provisioning.credentials,
    busy: () => busyReason(workflow.repository.unfinished().length, screens.keys()),
  });
  jobs.register(updatePassHandler(updates));
  const endSessionsOf = (operatorId: number) => {
    for (const screen of screens.keys()) if (screen.operator?.id === operatorId) screen.end('logout');
  };
  const handlers = {
    ...systemHandlers({ db, host, status }),
    ...settingsHandlers(db, now),
    ...authHandlers({ db, now, idleTimeoutSeconds }),
    ...operatorManagementHandlers({ db, now, endSessionsOf, module: () => devices?.fingerprint ?? null, log }),
    ...auditHandlers(db),
    ...enrollmentHandlers(enrollmentDeps),
    ...reviewQueueHandlers(enrollmentDeps),
    ...recordsHandlers(enrollmentDeps),
    ...faceHandlers(workflow, face, now, () => {
      // Called for every camera frame: report the camera once, not a status query per frame.
      if (cameraReported) return;
      cameraReported = true;
      status.setDevice({ kind: 'camera', name: 'Camera', state: 'ready', simulated: false });
    }),
    ...devicesHandlers(() => devices, now),
    ...deviceSetupHandlers({ db, rig: () => devices, status, face, tests: deviceTests }),
    ...fingerprintStepHandlers({ db, workflow, now, module: () => devices?.fingerprint ?? null }),
    ...fingerprintLoginHandlers({ db, now, idleTimeoutSeconds, module: () => devices?.fingerprint ?? null }),
    ...syncHandlers({ db, provisioning, sync, now }),
    ...diagnosticsHandlers({ dataDir, store: { db, databaseKey: () => vault.loadDatabaseKey() }, status, sync, now }),
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
    provisioning,
    jobs,
    sync,
    updates,
    sealRecord,
    openScreen(send) {
      const emit = createEventSink(send);
      const screen = new ScreenSession({ idleTimeoutSeconds, idleWarningSeconds, emit, onIdleExpire });
      const forward = (current: ReturnType<StatusBoard['current']>) => emit('system.statusChanged', current);
      status.on('changed', forward);
      screens.set(screen, forward);
      // Sync progress is for the staff who watch sync, not for a person at the kiosk.
      const watch = (progress: SyncProgressView) => {
        if (screen.role === 'supervisor' || screen.role === 'technician') emit('sync.progress', progress);
      };
      sync.on('progress', watch);
      syncWatchers.set(screen, watch);
      return screen;
    },
    closeScreen(screen) {
      const forward = screens.get(screen);
      if (forward) status.off('changed', forward);
      screens.delete(screen);
      const watch = syncWatchers.get(screen);
      if (watch) sync.off('progress', watch);
      syncWatchers.delete(screen);
      screen.dispose();
    },
    attachDevices(rig) {
      devices = rig;
      // A document read while the technician tests the reader is the test's, not an enrollment's.
      rig.on('reading', (reading) => {
        if (!deviceTests.running('document-reader')) workflow.deliverCapture(captureFromReading(reading));
      });
      rig.on('failure', (error) => {
        if (!deviceTests.running('document-reader')) workflow.deliverFailure(readFailure(error, now()));
      });
      rig.on('status', (device, fault) => status.setDevice(device, fault));
      for (const device of rig.statuses()) status.setDevice(device);
      rig.on('status', loginLibraryCleaner(() => rig.fingerprint, { db, log }));
      const readChipsWith = (chipReader: ChipReaderService | null) =>
        workflow.readChipsWith(chipReader && new DocumentChips(chipReader, workflow, { db, log }));
      rig.on('chipReader', readChipsWith);
      readChipsWith(rig.chipReader);
    },
    async close() {
      clearInterval(provisioningWatch);
      for (const screen of [...screens.keys()]) this.closeScreen(screen);
      await sync.stop();
      // Aborts and awaits the running jobs, an update pass among them (its download resumes next time).
      await jobs.stop();
      await face.close();
      db.close();
    },
  };
}
