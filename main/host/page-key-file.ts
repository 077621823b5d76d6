// The same-user way to open a kiosk page when the host did not launch the browser itself
// (development, tests, `gatehouse serve --page-url`): while serving, the host keeps its
// origin and minting key in <data>/page-key.json, created 0600 and removed at shutdown;
// a process of the kiosk's user reads it and mints one-time page addresses. Nothing of it
// ever goes to a command line or a log. For the kiosk session, where the screen is another user
// (`gatehouse kiosk-window`), the host also shares it in a file of its own (`serve
// --page-key-file`, packaged: /run/gatehouse/page-key.json), 0640: the group of its folder reads it.

import { closeSync, fchmodSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import { removePrivateFile, writePrivateFile } from '../store/private-file.js';
import { mintBootstrapToken, pageAddress } from './page-sessions.js';

const PageKeyFile = z.object({ origin: z.string().url(), key: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }).strict();

export function pageKeyPath(dataDir: string): string {
  return join(dataDir, 'page-key.json');
}

/** The origin and minting key a host serves with, as read back from its page key file. */
export interface PageKey {
  origin: string;
  key: Uint8Array;
}

function pageKeyText(origin: string, mintingKey: Uint8Array): string {
  return `${JSON.stringify({ origin, key: Buffer.from(mintingKey).toString('base64url') })}\n`;
}

/** Written as a private file: 0600 from its creation, replaced whole. */
export function writePageKey(dataDir: string, origin: string, mintingKey: Uint8Array): void {
  writePrivateFile(pageKeyPath(dataDir), pageKeyText(origin, mintingKey));
}

/**
 * The page key shared with the screen user: `file` replaced whole by a new file made 0640 whatever
 * the umask, so it is readable by the group of its folder alone. That folder decides who reads
 * it: packaged, /run/gatehouse is setgid with group gatehouse-kiosk (tmpfiles.d), and a file made
 * in it takes that group. A runtime file (tmpfs): not synced to a disk.
 */
export function writeSharedPageKey(file: string, origin: string, mintingKey: Uint8Array): void {
  const partial = `${file}.partial.${process.pid}`;
  rmSync(partial, { force: true });
  const fd = openSync(partial, 'wx', 0o640);
  try {
    fchmodSync(fd, 0o640);
    writeFileSync(fd, pageKeyText(origin, mintingKey));
  } finally {
    closeSync(fd);
  }
  renameSync(partial, file);
}

export function removeSharedPageKey(file: string): void {
  rmSync(file, { force: true });
}

export function removePageKey(dataDir: string): void {
  removePrivateFile(pageKeyPath(dataDir));
}

/** A fresh one-time address of the kiosk serving from `dataDir`. */
export function mintPageUrl(dataDir: string, now = Date.now()): string {
  const path = pageKeyPath(dataDir);
  return mintPageAddress(readPageKey(path, (why) => `No kiosk is serving from ${dataDir} (${path}: ${why}); start "gatehouse serve" first, as this user.`), now);
}

/** A fresh one-time address from a page key read before. */
export function mintPageAddress(pageKey: PageKey, now = Date.now()): string {
  return pageAddress(pageKey.origin, mintBootstrapToken(pageKey.key, now));
}

/** The page key in `path`; `notServing` words the HOST_NOT_SERVING error when it cannot be read (ENOENT …). */
export function readPageKey(path: string, notServing: (why: string) => string): PageKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatehouseError('HOST_NOT_SERVING', notServing((error as NodeJS.ErrnoException).code ?? 'unreadable'), { path });
  }
  const parsed = PageKeyFile.safeParse(parseJson(text));
  if (!parsed.success) throw new GatehouseError('HOST_PAGE_KEY_INVALID', `${path} is not a page key written by "gatehouse serve"; restart the kiosk.`, { path });
  return { origin: parsed.data.origin, key: Buffer.from(parsed.data.key, 'base64url') };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
