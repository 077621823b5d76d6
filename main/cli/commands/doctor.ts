// `gatehouse doctor [--json]`: run the installation checks and exit non-zero when a
// required one fails.

import type { Command } from 'commander';
import { dataDirOf, printJson } from '../cli-context.js';
import { runDoctorChecks } from '../doctor-checks.js';

export function registerDoctorCommand(program: Command): void {
  program.command('doctor')
    .description('check that this machine can run the kiosk')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const checks = await runDoctorChecks(dataDirOf(command));
      const ok = checks.every((c) => c.ok || !c.required);
      if (options.json) {
        printJson({ ok, checks });
      } else {
        for (const c of checks) {
          const mark = c.ok ? 'ok  ' : c.required ? 'FAIL' : 'warn';
          process.stdout.write(`${mark}  ${c.name}: ${c.detail}\n`);
        }
      }
      if (!ok) process.exitCode = 1;
    });
}
