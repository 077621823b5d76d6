// Files and folders only the kiosk's own user may read: the database and its -wal/-shm, the key
// files, slips. A private file is written whole or not at all (partial file, fsync, rename, then
// fsync of the folder so the rename itself survives a power cut); a private folder is 0700.
import fs from 'node:fs';
import path from 'node:path';
import { GatehouseError } from '../errors.js';

/** The file-system calls whose order makes a write durable; tests replace them to see that order. */
export interface DurableFs {
  fsync(fd: number): void;
  /** Flushes a folder's entries (a rename in it) to the disk. */
  fsyncFolder(folder: string): void;
}

export const nodeDurableFs: DurableFs = {
  fsync: (fd) => fs.fsyncSync(fd),
  fsyncFolder(folder) {
    const fd = fs.openSync(folder, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

/**
 * Creates `folder` (and missing parents) as 0700, and takes group and other access away from it
 * when it exists already and belongs to this user (a data folder made 0755 by an older build).
 */
export function ensurePrivateFolder(folder: string): void {
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  tightenToOwner(folder, 0o700);
}

/** Takes group and other access away from an existing file or folder this user owns; leaves others' alone. */
export function tightenToOwner(file: string, mode: 0o600 | 0o700): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const owned = typeof process.getuid !== 'function' || stat.uid === process.getuid();
  if (owned && (stat.mode & 0o077) !== 0) fs.chmodSync(file, mode);
}

/**
 * Writes `bytes` to `file` readable by its owner only, replacing it atomically once synced. The
 * partial file is created afresh (a file or link left in its place is removed first, and the
 * create refuses to follow one planted meanwhile), so nothing but a new 0600 file is written.
 * The folder is synced after the rename: without that a power cut may bring back the old file
 * (or none) although the call returned.
 */
export function writePrivateFile(file: string, bytes: Uint8Array | string, durable: DurableFs = nodeDurableFs): void {
  const partial = writePartial(file, bytes, durable);
  fs.renameSync(partial, file);
  durable.fsyncFolder(path.dirname(file));
}

/**
 * Like writePrivateFile, but only when `file` does not exist yet (a hard link, which never
 * replaces): of two processes creating the same key at once, one wins and the other is told so.
 * Returns false, writing nothing, when the file existed.
 */
export function createPrivateFile(file: string, bytes: Uint8Array | string, durable: DurableFs = nodeDurableFs): boolean {
  const partial = writePartial(file, bytes, durable);
  try {
    fs.linkSync(partial, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(partial, { force: true });
  }
  durable.fsyncFolder(path.dirname(file));
  return true;
}

/** `bytes` in a new, synced 0600 `FILE.partial`, whose name is returned. */
function writePartial(file: string, bytes: Uint8Array | string, durable: DurableFs): string {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.partial.${process.pid}`;
  fs.rmSync(partial, { force: true });
  const fd = fs.openSync(partial, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, bytes);
    durable.fsync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return partial;
}

/** Deletes `file` (if there) for good: the folder is synced so it does not come back after a power cut. */
export function removePrivateFile(file: string, durable: DurableFs = nodeDurableFs): void {
  if (!fs.existsSync(file)) return;
  fs.rmSync(file, { force: true });
  durable.fsyncFolder(path.dirname(file));
}

/** The bytes of `file`, or null when it does not exist; refused when others than its owner may read it. */
export function readPrivateFile(file: string): Buffer | null {
  let mode: number;
  try {
    mode = fs.statSync(file).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw new GatehouseError('KEY_FILE_EXPOSED',
      `${file} can be read by others than its owner; run "chmod 600 ${file}" and find out who copied it: whoever did holds the secret in it.`, { file });
  }
  return fs.readFileSync(file);
}
