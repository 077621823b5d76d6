// `gatehouse-authority token create`: a one-time provisioning token for registering one kiosk,
// valid for --ttl seconds. Only its hash is stored; the token itself is printed once.
import type { Command } from 'commander';
import { AuthorityError } from '../../authority-error.js';
import { createProvisioningToken } from '../../registration.js';
import { json, withAuthority, type CliIo } from '../cli-context.js';

export function registerTokenCommand(program: Command, io: CliIo): void {
  program.command('token').description('provisioning tokens for kiosk registration')
    .command('create')
    .description('create a one-time provisioning token')
    .option('--ttl <seconds>', 'how long the token stays valid', '3600')
    .option('--json', 'print the token and its expiry as JSON')
    .action(async (options: { ttl: string; json?: boolean }, command: Command) => {
      const ttl = Number(options.ttl);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 24 * 3600) {
        throw new AuthorityError(400, 'CLI_INVALID_OPTIONS', `--ttl must be a whole number of seconds from 1 to 2592000 (30 days), not "${options.ttl}".`);
      }
      const created = await withAuthority(command, (authority) => createProvisioningToken(authority, ttl));
      io.out(options.json ? json(created) : `${created.token}\n`);
    });
}
