// `gatehouse records`: where each record of this kiosk is — number, time, kind, state (held for
// review → sealed → sent → received by the authority → decided), the authority's decision and
// when. Numbers and states only: no names, no content. `gatehouse records requeue ID` queues a
// record the authority refused for good once more, audited with its refusal.

import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { listRecords, startOfKioskDay } from '../../records/record-list.js';
import { outboxRecordId, requeueRejectedRecord } from '../../sync/record-requeue.js';
import { printJson, withDatabase } from '../cli-context.js';

export function registerRecordsCommand(program: Command): void {
  const records = program.command('records')
    .description("show where this kiosk's records are: sealed, sent, received, decided")
    .option('--today', "only today's (the kiosk's calendar day)")
    .option('--json', 'print JSON')
    .action(async (options: { today?: boolean; json?: boolean }, command: Command) => {
      const records = await withDatabase(command, (db) => listRecords(db, { since: options.today ? startOfKioskDay(new Date()) : null })
        .map(({ number, at, flow, state, ahead, decision, reason, decidedAt }) => ({ number, at, flow, state, ahead, decision, reason, decidedAt })));
      if (options.json) return printJson({ records });
      for (const r of records) {
        const decided = r.decision ? `  ${r.decision} ${r.decidedAt ?? ''}` : '';
        process.stdout.write(`${(r.number ?? '—').padEnd(18)}  ${r.at}  ${r.flow.padEnd(7)}  ${r.state}${decided}\n`);
      }
    });

  records.command('requeue')
    .description('queue a record the authority refused for good once more (after its cause was looked into)')
    .argument('<id>', 'the record id or its enrollment number')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      const requeued = await withDatabase(command, (db) => db.transaction(() => {
        const at = new Date();
        const done = requeueRejectedRecord(db, outboxRecordId(db, id), at);
        appendAudit(db, { actor: 'cli', action: 'record.requeued', details: { recordId: done.recordId, number: done.number, code: done.code, reason: done.reason }, at });
        return done;
      }).immediate());
      if (command.optsWithGlobals<{ json?: boolean }>().json) return printJson({ recordId: requeued.recordId, number: requeued.number });
      process.stdout.write(`record ${requeued.number ?? requeued.recordId} is queued again; the kiosk's sync sends it\n`);
    });
}
