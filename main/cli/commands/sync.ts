// `gatehouse sync --once`: one sync round from the command line (probe, pull documents, deliver
// every due record, push an audit checkpoint, purge), printing what happened, each record not
// delivered with its code; exits 1 when a failure stopped it. The continuous loop runs inside `gatehouse serve`.

import type { Command } from 'commander';
import { GatehouseError } from '../../errors.js';
import { createLog } from '../../log.js';
import { queueSummary } from '../../store/outbox.js';
import { SyncService } from '../../sync/sync-service.js';
import { printJson } from '../cli-context.js';
import { integerOption, withProvisionedStore } from '../provisioned-store.js';

export function registerSyncCommand(program: Command): void {
  program.command('sync')
    .description('deliver the queued records to the authority now')
    .option('--once', 'run one round and exit (required: the continuous loop runs in "gatehouse serve")')
    .option('--timeout <ms>', 'per request to the authority', '30000')
    .option('--json', 'print JSON')
    .action(async (options: { once?: boolean; timeout: string; json?: boolean }, command: Command) => {
      if (!options.once) {
        throw new GatehouseError('CLI_INVALID_OPTIONS', 'Use "gatehouse sync --once"; the kiosk syncs continuously while "gatehouse serve" runs.');
      }
      const timeoutMs = integerOption('--timeout', options.timeout, 100, 600_000);
      const outcome = await withProvisionedStore(command, async ({ db, provisioning }) => {
        if (provisioning.credentials === null) {
          throw new GatehouseError('KIOSK_NOT_PROVISIONED', 'This kiosk is not registered with an authority; run "gatehouse provision" first.');
        }
        const sync = new SyncService({ db, credentials: () => provisioning.credentials, log: createLog('sync'), timeoutMs });
        const round = await sync.runOnce();
        return { ...round, queue: queueSummary(db) };
      });
      if (options.json) printJson(outcome);
      else {
        process.stdout.write(`delivered ${outcome.delivered}, to retry ${outcome.retried}, rejected ${outcome.rejected}, purged ${outcome.purged}; `
          + `${outcome.queue.queued} still waiting\n`);
        for (const record of outcome.outcomes) {
          if (record.outcome !== 'delivered') process.stdout.write(`${record.outcome === 'rejected' ? 'rejected' : 'to retry'} ${record.recordId}: ${record.code}\n`);
        }
        if (outcome.failure) process.stdout.write(`stopped: ${outcome.failure.message}\n`);
      }
      if (outcome.failure) process.exitCode = 1;
    });
}
