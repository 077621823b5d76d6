// `gatehouse-authority status NUMBER [--json]`: where a record stands, found by the enrollment
// number on the person's slip — which kiosk sent it, when it was received, its state, the reason,
// and every change so far.
import type { Command } from 'commander';
import { recordProcessingStatus } from '../../record-processing.js';
import { json, withAuthority, type CliIo } from '../cli-context.js';

export function registerStatusCommand(program: Command, io: CliIo): void {
  program.command('status')
    .description('show the processing state and history of a record by its enrollment number')
    .argument('<number>', 'the enrollment number, as on the slip (any case, hyphens optional)')
    .option('--json', 'print JSON')
    .action(async (number: string, options: { json?: boolean }, command: Command) => {
      const status = await withAuthority(command, (authority) => recordProcessingStatus(authority, number));
      if (options.json) return io.out(json(status));
      io.out(`${status.number}  record ${status.recordId}  ${status.kind}\n`
        + `  from kiosk ${status.kioskCode} (${status.kioskName}, ${status.kioskId}), received ${status.receivedAt}\n`
        + `  ${status.state}${status.reason === null ? '' : `: ${status.reason}`}${status.decidedAt === null ? '' : ` (decided ${status.decidedAt})`}\n`);
      for (const change of status.history) io.out(`  #${change.seq}  ${change.at}  ${change.state}${change.reason === null ? '' : `: ${change.reason}`}\n`);
    });
}
