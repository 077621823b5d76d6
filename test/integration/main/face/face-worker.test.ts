// The real face worker thread, compiled the way the build compiles it: it starts on the backend
// it can load (wasm here), answers frames without blocking the caller (newest frame wins),
// verifies (from frames, or from guidance's crops), survives a bad frame, and refuses to start
// when a model file differs from the manifest.
import { createRequire } from 'node:module';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileEntry, projectRoot as root } from '../../../fixtures/compile-entry.js';
import { GatehouseError } from '../../../../main/errors.js';
import { FaceWorkerClient } from '../../../../main/face/face-worker-client.js';
import { modelHashOf, type ModelManifest } from '../../../../main/face/model-manifest.js';
import { faceFile, HAVE_FACES } from './face-images.js';

const buildDir = join(root, 'test-results', 'face-worker-build');
const workerUrl = pathToFileURL(join(buildDir, 'main', 'face', 'face-worker.js'));

/** Compiles the worker and what it imports with the project's compiler options, as `npm run build` does. */
const compileWorker = (): Promise<string> => compileEntry('main/face/face-worker.ts', 'face-worker-build');

/** tfjs-node is optional and not installable offline; where it is absent, the worker must fall back to wasm. */
function nativeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

const bytes = (relative: string): Promise<Buffer> => readFile(faceFile(relative));

describe('face worker thread', () => {
  let client: FaceWorkerClient;

  beforeAll(async () => {
    await compileWorker();
    client = new FaceWorkerClient({ workerUrl });
  }, 120_000);

  afterAll(() => client.close());

  it('starts on the backend it can load and reports the manifest\'s model hash', async () => {
    const info = await client.start();
    const manifest = JSON.parse(await readFile(join(root, 'models', 'manifest.json'), 'utf8')) as ModelManifest;
    expect(info).toMatchObject({ modelHash: modelHashOf(manifest), faceApiVersion: '1.7.15' });
    if (nativeInstalled()) {
      expect(info).toMatchObject({ backend: 'tensorflow', nativeUnavailable: null });
    } else {
      expect(info).toMatchObject({ backend: 'wasm', simd: true });
      expect(info.nativeUnavailable).toContain('@tensorflow/tfjs-node');
    }
  });

  it.skipIf(!HAVE_FACES)('keeps only the newest frame while one is analysed', async () => {
    const jpeg = await bytes('identities/obama/obama3.jpg');
    const results = await Promise.all([1, 2, 3, 4].map(() => client.analyzeFrame(jpeg)));
    expect(results.map((r) => r.status)).toEqual(['analyzed', 'dropped', 'dropped', 'analyzed']);
    const last = results[3];
    expect(last.status === 'analyzed' && last.analysis.state).toBe('one-face');
  });

  it.skipIf(!HAVE_FACES)('verifies live frames against a portrait prepared in advance', async () => {
    const portrait = await client.preparePortrait(await bytes('identities/obama/obama.jpg'));
    expect(portrait.state).toBe('one-face');
    const result = await client.verify([await bytes('identities/obama/obama3.jpg')], portrait);
    expect(result).toMatchObject({ decision: 'match', backend: client.info?.backend, modelHash: client.info?.modelHash, liveFramesUsed: [0] });
  });

  it.skipIf(!HAVE_FACES)('verifies guidance\'s crops against a portrait image, on both workers', async () => {
    const analysed = await client.analyzeFrame(await bytes('identities/obama/obama3.jpg'));
    const crop = analysed.status === 'analyzed' ? analysed.analysis.crop : null;
    expect(crop).not.toBeNull();
    const other = await client.analyzeFrame(await bytes('identities/biden/biden.jpg'));
    const stranger = other.status === 'analyzed' ? other.analysis.crop : null;
    const portrait = await bytes('identities/obama/obama.jpg');
    const result = await client.verify([crop!, crop!], portrait);
    expect(result).toMatchObject({ decision: 'match', liveFramesUsed: [0, 1], live: [{ state: 'one-face' }, { state: 'one-face' }] });
    expect((await client.verify([stranger!], portrait)).decision).toBe('no-match');
  });

  it('answers a frame that is no image with an error and goes on working', async () => {
    const error = await client.analyzeFrame(new TextEncoder().encode('not an image')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatehouseError);
    expect(error).toMatchObject({ code: 'FACE_IMAGE_UNSUPPORTED' });
    const blank = await client.analyzeFrame({ width: 64, height: 48, data: new Uint8Array(64 * 48 * 4).fill(200) });
    expect(blank).toMatchObject({ status: 'analyzed', analysis: { state: 'no-face' } });
  });

  it('refuses to start when a model file does not match the manifest, naming the file', async () => {
    const models = await mkdtemp(join(tmpdir(), 'gatehouse-models-'));
    try {
      await cp(join(root, 'models'), models, { recursive: true });
      const file = join(models, 'face_landmark_68_model.bin');
      const tampered = await readFile(file);
      tampered[1000] ^= 0xff;
      await writeFile(file, tampered);
      const refused = new FaceWorkerClient({ workerUrl, modelsDir: models });
      const error = await refused.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatehouseError);
      expect(error).toMatchObject({ code: 'FACE_MODEL_HASH_MISMATCH', details: { file: 'face_landmark_68_model.bin' } });
      await expect(refused.analyzeFrame(new Uint8Array(1))).rejects.toMatchObject({ code: 'FACE_MODEL_HASH_MISMATCH' });
      await refused.close();
    } finally {
      await rm(models, { recursive: true, force: true });
    }
  });
});
