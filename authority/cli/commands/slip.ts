// `gatehouse-authority slip verify PAYLOAD [--json]`: is a scanned acknowledgement slip genuine?
// Exits 0 when it is, 1 when it is not (saying why, with a code), 2 when the command itself is
// wrong — so a script can tell a forged slip from a mistyped command.
import { CommanderError, type Command } from 'commander';
import { verifySlipAtAuthority } from '../../slip-verification.js';
import { json, withAuthority, type CliIo } from '../cli-context.js';

export function registerSlipCommand(program: Command, io: CliIo): void {
  program.command('slip').description('acknowledgement slips')
    .command('verify')
    .description('check a slip\'s QR payload (GHS1:…): signed by a registered, unrevoked kiosk, for a record held with that digest')
    .argument('<payload>', 'the text the QR code carries')
    .option('--json', 'print the verdict as JSON')
    .addHelpText('after', '\nExit status: 0 genuine, 1 not genuine (the reason and its code are printed), 2 usage error.')
    .action(async (payload: string, options: { json?: boolean }, command: Command) => {
      const verdict = await withAuthority(command, (authority) => verifySlipAtAuthority(authority, payload));
      if (options.json) {
        io.out(json(verdict));
      } else if (verdict.genuine) {
        io.out(`genuine: ${verdict.number}, sealed ${verdict.sealedAt} at kiosk ${verdict.kioskCode} (${verdict.kioskName}); record ${verdict.recordId} is ${verdict.state}\n`);
      } else {
        io.out(`NOT genuine: ${verdict.message} (${verdict.code})\n`);
      }
      if (!verdict.genuine) throw new CommanderError(1, 'gatehouse-authority.slip-not-genuine', verdict.message);
    });
}
