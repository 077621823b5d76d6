// `gatehouse-authority kiosk list|revoke`: who is registered (with each kiosk's code), and cutting off a kiosk that is lost
// or retired (its requests get 403 from then on; its records already held stay).
import type { Command } from 'commander';
import { revokeKiosk } from '../../registration.js';
import { json, withAuthority, type CliIo } from '../cli-context.js';

export function registerKioskCommand(program: Command, io: CliIo): void {
  const kiosk = program.command('kiosk').description('registered kiosks');

  kiosk.command('list')
    .description('list registered kiosks')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const kiosks = await withAuthority(command, (authority) => authority.repository.listKiosks());
      if (options.json) return io.out(json(kiosks));
      for (const k of kiosks) io.out(`${k.code}  ${k.id}  ${k.registeredAt}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  ${k.name}\n`);
    });

  kiosk.command('revoke <kioskId>')
    .description('revoke a kiosk: its signature is no longer accepted')
    .action(async (kioskId: string, _options: unknown, command: Command) => {
      await withAuthority(command, (authority) => revokeKiosk(authority, kioskId));
      io.out(`revoked kiosk ${kioskId}\n`);
    });
}
