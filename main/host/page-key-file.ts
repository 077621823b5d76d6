// The same-user way to open a kiosk page when the host did not launch the browser itself
// (development, tests, `gatehouse serve --page-url`): while serving, the host keeps its
// origin and minting key in <data>/page-key.json, created 0600 and removed at shutdown;
// a process of the kiosk's user reads it and mints one-time page addresses. Nothing of it
// ever goes to a command line or a log.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import { removePrivateFile, writePrivateFile } from '../store/private-file.js';
import { mintBootstrapToken, pageAddress } from './page-sessions.js';

const PageKey = z.object({ origin: z.string().url(), key: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }).strict();

export function pageKeyPath(dataDir: string): string {
  return join(dataDir, 'page-key.json');
}

/** Written as a private file: 0600 from its creation, replaced whole. */
export function writePageKey(dataDir: string, origin: string, mintingKey: Uint8Array): void {
  writePrivateFile(pageKeyPath(dataDir), `${JSON.stringify({ origin, key: Buffer.from(mintingKey).toString('base64url') })}\n`);
}

export function removePageKey(dataDir: string): void {
  removePrivateFile(pageKeyPath(dataDir));
}

/** A fresh one-time address of the kiosk serving from `dataDir`. */
export function mintPageUrl(dataDir: string, now = Date.now()): string {
  const path = pageKeyPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatehouseError('HOST_NOT_SERVING', `No kiosk is serving from ${dataDir} (${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); start "gatehouse serve" first, as this user.`, { path });
  }
  const parsed = PageKey.safeParse(parseJson(text));
  if (!parsed.success) throw new GatehouseError('HOST_PAGE_KEY_INVALID', `${path} is not a page key written by "gatehouse serve"; restart the kiosk.`, { path });
  return pageAddress(parsed.data.origin, mintBootstrapToken(Buffer.from(parsed.data.key, 'base64url'), now));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
