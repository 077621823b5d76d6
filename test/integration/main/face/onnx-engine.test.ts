// The ONNX recognition engine end to end, on a real ONNX file the test writes (a fixed random
// projection of the aligned 112 × 112 crop, see onnx-model-writer.ts) run by onnxruntime-node:
// two crops of one photo are near and match under the manifest's bands, different people are
// far; the result and the record's face facts name the engine, its model's sha256 and the
// bands; a model file with one byte changed, a missing or invalid manifest, and an engine
// without bands are refused with typed errors, also when the face worker starts.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceOutcomeFacts } from '../../../../main/enrollment/face-check.js';
import { GatehouseError } from '../../../../main/errors.js';
import { FACE_ENGINE_ENV } from '../../../../main/face/engines/engine-selection.js';
import { FaceAnalyzer } from '../../../../main/face/face-analyzer.js';
import { FaceWorkerClient } from '../../../../main/face/face-worker-client.js';
import { cropPadded, resizeBilinear } from '../../../../main/face/rgba-image.js';
import { compileEntry } from '../../../fixtures/compile-entry.js';
import { HAVE_FACES, loadFace } from './face-images.js';
import { DESCRIPTOR_LENGTH, projectionManifest, projectionModel, sha256, writeEngine } from './onnx-model-writer.js';

const refusalOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => new Error('it was accepted'), (error: unknown) => error);

describe('ONNX recognition engine', () => {
  let dir: string;
  let model: Uint8Array;
  let manifestPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-onnx-engine-'));
    model = projectionModel(7);
    manifestPath = await writeEngine(dir, model, projectionManifest(model));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the same model for the same seed', () => {
    expect(sha256(projectionModel(7))).toBe(sha256(model));
    expect(sha256(projectionModel(8))).not.toBe(sha256(model));
  });

  describe.skipIf(!HAVE_FACES)('on real faces', () => {
    let analyzer: FaceAnalyzer;
    beforeAll(async () => {
      analyzer = await FaceAnalyzer.load({ engine: { manifest: manifestPath } });
    }, 120_000);
    afterAll(() => analyzer.close());

    it('reports the engine it runs, with the manifest\'s bands', () => {
      expect(analyzer.info.engine).toEqual({ id: 'test-projection', modelSha256: sha256(model), metric: 'cosine', thresholds: { match: 0.05, review: 0.1 } });
    });

    it('puts two crops of one photo near and different people far, and the result and record name the engine', async () => {
      const photo = loadFace('identities/obama/obama.jpg');
      const tighter = cropPadded(photo, { x: 40, y: 30, width: photo.width - 60, height: photo.height - 40 });
      const live = resizeBilinear(tighter, Math.round(tighter.width * 0.8), Math.round(tighter.height * 0.8));
      const portrait = await analyzer.describe(photo, 'portrait');
      expect(portrait.descriptor).toHaveLength(DESCRIPTOR_LENGTH);

      const same = await analyzer.verify([live], portrait);
      expect(same.decision).toBe('match');
      expect(same.distance).toBeLessThan(0.05);
      const engine = { id: 'test-projection', modelSha256: sha256(model), metric: 'cosine' };
      expect(same).toMatchObject({ engine, thresholds: { match: 0.05, review: 0.1 }, modelHash: analyzer.info.modelHash });

      for (const other of ['identities/biden/biden2.jpg', 'identities/penny/penny1.png', 'identities/amy/amy1.png']) {
        const result = await analyzer.verify([loadFace(other)], portrait);
        expect(result.decision, other).toBe('no-match');
        expect(result.distance, other).toBeGreaterThan(0.1);
      }

      const facts = faceOutcomeFacts({
        verification: same, livePortrait: new Uint8Array(1), documentPortrait: new Uint8Array(1), portraitSource: 'chip',
        capture: 'automatic', livenessPassed: true, officerDecision: null, capturedBy: null, decidedBy: null,
      });
      expect(facts).toMatchObject({ decision: 'match', engine, thresholds: { match: 0.05, review: 0.1 } });
      expect(JSON.parse(JSON.stringify(facts)).engine).toEqual(engine);
    }, 120_000);
  });

  it('refuses a model file with one byte changed before loading it, naming the file and both hashes', async () => {
    const tampered = Uint8Array.from(model);
    tampered[Math.floor(tampered.length / 2)] ^= 0x01;
    const other = join(dir, 'tampered');
    await mkdir(other);
    const path = await writeEngine(other, tampered, projectionManifest(model));
    const error = await refusalOf(FaceAnalyzer.load({ engine: { manifest: path } }));
    expect(error).toBeInstanceOf(GatehouseError);
    expect(error).toMatchObject({
      code: 'FACE_ENGINE_MODEL_HASH_MISMATCH',
      details: { file: join(other, 'model.onnx'), expected: sha256(model), actual: sha256(tampered) },
    });
  }, 120_000);

  it('refuses a missing or invalid manifest, names the model does not have, and an engine without bands', async () => {
    await expect(FaceAnalyzer.load({ engine: { manifest: join(dir, 'nowhere.json') } })).rejects.toMatchObject({ code: 'FACE_ENGINE_MANIFEST_MISSING' });
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify({ ...projectionManifest(model), metric: 'hamming' }));
    await expect(FaceAnalyzer.load({ engine: { manifest: invalid } })).rejects.toMatchObject({ code: 'FACE_ENGINE_MANIFEST_INVALID', details: { field: 'metric' } });
    const wrongInput = await writeEngine(dir, model, projectionManifest(model, { input: { ...projectionManifest(model).input, name: 'pixels' } }), 'wrong-input.json');
    await expect(FaceAnalyzer.load({ engine: { manifest: wrongInput } })).rejects.toMatchObject({ code: 'FACE_ENGINE_MANIFEST_INVALID', message: expect.stringContaining('"pixels"') });
    const uncalibrated = await writeEngine(dir, model, projectionManifest(model, { thresholds: null }), 'uncalibrated.json');
    await expect(FaceAnalyzer.load({ engine: { manifest: uncalibrated } })).rejects.toMatchObject({ code: 'FACE_ENGINE_UNCALIBRATED' });
    const calibrating = await FaceAnalyzer.load({ engine: { manifest: uncalibrated, calibrating: true } });
    expect(calibrating.info.engine.thresholds).toBeNull();
    await expect(calibrating.verify([], { state: 'no-face', faces: [], face: null, descriptor: null })).rejects.toMatchObject({ code: 'FACE_ENGINE_UNCALIBRATED' });
    await calibrating.close();
  }, 120_000);

  it('stops the face worker\'s start with the typed error when the configured engine\'s model differs', async () => {
    const workerPath = await compileEntry('main/face/face-worker.ts', 'onnx-engine-worker-build');
    const tampered = Uint8Array.from(await readFile(join(dir, 'model.onnx')));
    tampered[100] ^= 0x80;
    const other = join(dir, 'worker');
    await mkdir(other);
    const path = await writeEngine(other, tampered, projectionManifest(model));
    const before = process.env[FACE_ENGINE_ENV];
    process.env[FACE_ENGINE_ENV] = path; // as /etc/gatehouse/gatehouse.conf sets it for the kiosk's service
    const client = new FaceWorkerClient({ workerUrl: pathToFileURL(workerPath) });
    try {
      const error = await refusalOf(client.start());
      expect(error).toBeInstanceOf(GatehouseError);
      expect(error).toMatchObject({ code: 'FACE_ENGINE_MODEL_HASH_MISMATCH', details: { file: join(other, 'model.onnx') } });
    } finally {
      if (before === undefined) delete process.env[FACE_ENGINE_ENV];
      else process.env[FACE_ENGINE_ENV] = before;
      await client.close();
    }
  }, 240_000);
});
