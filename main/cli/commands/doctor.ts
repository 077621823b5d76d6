// `gatehouse doctor [--json]`: run the installation checks and exit non-zero when a
// required one fails. JSON carries each check's id, outcome and reason code as well.

import type { Command } from 'commander';
import { doctorPasses } from '../../diagnostics/doctor-check.js';
import { dataDirOf, printJson } from '../cli-context.js';
import { runDoctorChecks } from '../doctor-checks.js';

const MARKS = { ok: 'ok  ', warning: 'warn', failed: 'FAIL' } as const;

export function registerDoctorCommand(program: Command): void {
  program.command('doctor')
    .description('check that this machine can run the kiosk')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const checks = await runDoctorChecks(dataDirOf(command));
      const ok = doctorPasses(checks);
      if (options.json) {
        printJson({ ok, checks });
      } else {
        for (const c of checks) process.stdout.write(`${MARKS[c.outcome]}  ${c.name}: ${c.detail}\n`);
      }
      if (!ok) process.exitCode = 1;
    });
}
