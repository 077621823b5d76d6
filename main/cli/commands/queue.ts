// `gatehouse queue`: the outbox as it stands: counts, oldest waiting record, next attempt,
// and the records themselves (ids, sizes, digests, states; never their content); and the
// enrollments held for a supervisor's review (ids, flows, times, reasons; never their content).

import type { Command } from 'commander';
import { EnrollmentRepository } from '../../enrollment/enrollment-repository.js';
import { GatehouseError } from '../../errors.js';
import { listOutbox, queueSummary, type OutboxEntry } from '../../store/outbox.js';
import { printJson, withDatabase } from '../cli-context.js';
import { integerOption } from '../provisioned-store.js';

const STATES: ReadonlyArray<OutboxEntry['state']> = ['queued', 'sending', 'accepted', 'rejected'];

export function registerQueueCommand(program: Command): void {
  program.command('queue')
    .description('show the outbox of sealed records waiting for the authority, and the enrollments held for review')
    .option('--state <state>', `only records in this state (${STATES.join(', ')})`)
    .option('--limit <n>', 'list at most this many records', '100')
    .option('--json', 'print JSON')
    .action(async (options: { state?: string; limit: string; json?: boolean }, command: Command) => {
      const limit = integerOption('--limit', options.limit, 0, 1_000_000);
      const state = options.state as OutboxEntry['state'] | undefined;
      if (state !== undefined && !STATES.includes(state)) {
        throw new GatehouseError('CLI_INVALID_OPTIONS', `--state must be one of ${STATES.join(', ')}, not "${options.state}".`);
      }
      const queue = await withDatabase(command, (db) => ({
        summary: queueSummary(db),
        records: listOutbox(db, { state, limit }),
        held: new EnrollmentRepository(db).listHeld(),
      }));
      if (options.json) return printJson(queue);
      const { summary } = queue;
      process.stdout.write(`waiting ${summary.queued} (exported ${summary.exported}), accepted ${summary.accepted}, rejected ${summary.rejected}\n`);
      if (summary.oldestQueuedAt) process.stdout.write(`oldest waiting since ${summary.oldestQueuedAt}, next attempt ${summary.nextAttemptAt}\n`);
      for (const r of queue.records) {
        process.stdout.write(`${r.recordId}  ${r.state.padEnd(8)}  ${String(r.size).padStart(9)} B  attempts ${r.attempts}${r.lastError ? `  ${r.lastError}` : ''}\n`);
      }
      process.stdout.write(`held for review ${queue.held.length}\n`);
      for (const h of queue.held) process.stdout.write(`${h.id}  ${h.flow.padEnd(7)}  held ${h.heldAt}  ${h.reasons.join(', ')}\n`);
    });
}
