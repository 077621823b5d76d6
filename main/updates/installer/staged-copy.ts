// Takes an update the kiosk staged (main/updates/staged-update.ts) out of the kiosk's data folder
// into the installer's own root-only folder, treating the staging folder as hostile: the kiosk's
// service user can write it, so it may hold links to root's files, FIFOs that never answer, or
// files far larger than announced. Each file is opened without following a link, must be a
// regular file, and is copied only up to its limit; nothing is read twice from the staging folder
// (everything after the copy — signature, hash, size — is checked on the copy).

import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GatehouseError } from '../../errors.js';
import { peekStagedRequest, STAGED_REQUEST_FILE, type StagedUpdateRequest } from '../staged-update.js';
import { describeFailure, runCommand } from './system-command.js';

/** A request or manifest is a few hundred bytes. */
const SMALL_FILE_LIMIT = 64 * 1024;
/** No Gatehouse package comes near this; a bigger announcement is refused before reading. */
const PACKAGE_LIMIT = 2 * 1024 ** 3;

/**
 * Copies the request, the manifest and the package staged in `stagedDir` into `incomingDir`
 * (emptied first). Returns the request, or null when nothing is staged. Refused with
 * UPDATE_STAGED_FILE_REFUSED (a link, not a file, too big, missing) or UPDATE_REQUEST_MALFORMED.
 */
export async function copyStagedUpdate(stagedDir: string, incomingDir: string): Promise<StagedUpdateRequest | null> {
  await fs.rm(incomingDir, { recursive: true, force: true });
  await fs.mkdir(incomingDir, { recursive: true, mode: 0o700 });
  if (!(await isRealFolder(path.dirname(stagedDir))) || !(await isRealFolder(stagedDir))) return null;
  if (!(await copyBounded(path.join(stagedDir, STAGED_REQUEST_FILE), path.join(incomingDir, STAGED_REQUEST_FILE), SMALL_FILE_LIMIT))) return null;
  const request = peekStagedRequest(incomingDir)!;
  if (request.size > PACKAGE_LIMIT) refused(request.packageFile, `announces ${request.size} bytes, more than ${PACKAGE_LIMIT}`);
  await copyRequired(stagedDir, incomingDir, request.manifestFile, SMALL_FILE_LIMIT);
  await copyRequired(stagedDir, incomingDir, request.packageFile, request.size);
  return request;
}

/**
 * Removes what was staged (the request first), so the install request — and the path unit watching
 * for it — does not fire again. It runs as the owner of the kiosk's data folder, not as root: the
 * folder is that user's, so a link planted in it can lead `rm` nowhere that user could not reach
 * anyway, whatever is swapped between a check and the removal. Returns why something stayed, or null.
 */
export async function removeStagedUpdate(stagedDir: string): Promise<string | null> {
  const dataDir = path.dirname(path.dirname(stagedDir));
  const owner = await fs.stat(dataDir).catch(() => null);
  if (owner === null) return null;
  const rm = ['rm', '-rf', '--', path.join(stagedDir, STAGED_REQUEST_FILE), stagedDir];
  const result = owner.uid === process.getuid?.()
    ? await runCommand(rm[0]!, rm.slice(1))
    : await runCommand('setpriv', ['--reuid', String(owner.uid), '--regid', String(owner.gid), '--clear-groups', '--', ...rm]);
  return result.code === 0 ? null : describeFailure('rm', result);
}

/** True for a folder that is no symbolic link; false when there is none; refused when something else is in its place. */
async function isRealFolder(folder: string): Promise<boolean> {
  let stat;
  try {
    stat = await fs.lstat(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (!stat.isDirectory()) refused(folder, 'is not a folder (a link or a file is in its place)');
  return true;
}

async function copyRequired(stagedDir: string, incomingDir: string, name: string, limit: number): Promise<void> {
  if (!(await copyBounded(path.join(stagedDir, name), path.join(incomingDir, name), limit))) refused(name, 'is missing');
}

/** Copies `from` to `to` when it is a regular file of at most `limit` bytes; false when `from` does not exist. */
async function copyBounded(from: string, to: string, limit: number): Promise<boolean> {
  let source: fs.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO planted in the file's place returns at once instead of waiting for a writer.
    source = await fs.open(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ELOOP') refused(from, 'is a symbolic link');
    throw error;
  }
  try {
    const stat = await source.stat();
    if (!stat.isFile()) refused(from, 'is not a regular file');
    if (stat.size > limit) refused(from, `has ${stat.size} bytes, more than the ${limit} expected`);
    const target = await fs.open(to, 'wx', 0o600);
    try {
      const buffer = Buffer.alloc(1024 * 1024);
      let copied = 0;
      for (;;) {
        const { bytesRead } = await source.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        copied += bytesRead;
        if (copied > limit) refused(from, `grew past the ${limit} bytes expected while it was copied`);
        await target.write(buffer, 0, bytesRead);
      }
      await target.sync();
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
  return true;
}

function refused(file: string, why: string): never {
  throw new GatehouseError('UPDATE_STAGED_FILE_REFUSED', `The staged update cannot be used: ${path.basename(file)} ${why}. Nothing was installed.`, { file: path.basename(file) });
}
