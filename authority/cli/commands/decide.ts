// `gatehouse-authority decide NUMBER accepted|rejected|in-review [--reason TEXT]`: an operator's
// decision on a record, found by the enrollment number on the person's slip; the kiosk that sent
// the record learns it on its next status pull.
import { Argument, type Command } from 'commander';
import { DECISIONS, decideRecord, MAX_REASON_LENGTH, type Decision } from '../../record-processing.js';
import { json, withAuthority, type CliIo } from '../cli-context.js';

const RULES = `
Rules:
  rejected needs --reason (at most ${MAX_REASON_LENGTH} characters; the kiosk shows it); accepted takes none; in-review may have one.
  A received or in-review record can be taken into review, accepted or rejected.
  An accepted or rejected record can be decided again the other way (a correction; both stay in
  its history), but never goes back to in-review.
  The same decision with the same reason again changes nothing.
  A mistyped number is refused by its check characters; a number not held exits 2 (RECORD_NUMBER_UNKNOWN).`;

export function registerDecideCommand(program: Command, io: CliIo): void {
  program.command('decide')
    .description('decide on a record by its enrollment number')
    .argument('<number>', 'the enrollment number, as on the slip (any case, hyphens optional)')
    .addArgument(new Argument('<state>', 'the decision').choices(DECISIONS))
    .option('--reason <text>', 'why (required for rejected)')
    .option('--json', 'print the record status as JSON')
    .addHelpText('after', RULES)
    .action(async (number: string, state: Decision, options: { reason?: string; json?: boolean }, command: Command) => {
      const { changed, status } = await withAuthority(command, (authority) => decideRecord(authority, number, state, options.reason));
      if (options.json) return io.out(json({ changed, ...status }));
      const why = status.reason === null ? '' : ` (${status.reason})`;
      io.out(changed ? `${status.number}: ${status.state}${why}\n` : `${status.number}: already ${status.state}${why}; nothing changed\n`);
    });
}
