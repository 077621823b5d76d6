// `gatehouse enroll --synthetic N`: seal and queue N synthetic records of realistic size
// (≈ 300 KB: portraits, finger images, templates, JSON), each in its own transaction as an
// approved enrollment is, for load tests and benchmarks. Each record is acknowledged on stdout
// (`sealed ID NUMBER SIZE DIGEST`) as soon as its transaction has committed, so a run that is
// killed loses at most the record in flight; `--json` prints only the summary at the end.

import type { Command } from 'commander';
import { GatehouseError } from '../../../main/errors.js';
import type { QueuedRecord } from '../../../main/store/outbox.js';
import { approveAndSeal } from '../../../main/sync/record-sealer.js';
import { syntheticRecord } from '../../records/synthetic-records.js';
import { printJson } from '../../../main/cli/cli-context.js';
import { integerOption, withProvisionedStore } from '../../../main/cli/provisioned-store.js';

/** One committed record as `enroll` acknowledges it: a line a script can split on spaces. */
export const sealedLine = (queued: QueuedRecord): string =>
  `sealed ${queued.recordId} ${queued.number ?? '-'} ${queued.size} ${queued.digest}\n`;

export function registerEnrollCommand(program: Command): void {
  program.command('enroll')
    .description('seal and queue records without a person at the kiosk (load tests)')
    .requiredOption('--synthetic <count>', 'how many synthetic records to seal and queue')
    .option('--small', 'records of a few hundred bytes instead of ≈ 300 KB')
    .option('--json', 'print only a JSON summary at the end (no line per record)')
    .action(async (options: { synthetic: string; small?: boolean; json?: boolean }, command: Command) => {
      const count = integerOption('--synthetic', options.synthetic, 1, 1_000_000);
      const queued = await withProvisionedStore(command, ({ db, provisioning }) => {
        const credentials = provisioning.credentials;
        if (credentials === null) {
          throw new GatehouseError('KIOSK_NOT_PROVISIONED', 'Records are sealed to the authority, so provision the kiosk first ("gatehouse provision").');
        }
        let bytes = 0;
        for (let index = 1; index <= count; index += 1) {
          const sealed = approveAndSeal(db, credentials, syntheticRecord(index, options.small ? 'small' : 'realistic'), 'cli');
          bytes += sealed.size;
          // Written after the commit; stdout to a pipe or file is synchronous on Linux, so the
          // line has left the process before the next record starts.
          if (!options.json) process.stdout.write(sealedLine(sealed));
        }
        return { queued: count, bytes };
      });
      if (options.json) printJson(queued);
      else process.stdout.write(`sealed and queued ${queued.queued} synthetic records (${queued.bytes} bytes)\n`);
    });
}
