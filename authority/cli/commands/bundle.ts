// `gatehouse-authority bundle import FILE`: ingest a kiosk's offline export bundle with the same
// per-record idempotency as uploads, and write the receipts (--receipts OUT.json) for the
// supervisor to carry back to the kiosk. Exits 1 when any record was refused or damaged.
import { writeFile } from 'node:fs/promises';
import { CommanderError, type Command } from 'commander';
import { importBundle } from '../../bundle-import.js';
import { json, withAuthority, type CliIo } from '../cli-context.js';

export function registerBundleCommand(program: Command, io: CliIo): void {
  program.command('bundle').description('offline export bundles')
    .command('import <file>')
    .description('import the sealed records of an export bundle')
    .option('--receipts <file>', 'write the signed receipts of the records held from this bundle to FILE')
    .option('--json', 'print the outcome as JSON')
    .action(async (file: string, options: { receipts?: string; json?: boolean }, command: Command) => {
      const outcome = await withAuthority(command, (authority) => importBundle(authority, file));
      if (options.receipts) await writeFile(options.receipts, json(outcome.receipts));
      const summary = {
        bundleId: outcome.bundleId,
        kioskId: outcome.kioskId,
        stored: outcome.stored.length,
        duplicates: outcome.duplicates.length,
        refused: outcome.refused,
        receipts: options.receipts ?? null,
      };
      if (options.json) {
        io.out(json(summary));
      } else {
        io.out(`bundle ${summary.bundleId} from kiosk ${summary.kioskId}: ${summary.stored} stored, ${summary.duplicates} already held, `
          + `${summary.refused.length} refused${options.receipts ? `; receipts in ${options.receipts}` : ''}\n`);
        for (const r of outcome.refused) io.out(`  refused ${r.recordId}: ${r.message} (${r.code})\n`);
      }
      if (outcome.refused.length > 0) throw new CommanderError(1, 'gatehouse-authority.refused', 'some records were refused');
    });
}
