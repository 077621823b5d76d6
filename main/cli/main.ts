// The `gatehouse` command for technicians and scripts. Each subcommand lives in its
// own module under commands/; errors with a code print as one clear line (or JSON).

import { Command, CommanderError } from 'commander';
import { DeviceError } from '../../native/device-error.js';
import { GatehouseError } from '../errors.js';
import { version } from '../kiosk/project-root.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerChipCommand } from './commands/chip.js';
import { registerDevicesCommand } from './commands/devices.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerFaceCommand } from './commands/face.js';
import { registerKioskWindowCommand } from './commands/kiosk-window.js';
import { registerJobsCommand } from './commands/jobs.js';
import { registerMrzCommand } from './commands/mrz.js';
import { registerOperatorCommand } from './commands/operator.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSimCommand } from './commands/sim.js';
import { registerExportCommand } from './commands/export.js';
import { registerProvisionCommand } from './commands/provision.js';
import { registerQueueCommand } from './commands/queue.js';
import { registerReceiptsCommand } from './commands/receipts.js';
import { registerRecordsCommand } from './commands/records.js';
import { registerSettingsCommand } from './commands/settings.js';
import { registerSlipCommand } from './commands/slip.js';
import { registerSyncCommand } from './commands/sync.js';
import { registerSupportBundleCommand } from './commands/support-bundle.js';
import { registerTrustCommand } from './commands/trust.js';

export function buildProgram(): Command {
  const program = new Command('gatehouse')
    .description('Gatehouse identity-enrollment kiosk')
    .version(version)
    .option('--data <dir>', 'data directory (default: $GATEHOUSE_DATA or ~/.local/share/gatehouse)')
    .exitOverride();
  registerServeCommand(program);
  registerKioskWindowCommand(program);
  registerOperatorCommand(program);
  registerAuditCommand(program);
  registerDoctorCommand(program);
  registerMrzCommand(program);
  registerFaceCommand(program);
  registerSimCommand(program);
  registerProvisionCommand(program);
  registerSyncCommand(program);
  registerSupportBundleCommand(program);
  registerQueueCommand(program);
  registerJobsCommand(program);
  registerExportCommand(program);
  registerReceiptsCommand(program);
  registerRecordsCommand(program);
  registerSlipCommand(program);
  registerSettingsCommand(program);
  registerTrustCommand(program);
  registerChipCommand(program);
  registerDevicesCommand(program);
  return program;
}

/** Runs a program built by buildProgram (the development CLI adds its tools to it first). */
export async function main(argv: string[], program: Command = buildProgram()): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
    } else if (error instanceof GatehouseError || error instanceof DeviceError) {
      const wantsJson = argv.includes('--json');
      const body = { error: { code: error.code, message: error.message, details: error.details } };
      if (wantsJson) process.stdout.write(`${JSON.stringify(body)}\n`);
      else process.stderr.write(`gatehouse: ${error.message} (${error.code})\n`);
      process.exitCode = 2;
    } else {
      throw error;
    }
  }
}
