// The page key the host shares with the screen user of the kiosk session (`serve --page-key-file`):
// 0640 whatever the umask, its group that of a setgid folder (packaged: /run/gatehouse, group
// gatehouse-kiosk), replaced whole, good for minting addresses the host takes, and gone on removal.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mintPageAddress, readPageKey, removeSharedPageKey, writeSharedPageKey } from '../../../../main/host/page-key-file.js';
import { BOOTSTRAP_PARAM, PageSessions } from '../../../../main/host/page-sessions.js';

const NOGROUP = 65534;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A setgid folder like /run/gatehouse: as root its group is another one than ours (nogroup), as in the package. */
function sharedFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-shared-key-'));
  dirs.push(dir);
  if (process.getuid?.() === 0) fs.chownSync(dir, 0, NOGROUP);
  fs.chmodSync(dir, 0o2750);
  return dir;
}

const notServing = (why: string) => `not serving: ${why}`;

describe('the shared page key file', () => {
  it('is 0640 under the kiosk\'s umask, takes the folder\'s group and leaves no temporary file', () => {
    const dir = sharedFolder();
    const file = path.join(dir, 'page-key.json');
    const previous = process.umask(0o077);
    try {
      writeSharedPageKey(file, 'http://127.0.0.1:8470', new PageSessions().mintingKey);
    } finally {
      process.umask(previous);
    }
    const stat = fs.statSync(file);
    expect(stat.mode & 0o7777).toBe(0o640);
    expect(stat.gid).toBe(fs.statSync(dir).gid);
    if (process.getuid?.() === 0) expect(stat.gid).toBe(NOGROUP);
    expect(fs.readdirSync(dir)).toEqual(['page-key.json']);
  });

  it('mints addresses the host exchanges once, and a rewrite replaces the key', () => {
    const file = path.join(sharedFolder(), 'page-key.json');
    const first = new PageSessions();
    writeSharedPageKey(file, 'http://127.0.0.1:8470', first.mintingKey);
    const address = new URL(mintPageAddress(readPageKey(file, notServing)));
    expect(address.origin).toBe('http://127.0.0.1:8470');
    const token = address.searchParams.get(BOOTSTRAP_PARAM)!;
    expect(first.exchange(token).ok).toBe(true);
    expect(first.exchange(token)).toMatchObject({ ok: false, reason: 'spent' });

    const restarted = new PageSessions();
    writeSharedPageKey(file, 'http://127.0.0.1:8470', restarted.mintingKey);
    const next = new URL(mintPageAddress(readPageKey(file, notServing))).searchParams.get(BOOTSTRAP_PARAM)!;
    expect(first.exchange(next)).toMatchObject({ ok: false, reason: 'forged' });
    expect(restarted.exchange(next).ok).toBe(true);
  });

  it('is gone after removal, and reading it then says why in the caller\'s words', () => {
    const file = path.join(sharedFolder(), 'page-key.json');
    writeSharedPageKey(file, 'http://127.0.0.1:8470', new PageSessions().mintingKey);
    removeSharedPageKey(file);
    removeSharedPageKey(file);
    expect(() => readPageKey(file, notServing)).toThrow(expect.objectContaining({ code: 'HOST_NOT_SERVING', message: 'not serving: ENOENT' }));
  });
});
