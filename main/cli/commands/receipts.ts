// `gatehouse receipts import FILE`: take in the receipt file the authority wrote for an export
// bundle; every receipt is verified against the pinned authority key before any is stored.

import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { readReceiptFile, storeReceiptFile } from '../../sync/receipts.js';
import { printJson } from '../cli-context.js';
import { withProvisionedStore } from '../provisioned-store.js';

export function registerReceiptsCommand(program: Command): void {
  program.command('receipts').description("the authority's receipts for exported bundles")
    .command('import')
    .description('import a receipt file; records with a verified receipt leave the queue')
    .argument('<file>', 'receipt file from "gatehouse-authority bundle import"')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }, command: Command) => {
      const imported = await withProvisionedStore(command, ({ db, provisioning }) => {
        const read = readReceiptFile(db, provisioning.require(), file);
        return db.transaction(() => {
          const result = storeReceiptFile(db, read, new Date());
          appendAudit(db, { actor: 'cli', action: 'receipts.imported', details: { bundleId: result.bundleId, accepted: result.accepted, alreadyAccepted: result.alreadyAccepted } });
          return result;
        }).immediate();
      });
      if (options.json) printJson(imported);
      else process.stdout.write(`${imported.accepted} records accepted, ${imported.alreadyAccepted} already accepted, ${imported.unknown} unknown here\n`);
    });
}
