// The `gatehouse-authority` command: serve the /v1 API, make provisioning tokens, list and revoke
// kiosks, list the records held, decide on records and show their status by enrollment number,
// verify slips, publish station configuration and operators, import offline bundles, and publish updates. A
// refusal prints one line (JSON with --json) and exits 2, as does a usage error.
import { Command, CommanderError } from 'commander';
import { AuthorityError } from '../authority-error.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import { processIo, type CliIo } from './cli-context.js';
import { registerBundleCommand } from './commands/bundle.js';
import { registerDecideCommand } from './commands/decide.js';
import { registerEnvelopesCommand } from './commands/envelopes.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerKioskCommand } from './commands/kiosk.js';
import { registerPublishCommands } from './commands/publish.js';
import { registerRecordsCommand } from './commands/records.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSlipCommand } from './commands/slip.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTokenCommand } from './commands/token.js';
import { registerUpdateCommand } from './commands/update.js';

function buildProgram(io: CliIo): Command {
  const program = new Command('gatehouse-authority')
    .description('Gatehouse reference authority: the service kiosks deliver sealed records to')
    .option('--data <dir>', 'directory for the authority keys and SQLite store (default: $GATEHOUSE_AUTHORITY_DATA)')
    .option('--database <url>', 'postgres://… to keep the store in PostgreSQL instead (default: $GATEHOUSE_AUTHORITY_DATABASE)')
    .option('--envelopes <store>', 'where sealed envelopes are kept: db, file:DIR or s3://bucket/prefix (default: $GATEHOUSE_AUTHORITY_ENVELOPES, else db)')
    .option('--kek-file <file>', 'the key-encryption key (base64, mode 0600) that opens the authority keys (default: $GATEHOUSE_AUTHORITY_KEK, else DIR/authority-kek)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerServeCommand(program, io);
  registerKeysCommand(program, io);
  registerTokenCommand(program, io);
  registerKioskCommand(program, io);
  registerRecordsCommand(program, io);
  registerDecideCommand(program, io);
  registerStatusCommand(program, io);
  registerSlipCommand(program, io);
  registerPublishCommands(program, io);
  registerBundleCommand(program, io);
  registerEnvelopesCommand(program, io);
  registerUpdateCommand(program, io);
  return program;
}

/** Commander's own refusals of a command line (unknown option, missing argument, …); exit 1 is kept for "not so" answers. */
const isUsageError = (error: CommanderError): boolean => error.code.startsWith('commander.') && error.exitCode !== 0;

/** Runs the command line `argv` (as in process.argv); resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return isUsageError(error) ? 2 : error.exitCode;
    if (error instanceof AuthorityError || error instanceof ProtocolError) {
      const body = { error: { code: error.code, message: error.message, details: error.details } };
      io.err(argv.includes('--json') ? `${JSON.stringify(body)}\n` : `gatehouse-authority: ${error.message} (${error.code})\n`);
      return 2;
    }
    throw error;
  }
}
