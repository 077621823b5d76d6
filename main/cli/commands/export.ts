// `gatehouse export --to DIR`: write every record waiting for the authority into one bundle
// signed by the kiosk key, for a supervisor to carry over; the records stay queued until their
// receipts come back (by sync, or with `gatehouse receipts import`).

import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { markExported } from '../../store/outbox.js';
import { writeExportBundle } from '../../sync/bundle-export.js';
import { printJson } from '../cli-context.js';
import { withProvisionedStore } from '../provisioned-store.js';

export function registerExportCommand(program: Command): void {
  program.command('export')
    .description('export the queued sealed records as one signed bundle into a folder')
    .requiredOption('--to <dir>', 'the folder to write the bundle into (e.g. a USB stick)')
    .option('--json', 'print JSON')
    .action(async (options: { to: string; json?: boolean }, command: Command) => {
      const exported = await withProvisionedStore(command, async ({ db, provisioning }) => {
        const at = new Date();
        const bundle = await writeExportBundle(db, provisioning.require(), options.to, at);
        db.transaction(() => {
          markExported(db, bundle.recordIds, bundle.bundleId, at.toISOString());
          appendAudit(db, { actor: 'cli', action: 'records.exported', details: { bundleId: bundle.bundleId, records: bundle.recordIds.length }, at });
        }).immediate();
        return { bundleId: bundle.bundleId, file: bundle.file, records: bundle.recordIds.length, bytes: bundle.bytes };
      });
      if (options.json) printJson(exported);
      else process.stdout.write(`exported ${exported.records} records (${exported.bytes} bytes) to ${exported.file}\n`);
    });
}
