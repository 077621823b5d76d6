// `gatehouse-authority envelopes verify|orphans|copy`: check the envelope store (--envelopes)
// against the records — `verify` reads every record's envelope and checks its digest (exit 1 when
// one is missing or damaged); `orphans` lists the envelopes no record names — and `copy --to STORE`
// copies its envelopes into another store, to move to it.
import { CommanderError, type Command } from 'commander';
import { orphanEnvelopes, verifyEnvelopes } from '../../envelopes/envelope-audit.js';
import { copyEnvelopes } from '../../envelopes/envelope-copy.js';
import { openEnvelopeStore } from '../../envelopes/open-envelope-store.js';
import { json, withAuthority, type CliIo } from '../cli-context.js';

export function registerEnvelopesCommand(program: Command, io: CliIo): void {
  const envelopes = program.command('envelopes').description('check the envelope store against the records');
  envelopes.command('verify')
    .description('read every record\'s envelope and check it against its digest')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { store, checked, problems } = await withAuthority(command, async (authority) =>
        ({ store: authority.envelopes.location, ...await verifyEnvelopes(authority) }));
      if (options.json) {
        io.out(json({ store, checked, problems }));
      } else {
        for (const p of problems) io.out(`${p.code}  ${p.kioskId}  ${p.recordId}  ${p.digest}\n`);
        io.out(`${checked} envelopes checked in ${store}; ${problems.length} missing or damaged\n`);
      }
      if (problems.length > 0) throw new CommanderError(1, 'gatehouse-authority.envelopes', 'some envelopes are missing or damaged');
    });
  envelopes.command('orphans')
    .description('list the envelopes no record names (left by an intake that stopped before its record was stored)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { store, orphans } = await withAuthority(command, async (authority) => {
        const found: string[] = [];
        for await (const digest of orphanEnvelopes(authority)) found.push(digest);
        return { store: authority.envelopes.location, orphans: found };
      });
      if (options.json) return io.out(json({ store, orphans }));
      for (const digest of orphans) io.out(`${digest}\n`);
      io.out(`${orphans.length} envelopes in ${store} named by no record\n`);
    });
  envelopes.command('copy')
    .description('copy every envelope the store in use holds into another store (then serve with --envelopes STORE)')
    .requiredOption('--to <store>', 'the store to copy into: db, file:DIR or s3://bucket/prefix')
    .option('--json', 'print JSON')
    .action(async (options: { to: string; json?: boolean }, command: Command) => {
      const outcome = await withAuthority(command, async (authority) => {
        const target = await openEnvelopeStore(options.to, authority.repository, authority.clock);
        try {
          return { from: authority.envelopes.location, to: target.location, ...await copyEnvelopes(authority.envelopes, target) };
        } finally {
          await target.close();
        }
      });
      if (options.json) return io.out(json(outcome));
      io.out(`${outcome.copied} envelopes copied from ${outcome.from} to ${outcome.to}; ${outcome.present} were there already\n`);
    });
}
