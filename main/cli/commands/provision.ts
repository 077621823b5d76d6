// `gatehouse provision --authority URL --token T`: register this kiosk with the authority
// headless, as the technician screen does: keys generated here, public halves registered,
// private halves in the key file, authority keys pinned; prints the key fingerprints.

import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { printJson } from '../cli-context.js';
import { withProvisionedStore } from '../provisioned-store.js';

interface ProvisionOptions {
  authority: string;
  token: string;
  name: string;
  json?: boolean;
}

export function registerProvisionCommand(program: Command): void {
  program.command('provision')
    .description('register this kiosk with the authority using a one-time token')
    .requiredOption('--authority <url>', 'the authority, e.g. https://authority.example:8443')
    .requiredOption('--token <token>', 'one-time token from "gatehouse-authority token create"')
    .option('--name <name>', 'how the authority lists this kiosk', 'Gatehouse kiosk')
    .option('--json', 'print JSON')
    .action(async (options: ProvisionOptions, command: Command) => {
      const status = await withProvisionedStore(command, ({ db, provisioning }) =>
        provisioning.register({ authorityUrl: options.authority, token: options.token, name: options.name }, (store) =>
          db.transaction(() => {
            const identity = store();
            appendAudit(db, { actor: 'cli', action: 'provisioning.register', details: { kioskId: identity.kioskId, name: identity.name } });
            return identity;
          }).immediate()));
      if (options.json) return printJson(status);
      process.stdout.write(`registered as kiosk ${status.kioskId} with ${status.authorityUrl}\n`);
      for (const [key, id] of Object.entries(status.fingerprints ?? {})) process.stdout.write(`  ${key.padEnd(16)} ${id}\n`);
    });
}
