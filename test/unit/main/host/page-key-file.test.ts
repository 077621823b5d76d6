// The page key file that lets a process of the kiosk's user open pages: readable by that
// user alone, good for minting addresses the host takes, and a clear error when no kiosk
// serves from the folder.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mintPageUrl, pageKeyPath, removePageKey, writePageKey } from '../../../../main/host/page-key-file.js';
import { BOOTSTRAP_PARAM, PageSessions } from '../../../../main/host/page-sessions.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-page-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the page key file', () => {
  it('is 0600 and mints addresses the host exchanges once', () => {
    const dir = dataDir();
    const sessions = new PageSessions();
    writePageKey(dir, 'http://127.0.0.1:4000', sessions.mintingKey);
    expect(fs.statSync(pageKeyPath(dir)).mode & 0o777).toBe(0o600);
    const first = new URL(mintPageUrl(dir));
    const second = new URL(mintPageUrl(dir));
    expect(first.origin).toBe('http://127.0.0.1:4000');
    expect(first.pathname).toBe('/session');
    expect(first.href).not.toBe(second.href);
    const token = first.searchParams.get(BOOTSTRAP_PARAM)!;
    expect(sessions.exchange(token).ok).toBe(true);
    expect(sessions.exchange(token)).toMatchObject({ ok: false, reason: 'spent' });
    expect(sessions.exchange(second.searchParams.get(BOOTSTRAP_PARAM)!).ok).toBe(true);
  });

  it('stays 0600 under a permissive umask and leaves no temporary file', () => {
    const dir = dataDir();
    const previous = process.umask(0);
    try {
      writePageKey(dir, 'http://127.0.0.1:4000', new PageSessions().mintingKey);
    } finally {
      process.umask(previous);
    }
    expect(fs.statSync(pageKeyPath(dir)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['page-key.json']);
  });

  it('is gone after removal, and then minting says no kiosk serves here', () => {
    const dir = dataDir();
    writePageKey(dir, 'http://127.0.0.1:4000', new PageSessions().mintingKey);
    removePageKey(dir);
    expect(() => mintPageUrl(dir)).toThrow(expect.objectContaining({ code: 'HOST_NOT_SERVING' }));
  });

  it.each(['{"origin": "http://127.0.0.1:4000"}', 'not json', '{"origin":"x","key":"y"}'])('refuses a file it did not write (%s)', (text) => {
    const dir = dataDir();
    fs.writeFileSync(pageKeyPath(dir), text);
    expect(() => mintPageUrl(dir)).toThrow(expect.objectContaining({ code: 'HOST_PAGE_KEY_INVALID' }));
  });
});
