// `gatehouse records`: where each record of this kiosk is — number, time, kind, state (held for
// review → sealed → sent → received by the authority → decided), the authority's decision and
// when. Numbers and states only: no names, no content.

import type { Command } from 'commander';
import { listRecords, startOfKioskDay } from '../../records/record-list.js';
import { printJson, withDatabase } from '../cli-context.js';

export function registerRecordsCommand(program: Command): void {
  program.command('records')
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
}
