// `gatehouse provision --authority URL --token T`: register this kiosk with the authority
// headless, as the technician screen does: keys generated here, public halves registered,
// private halves committed with the identity in the encrypted store, authority keys pinned;
// prints the key fingerprints. `--recover` repairs a kiosk whose keys and identity disagree
// (main/provisioning/provisioning-recovery.ts says what it can and cannot save).

import type { Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { GatehouseError } from '../../errors.js';
import { recoverProvisioning, type RecoverInput } from '../../provisioning/provisioning-recovery.js';
import { FileKeyVault } from '../../provisioning/key-vault.js';
import { printJson, withDatabase, dataDirOf } from '../cli-context.js';
import { withProvisionedStore } from '../provisioned-store.js';

interface ProvisionOptions {
  authority?: string;
  token?: string;
  name: string;
  json?: boolean;
  recover?: boolean;
  keyFile?: string;
  newIdentity?: boolean;
  undeliveredTo?: string;
}

export function registerProvisionCommand(program: Command): void {
  program.command('provision')
    .description('register this kiosk with the authority using a one-time token, or --recover its keys')
    .option('--authority <url>', 'the authority, e.g. https://authority.example:8443')
    .option('--token <token>', 'one-time token from "gatehouse-authority token create"')
    .option('--name <name>', 'how the authority lists this kiosk', 'Gatehouse kiosk')
    .option('--recover', 'repair a kiosk whose keys are missing or do not match its registration')
    .option('--key-file <file>', 'with --recover: a backup of the kiosk key file (kiosk-keys.json) to import')
    .option('--new-identity', 'with --recover: no key file exists; register anew with --authority and --token')
    .option('--undelivered-to <dir>', 'with --new-identity: folder for the sealed records the old identity never delivered')
    .option('--json', 'print JSON')
    .action(async (options: ProvisionOptions, command: Command) => {
      if (options.recover) return recover(options, command);
      const { authority, token } = requireRegistration(options);
      const status = await withProvisionedStore(command, ({ db, provisioning }) =>
        provisioning.register({ authorityUrl: authority, token, name: options.name }, (store) =>
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

function requireRegistration(options: ProvisionOptions): { authority: string; token: string } {
  if (options.authority === undefined || options.token === undefined) {
    throw new GatehouseError('CLI_INVALID_OPTIONS', 'Give --authority URL and --token T (from "gatehouse-authority token create").');
  }
  return { authority: options.authority, token: options.token };
}

async function recover(options: ProvisionOptions, command: Command): Promise<void> {
  const input: RecoverInput = {
    ...(options.keyFile !== undefined ? { keyFile: options.keyFile } : {}),
    ...(options.newIdentity ? {
      newRegistration: {
        authorityUrl: requireRegistration(options).authority, token: requireRegistration(options).token, name: options.name,
        ...(options.undeliveredTo !== undefined ? { undeliveredTo: options.undeliveredTo } : {}),
      },
    } : {}),
  };
  // Not withProvisionedStore: its credentials check is what fails on a kiosk that needs this.
  const vault = new FileKeyVault(dataDirOf(command));
  const outcome = await withDatabase(command, (db) => recoverProvisioning(db, vault, input, (change) =>
    db.transaction(() => {
      const done = change();
      appendAudit(db, { actor: 'cli', action: 'provisioning.recover', details: { ...done } });
      return done;
    }).immediate(), () => new Date()));
  if (options.json) return printJson(outcome);
  const said = {
    'nothing-to-recover': `kiosk ${outcome.kioskId}: its keys match its registration; nothing to recover`,
    'key-file': `kiosk ${outcome.kioskId}: keys restored from the key file`,
    'new-registration': `registered anew as kiosk ${outcome.kioskId} (was ${outcome.retiredKioskId}); ` +
      `${outcome.undelivered} undelivered records written to ${options.undeliveredTo ?? '-'}, ${outcome.heldUnreadable} held enrollments cannot be opened`,
  }[outcome.how];
  process.stdout.write(`${said}\n`);
}
