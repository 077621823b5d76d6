// scripts/install-models.js against temporary folders: it installs and verifies against the
// committed manifest, refuses a manifest that disagrees with the package, and regenerates the
// committed manifest byte for byte from the installed package.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../../main/face/model-manifest.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const script = join(root, 'scripts', 'install-models.js');
const committed = join(root, 'models', 'manifest.json');

function install(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-install-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('install-models.js', () => {
  it('copies the models and verifies each against the manifest', async () => {
    await copyFile(committed, join(dir, 'manifest.json'));
    const run = await install('--models-dir', dir);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const manifest = JSON.parse(await readFile(committed, 'utf8')) as ModelManifest;
    for (const entry of manifest.files) {
      const digest = createHash('sha256').update(await readFile(join(dir, entry.file))).digest('hex');
      expect(digest).toBe(entry.sha256);
    }
  });

  it('refuses a package whose files differ from the manifest, naming the file', async () => {
    const manifest = JSON.parse(await readFile(committed, 'utf8')) as ModelManifest;
    const changed = { files: manifest.files.map((f) => (f.file === 'tiny_face_detector_model.bin' ? { ...f, sha256: '0'.repeat(64) } : f)) };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(changed));
    const run = await install('--models-dir', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('tiny_face_detector_model.bin');
    expect(run.stderr).toContain('--write-manifest');
  });

  it('says how to create a missing manifest', async () => {
    const run = await install('--models-dir', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--write-manifest');
  });

  it('regenerates exactly the committed manifest from the installed package', async () => {
    const run = await install('--models-dir', dir, '--write-manifest');
    expect(run.code).toBe(0);
    expect(await readFile(join(dir, 'manifest.json'), 'utf8')).toBe(await readFile(committed, 'utf8'));
  });
});
