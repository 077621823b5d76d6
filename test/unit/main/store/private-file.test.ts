// Private files: written whole (partial file synced, renamed, then the folder synced so the
// rename survives a power cut), 0600 in a 0700 folder; created only once when asked to; a
// folder left open to others by an older build is tightened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createPrivateFile, ensurePrivateFolder, nodeDurableFs, writePrivateFile, type DurableFs,
} from '../../../../main/store/private-file.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-private-'));

/** The real calls, with what the folder held at each. */
function recordingFs(file: string): { durable: DurableFs; steps: string[] } {
  const steps: string[] = [];
  const durable: DurableFs = {
    fsync(fd) {
      steps.push(`fsync file (target ${fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : 'absent'})`);
      nodeDurableFs.fsync(fd);
    },
    fsyncFolder(folder) {
      steps.push(`fsync folder ${path.basename(folder)} (target ${fs.readFileSync(file, 'utf8')}, ${fs.readdirSync(folder).length} entries)`);
      nodeDurableFs.fsyncFolder(folder);
    },
  };
  return { durable, steps };
}

describe('writePrivateFile', () => {
  it('syncs the new file before the rename and the folder after it', () => {
    const file = path.join(tempDir(), 'keys', 'database.key');
    writePrivateFile(file, 'old');
    const { durable, steps } = recordingFs(file);
    writePrivateFile(file, 'new', durable);
    expect(steps).toEqual(['fsync file (target old)', 'fsync folder keys (target new, 1 entries)']);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('leaves the old file whole when the write fails before the rename', () => {
    const file = path.join(tempDir(), 'kiosk-keys.json');
    writePrivateFile(file, 'old');
    const failing: DurableFs = { ...nodeDurableFs, fsync: () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }); } };
    expect(() => writePrivateFile(file, 'new', failing)).toThrow('EIO');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
  });
});

describe('createPrivateFile', () => {
  it('creates a file once and never replaces it (two processes making the same key)', () => {
    const file = path.join(tempDir(), 'keys', 'database.key');
    const { durable, steps } = recordingFs(file);
    expect(createPrivateFile(file, 'first', durable)).toBe(true);
    expect(createPrivateFile(file, 'second')).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('first');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['database.key']);
    expect(steps.at(-1)).toBe('fsync folder keys (target first, 1 entries)');
  });
});

describe('ensurePrivateFolder', () => {
  it('creates a 0700 folder and tightens one an older build left 0755', () => {
    const root = tempDir();
    const fresh = path.join(root, 'a', 'b');
    ensurePrivateFolder(fresh);
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o700);
    const old = path.join(root, 'old');
    fs.mkdirSync(old, { mode: 0o755 });
    fs.chmodSync(old, 0o755);
    ensurePrivateFolder(old);
    expect(fs.statSync(old).mode & 0o777).toBe(0o700);
  });
});
