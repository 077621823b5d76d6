// `gatehouse-update`: the privileged update installer's command, apart from the `gatehouse` CLI so
// that what runs as root loads only the installer (no devices, face models or web server) and its
// whole code is in memory before dpkg replaces the files under it.
//   apply    what gatehouse-update.service runs (when the kiosk stages an update, and at boot):
//            finish or roll back an interrupted attempt, then install what is staged
//   status   what the installer is doing and did (anyone may read it)
//   pin-key  pin, for root, the update key the kiosk pinned at provisioning

import { Command, CommanderError } from 'commander';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { GatehouseError } from '../../errors.js';
import { updateFolders } from '../staged-update.js';
import { Dpkg } from './dpkg.js';
import { installerFolders, INSTALLER_STATE_DIR, ensureInstallerFolders } from './installer-folders.js';
import { readInstallerStatus, type InstallerStatus } from './installer-status.js';
import { SystemdKiosk, systemdIsRunning } from './kiosk-services.js';
import { kioskPinnedUpdateKey, pinUpdateKey } from './pinned-update-key.js';
import { UpdateInstaller } from './update-installer.js';

/** The packaged kiosk's data folder (gatehouse.service's). */
export const PACKAGED_DATA_DIR = '/var/lib/gatehouse';

interface Folders {
  data: string;
  state: string;
}

export function buildInstallerProgram(): Command {
  const program = new Command('gatehouse-update')
    .description('Gatehouse\'s privileged update installer')
    .option('--data <dir>', 'the kiosk\'s data folder', PACKAGED_DATA_DIR)
    .option('--state <dir>', 'the installer\'s own state folder', INSTALLER_STATE_DIR)
    .exitOverride();

  program.command('apply')
    .description('finish or roll back an interrupted update, then install the update the kiosk staged (root; systemd)')
    .action(async (_options: object, command: Command) => {
      const { data, state } = command.optsWithGlobals<Folders>();
      requireRoot('apply');
      if (!systemdIsRunning()) {
        throw new GatehouseError('UPDATE_NO_SERVICE_MANAGER',
          'gatehouse-update apply restarts and watches the kiosk\'s systemd units, and systemd does not run this machine; nothing was done.');
      }
      const folders = installerFolders(state);
      const eventsBefore = readInstallerStatus(folders.statusFile)?.lastSeq ?? 0;
      const installer = new UpdateInstaller({
        folders,
        stagedDir: updateFolders(data).staged,
        system: { dpkg: new Dpkg(), kiosk: new SystemdKiosk({ dataDir: data }), now: () => new Date() },
        log: (line) => process.stdout.write(`${line}\n`),
      });
      const after = await installer.run();
      // The unit fails (systemctl --failed shows it) when this run left the kiosk without a working version.
      if (after.lastSeq > eventsBefore && after.last?.outcome === 'rollback-failed') process.exitCode = 1;
    });

  program.command('status')
    .description('what the installer is doing and has done')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }, command: Command) => {
      const status = readInstallerStatus(installerFolders(command.optsWithGlobals<Folders>().state).statusFile);
      process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : describeStatus(status));
    });

  program.command('pin-key')
    .description('pin for the installer the update key the kiosk pinned at provisioning (root, once, after provisioning)')
    .option('--replace', 'replace a different key pinned before (the authority changed its update key)')
    .action((options: { replace?: boolean }, command: Command) => {
      const { data, state } = command.optsWithGlobals<Folders>();
      requireRoot('pin-key');
      const folders = installerFolders(state);
      ensureInstallerFolders(folders);
      const pinned = pinUpdateKey(folders.pinnedKeyFile, kioskPinnedUpdateKey(data), { replace: options.replace === true, now: new Date() });
      process.stdout.write(`update key ${pinned.keyId} pinned in ${folders.pinnedKeyFile}\n`);
    });
  return program;
}

function requireRoot(command: string): void {
  if (process.getuid?.() !== 0) {
    throw new GatehouseError('UPDATE_INSTALLER_NOT_ROOT', `gatehouse-update ${command} installs packages and pins their key, so it runs as root only.`);
  }
}

function describeStatus(status: InstallerStatus | null): string {
  if (status === null) return 'the update installer has not run yet\n';
  const lines: string[] = [];
  const { attempt, last } = status;
  if (attempt) lines.push(`in progress: ${attempt.from} → ${attempt.to}, ${attempt.phase} since ${attempt.updatedAt}`);
  if (last) {
    const versions = last.from ? `${last.from} → ${last.to}` : (last.to ?? 'an unreadable update');
    lines.push(`last: ${last.outcome} (${versions}) at ${last.at}${last.failure ? `: ${last.failure.message} (${last.failure.code})` : ''}`);
  }
  for (const event of status.events.slice(-10)) {
    lines.push(`  ${event.at}  ${event.action}${event.to ? ` ${event.from ?? '?'} → ${event.to}` : ''}${event.code ? ` (${event.code})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildInstallerProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
    } else if (error instanceof GatehouseError || error instanceof ProtocolError) {
      process.stderr.write(`gatehouse-update: ${error.message} (${error.code})\n`);
      process.exitCode = 2;
    } else {
      throw error;
    }
  }
}
