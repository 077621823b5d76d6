// `gatehouse audit verify`: recompute the audit hash chain from the database file and
// name the first entry that does not check out (exit 1), for supervisors and scripts.

import type { Command } from 'commander';
import { verifyAudit } from '../../audit/audit-verify.js';
import { printJson, withDatabase } from '../cli-context.js';

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit.command('verify')
    .description('check every audit entry and the chain between them')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const result = await withDatabase(command, (db) => verifyAudit(db));
      if (options.json) printJson(result);
      else if (result.ok) process.stdout.write(`audit log intact: ${result.entries} entries\n`);
      else process.stdout.write(`AUDIT LOG BROKEN at entry ${result.firstBroken.seq}: ${result.firstBroken.message}\n`);
      if (!result.ok) process.exitCode = 1;
    });
}
