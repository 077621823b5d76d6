// The model check on a temporary models folder: intact files load, a changed byte, a missing
// file or a broken manifest are refused with codes that name the file.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../../main/errors.js';
import { loadVerifiedModels, modelHashOf, type ModelManifest } from '../../../../main/face/model-manifest.js';

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

const FILES = { 'net-weights_manifest.json': '[{"paths":["net.bin"],"weights":[]}]', 'net.bin': 'weights' };

function manifestFor(files: Record<string, string>): ModelManifest {
  return {
    files: Object.entries(files).map(([file, content]) => ({
      model: 'net',
      file,
      sha256: sha256(content),
      bytes: content.length,
      package: '@vladmandic/face-api',
      version: '1.7.15',
      licence: 'MIT',
    })),
  };
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-models-'));
  for (const [file, content] of Object.entries(FILES)) await writeFile(join(dir, file), content);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifestFor(FILES)));
});

afterEach(() => rm(dir, { recursive: true, force: true }));

async function refusal(): Promise<GatehouseError> {
  const error = await loadVerifiedModels(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GatehouseError);
  return error as GatehouseError;
}

describe('loadVerifiedModels', () => {
  it('returns the checked bytes and the model hash', async () => {
    const models = await loadVerifiedModels(dir);
    expect(new TextDecoder().decode(models.bytesOf('net.bin'))).toBe('weights');
    expect(models.modelHash).toBe(modelHashOf(manifestFor(FILES)));
    expect(models.modelHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a file whose bytes changed, naming it', async () => {
    await writeFile(join(dir, 'net.bin'), 'weightz');
    const error = await refusal();
    expect(error.code).toBe('FACE_MODEL_HASH_MISMATCH');
    expect(error.message).toContain('net.bin');
    expect(error.details).toMatchObject({ file: 'net.bin', expected: sha256('weights'), actual: sha256('weightz') });
  });

  it('refuses a missing file and an invalid manifest', async () => {
    await rm(join(dir, 'net.bin'));
    expect(await refusal()).toMatchObject({ code: 'FACE_MODEL_MISSING', details: { file: 'net.bin' } });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ files: [{ file: '../escape.bin', sha256: 'x' }] }));
    expect((await refusal()).code).toBe('FACE_MODEL_MANIFEST_INVALID');
    await rm(join(dir, 'manifest.json'));
    expect((await refusal()).code).toBe('FACE_MODEL_MANIFEST_MISSING');
  });

  it('gives a hash that names the weights, not the manifest formatting or order', () => {
    const manifest = manifestFor(FILES);
    const reordered = { files: [...manifest.files].reverse() };
    expect(modelHashOf(reordered)).toBe(modelHashOf(manifest));
    const changed = { files: manifest.files.map((f, i) => (i === 0 ? { ...f, sha256: '0'.repeat(64) } : f)) };
    expect(modelHashOf(changed)).not.toBe(modelHashOf(manifest));
  });

  it('accepts the committed manifest of the project', async () => {
    const text = await readFile(new URL('../../../../models/manifest.json', import.meta.url), 'utf8');
    const manifest = JSON.parse(text) as ModelManifest;
    expect(manifest.files.map((f) => f.file).sort()).toEqual([
      'face_landmark_68_model-weights_manifest.json',
      'face_landmark_68_model.bin',
      'face_recognition_model-weights_manifest.json',
      'face_recognition_model.bin',
      'ssd_mobilenetv1_model-weights_manifest.json',
      'ssd_mobilenetv1_model.bin',
      'tiny_face_detector_model-weights_manifest.json',
      'tiny_face_detector_model.bin',
    ]);
    expect(manifest.files.every((f) => f.licence === 'MIT' && f.package === '@vladmandic/face-api')).toBe(true);
  });
});
