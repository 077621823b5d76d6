// Where the privileged update installer keeps its own state, apart from the kiosk's data folder
// (which the unprivileged service can write): /var/lib/gatehouse-update, made by systemd as the
// unit's StateDirectory. The folder and its status file are readable by everyone (the kiosk shows
// them on its diagnostics screen and audits them); packages, the pinned key's only writer and the
// incoming copy of a staged update are root's.
//
// /var/lib/gatehouse-update/          0755 root
//   status.json                       0644  what the installer is doing and has done (installer-status.ts)
//   update-key.json                   0644  the update key pinned at provisioning (pinned-update-key.ts)
//   lock                              0600  held while an installer runs (its pid)
//   packages/                         0700  the installed version's package and the one before it
//   incoming/                         0700  the staged update as copied from the kiosk, verified here

import fs from 'node:fs';
import path from 'node:path';

export const INSTALLER_STATE_DIR = '/var/lib/gatehouse-update';

export interface InstallerFolders {
  state: string;
  statusFile: string;
  pinnedKeyFile: string;
  lockFile: string;
  packages: string;
  incoming: string;
}

export function installerFolders(state: string = INSTALLER_STATE_DIR): InstallerFolders {
  return {
    state,
    statusFile: path.join(state, 'status.json'),
    pinnedKeyFile: path.join(state, 'update-key.json'),
    lockFile: path.join(state, 'lock'),
    packages: path.join(state, 'packages'),
    incoming: path.join(state, 'incoming'),
  };
}

/** Makes the state folder (0755) and its root-only folders (0700). */
export function ensureInstallerFolders(folders: InstallerFolders): void {
  fs.mkdirSync(folders.state, { recursive: true, mode: 0o755 });
  for (const folder of [folders.packages, folders.incoming]) {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    fs.chmodSync(folder, 0o700);
  }
}
