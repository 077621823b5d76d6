// A file the installer (root) writes for others to read — its status, the pinned update key —
// written whole or not at all, as the kiosk's private files are (main/store/private-file.ts), but
// 0644: the kiosk's service user reads these to show and audit what the installer did.

import fs from 'node:fs';
import path from 'node:path';
import { nodeDurableFs, type DurableFs } from '../../store/private-file.js';

/** Writes `text` to `file` (0644) through a synced partial file, a rename and a sync of the folder. */
export function writeReadableFile(file: string, text: string, durable: DurableFs = nodeDurableFs): void {
  const partial = `${file}.partial.${process.pid}`;
  fs.rmSync(partial, { force: true });
  const fd = fs.openSync(partial, 'wx', 0o644);
  try {
    fs.fchmodSync(fd, 0o644); // whatever the umask took away
    fs.writeFileSync(fd, text);
    durable.fsync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(partial, file);
  durable.fsyncFolder(path.dirname(file));
}

/** The text of `file`, or null when there is none. */
export function readOptionalFile(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
