// RPC handlers for rpc/procedures/diagnostics.ts: a diagnostics run over the kiosk's own store
// and devices with each check's progress sent to the screen that asked, the USB sticks
// mounted, and the support bundle (a fresh run, the settings, the log lines this process keeps)
// written to one of them and audited once it is on the stick.

import path from 'node:path';
import type { ScreenSession } from '../auth/screen-session.js';
import type { StationStore } from '../cli/station-checks.js';
import type { StatusBoard } from '../kiosk/status-board.js';
import { recentLogLines } from '../log.js';
import type { Procedures } from '../rpc/contract.js';
import type { Handlers } from '../rpc/dispatcher.js';
import type { diagnosticsProcedures } from '../rpc/procedures/diagnostics.js';
import type { SyncService } from '../sync/sync-service.js';
import { runDiagnostics, type DiagnosticsSources } from './diagnostics-run.js';
import { writeSupportBundle } from './support-bundle.js';
import { findUsbFolders, type UsbFolderView } from './usb-folders.js';

export interface DiagnosticsDeps {
  dataDir: string;
  store: StationStore;
  status: StatusBoard;
  sync: SyncService;
  now: () => Date;
  /** The mounted USB sticks; /proc/mounts and /sys unless a test brings its own. */
  usbFolders?: () => UsbFolderView[];
}

export function diagnosticsHandlers(deps: DiagnosticsDeps): Pick<Handlers<Procedures, ScreenSession>, keyof typeof diagnosticsProcedures> {
  const sources: DiagnosticsSources = {
    dataDir: deps.dataDir,
    store: deps.store,
    devices: () => deps.status.diagnoses(),
    sync: () => deps.sync.progress(),
    now: deps.now,
  };
  const run = (screen: ScreenSession) => runDiagnostics(sources, (checks) => screen.emit('diagnostics.progress', { checks }));
  return {
    'diagnostics.run': (_input, ctx) => run(ctx.caller),
    'diagnostics.usbFolders': () => (deps.usbFolders ?? findUsbFolders)(),
    'diagnostics.writeSupportBundle': async ({ folder }, ctx) => {
      const report = await run(ctx.caller);
      const written = writeSupportBundle(folder, { db: deps.store.db, report, log: { source: 'kiosk', lines: recentLogLines() }, now: deps.now() });
      // Audited once the file is on the stick: the entry records what was written, not what was meant to be.
      return ctx.commit(() => written, ({ file, bytes }) => ({ file: path.basename(file), bytes }));
    },
  };
}
