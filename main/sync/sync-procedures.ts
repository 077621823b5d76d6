// RPC handlers for the procedures of rpc/procedures/sync.ts: the technician's provisioning
// screen and the supervisor's sync panel (state, "sync now", export bundle, receipt file).

import type { Procedures } from '../rpc/contract.js';
import type { Caller, Handlers } from '../rpc/dispatcher.js';
import type { syncProcedures } from '../rpc/procedures/sync.js';
import type { Provisioning } from '../provisioning/provisioning.js';
import type { Db } from '../store/database.js';
import { markExported } from '../store/outbox.js';
import { writeExportBundle } from './bundle-export.js';
import { readReceiptFile, storeReceiptFile } from './receipts.js';
import type { SyncService } from './sync-service.js';

export interface SyncDeps {
  db: Db;
  provisioning: Provisioning;
  sync: SyncService;
  now: () => Date;
}

export function syncHandlers({ db, provisioning, sync, now }: SyncDeps): Pick<Handlers<Procedures, Caller>, keyof typeof syncProcedures> {
  return {
    'provisioning.status': () => provisioning.status(),
    'provisioning.register': (input, ctx) =>
      provisioning.register(input, (store) => ctx.commit(store, (identity) => ({ kioskId: identity.kioskId, name: identity.name }))),
    'sync.status': () => sync.progress(),
    'sync.now': () => sync.syncNow(),
    'sync.export': async ({ directory }, ctx) => {
      const at = now();
      const bundle = await writeExportBundle(db, provisioning.require(), directory, at);
      ctx.commit(() => markExported(db, bundle.recordIds, bundle.bundleId, at.toISOString()),
        () => ({ bundleId: bundle.bundleId, records: bundle.recordIds.length }));
      sync.queueChanged();
      return { bundleId: bundle.bundleId, file: bundle.file, records: bundle.recordIds.length, bytes: bundle.bytes };
    },
    'sync.importReceipts': ({ file }, ctx) => {
      const read = readReceiptFile(db, provisioning.require(), file);
      const imported = ctx.commit(() => storeReceiptFile(db, read, now()),
        (result) => ({ bundleId: result.bundleId, accepted: result.accepted, alreadyAccepted: result.alreadyAccepted }));
      sync.queueChanged();
      return { accepted: imported.accepted, alreadyAccepted: imported.alreadyAccepted, unknown: imported.unknown };
    },
  };
}
