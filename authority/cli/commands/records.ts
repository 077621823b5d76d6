// `gatehouse-authority records`: what the authority holds — each record's id, enrollment number,
// processing state, kiosk, kind, size, digest and time of receipt — and the counts of records,
// kiosks, open uploads and checkpoints.
import type { Command } from 'commander';
import { json, withAuthority, type CliIo } from '../cli-context.js';

export function registerRecordsCommand(program: Command, io: CliIo): void {
  program.command('records')
    .description('list the records held')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { records, counts } = await withAuthority(command, async ({ repository }) => {
        // Record ids are per kiosk: the same id from two kiosks is two records.
        const key = (row: { kioskId: string; recordId: string }) => `${row.kioskId}/${row.recordId}`;
        const states = new Map((await repository.latestStatusChanges()).map((change) => [key(change), change.state]));
        return {
          records: (await repository.listRecords()).map(({ receipt: _receipt, ...record }) => ({ ...record, state: states.get(key(record))! })),
          counts: await repository.counts(),
        };
      });
      if (options.json) return io.out(json({ records, counts }));
      for (const r of records) {
        io.out(`${r.recordId}  ${r.number ?? '-'}  ${r.state}  ${r.kioskId}  ${r.kind}  ${r.size}  ${r.receivedAt}  ${r.digest}\n`);
      }
      io.out(`${counts.records} records from ${counts.kiosks} kiosks (${counts.revokedKiosks} revoked); `
        + `${counts.openUploads} open uploads; ${counts.checkpoints} audit checkpoints\n`);
    });
}
