// `gatehouse operator add|list`: create the first technician (or any operator) from a
// shell during installation, and list who may use this kiosk.

import type { Command } from 'commander';
import { z } from 'zod';
import { appendAudit } from '../../audit/audit-log.js';
import { createOperator, listOperators, toOperatorView } from '../../auth/operator-repository.js';
import { hashPin } from '../../auth/pin-hash.js';
import { GatehouseError } from '../../errors.js';
import { OperatorName, Pin } from '../../rpc/contract.js';
import { ROLES } from '../../rpc/define.js';
import { printJson, withDatabase } from '../cli-context.js';

const AddOptions = z.object({ role: z.enum(ROLES), name: OperatorName, pin: Pin });

export function registerOperatorCommand(program: Command): void {
  const operator = program.command('operator').description('manage the operators of this kiosk');

  operator.command('add')
    .description('create an operator (e.g. the first technician)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .requiredOption('--name <name>', 'login name')
    .requiredOption('--pin <pin>', 'PIN or password, at least 6 characters')
    .option('--json', 'print the operator as JSON')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const parsed = AddOptions.safeParse(raw);
      if (!parsed.success) {
        throw new GatehouseError('CLI_INVALID_OPTIONS', parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const { role, name, pin } = parsed.data;
      const pinHash = await hashPin(pin);
      const created = await withDatabase(command, (db) => db.transaction(() => {
        const row = createOperator(db, { name, role, pinHash }, new Date());
        appendAudit(db, { actor: 'cli', action: 'operator.create', details: { operatorId: row.id, role } });
        return toOperatorView(row, new Date());
      })());
      if (raw.json) printJson(created);
      else process.stdout.write(`created ${created.role} "${created.name}" (id ${created.id})\n`);
    });

  operator.command('list')
    .description('list operators')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const operators = await withDatabase(command, (db) => listOperators(db).map((row) => toOperatorView(row, new Date())));
      if (options.json) return printJson(operators);
      for (const op of operators) {
        const flags = [op.disabled ? 'disabled' : '', op.lockedUntil ? `locked until ${op.lockedUntil}` : ''].filter(Boolean).join(', ');
        process.stdout.write(`${String(op.id).padStart(4)}  ${op.role.padEnd(10)}  ${op.name}${flags ? `  (${flags})` : ''}\n`);
      }
    });
}
