// `gatehouse-authority update publish FILE.deb` and `update list`: put a Gatehouse package on the
// update channel with a manifest signed by the update key (kiosks fetch it on their sync
// schedule), and show what is published, with each manifest's expiry.
import type { Command } from 'commander';
import { AuthorityError } from '../../authority-error.js';
import { DEFAULT_UPDATE_EXPIRY_DAYS, listUpdates, publishUpdate } from '../../updates/update-channel.js';
import { json, withAuthority, type CliIo } from '../cli-context.js';

interface PublishOptions {
  minimumVersion?: string;
  expiresIn: string;
  notes?: string;
  json?: boolean;
}

function wholeDays(text: string): number {
  if (!/^[0-9]{1,4}$/.test(text)) {
    throw new AuthorityError(400, 'UPDATE_EXPIRY_INVALID', `--expires-in takes a whole number of days, not "${text}".`);
  }
  return Number(text);
}

export function registerUpdateCommand(program: Command, io: CliIo): void {
  const update = program.command('update').description('the update channel: Gatehouse packages kiosks install');

  update.command('publish <file>')
    .description('publish FILE (a gatehouse_<version>_<arch>.deb) with a manifest signed by the update key')
    .option('--minimum-version <version>', 'the oldest installed version that may install it directly (default: any)')
    .option('--expires-in <days>', 'days until the manifest expires; publish again to renew', String(DEFAULT_UPDATE_EXPIRY_DAYS))
    .option('--notes <text>', 'release notes shown to the technician')
    .option('--json', 'print the signed manifest as JSON')
    .action(async (file: string, options: PublishOptions, command: Command) => {
      const expiresInDays = wholeDays(options.expiresIn);
      const { row, outcome } = await withAuthority(command, (authority) =>
        publishUpdate(authority, file, { minimumVersion: options.minimumVersion, expiresInDays, notes: options.notes }));
      if (options.json) return io.out(json(row.manifest));
      io.out(`${outcome === 'added' ? 'published' : 'renewed'} gatehouse ${row.version} (${row.architecture}) sha256 ${row.sha256}, expires ${row.expiresAt}\n`);
    });

  update.command('list')
    .description('list published packages, newest first')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const rows = await withAuthority(command, listUpdates);
      if (options.json) return io.out(json(rows.map(({ manifest: _manifest, ...row }) => row)));
      for (const r of rows) {
        io.out(`${r.version}  ${r.architecture}  ${r.size} bytes  ${r.sha256}  from ${r.minimumVersion}  expires ${r.expiresAt}\n`);
      }
    });
}
