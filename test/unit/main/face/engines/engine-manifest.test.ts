// The deployment's engine manifest: a complete one reads back as written, the model file is
// found beside the manifest, and each kind of mistake is refused with a typed error that names
// the field (never a quiet fall-back to the bundled engine).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../../../main/errors.js';
import { ARCFACE_112_TEMPLATE } from '../../../../../main/face/engines/aligned-crop.js';
import { parseEngineManifest, readEngineManifest, type EngineManifest } from '../../../../../main/face/engines/engine-manifest.js';

const VALID: EngineManifest = {
  format: 'gatehouse-face-engine',
  formatVersion: 1,
  id: 'vendor-model-v3',
  licence: 'licensed to the deployment by the vendor, contract 42',
  model: { file: 'model.onnx', sha256: 'ab'.repeat(32) },
  input: { name: 'input.1', layout: 'NCHW', size: 112, channels: 'BGR', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] },
  alignment: { template: 'arcface-112' },
  output: { name: 'fc1' },
  metric: 'cosine',
  thresholds: { match: 0.6, review: 0.7 },
};

function refusal(value: unknown): GatehouseError {
  try {
    parseEngineManifest(JSON.stringify(value), '/etc/gatehouse/engine.json');
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

describe('parseEngineManifest', () => {
  it('reads a valid manifest back as written, for any valid choice of its fields', () => {
    const manifests = fc.record({
      layout: fc.constantFrom<'NCHW' | 'NHWC'>('NCHW', 'NHWC'),
      channels: fc.constantFrom<'RGB' | 'BGR'>('RGB', 'BGR'),
      metric: fc.constantFrom<'cosine' | 'euclidean'>('cosine', 'euclidean'),
      size: fc.integer({ min: 16, max: 1024 }),
      points: fc.array(fc.tuple(fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true })), { minLength: 5, maxLength: 5 }),
      thresholds: fc.option(fc.tuple(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([match, extra]) => ({ match, review: match + extra }))),
    }).map(({ layout, channels, metric, size, points, thresholds }): EngineManifest => ({
      ...VALID, metric, thresholds, input: { ...VALID.input, layout, channels, size }, alignment: { template: points },
    }));
    fc.assert(fc.property(manifests, (manifest) => {
      expect(parseEngineManifest(JSON.stringify(manifest), 'm.json')).toEqual(manifest);
    }));
  });

  it('names the field that is wrong', () => {
    const cases: Array<[unknown, string]> = [
      [{ ...VALID, model: { ...VALID.model, sha256: 'not-a-hash' } }, 'model.sha256'],
      [{ ...VALID, input: { ...VALID.input, layout: 'CHW' } }, 'input.layout'],
      [{ ...VALID, metric: 'manhattan' }, 'metric'],
      [{ ...VALID, thresholds: { match: 0.8, review: 0.7 } }, 'thresholds'],
      [{ ...VALID, input: { ...VALID.input, size: 128 } }, 'alignment.template'],
      [{ ...VALID, alignment: { template: [[1, 2]] } }, 'alignment.template'],
      [{ ...VALID, id: 'Has Spaces' }, 'id'],
      [{ ...VALID, extra: true }, 'top level'],
      [{ ...VALID, format: 'something-else' }, 'format'],
    ];
    for (const [value, field] of cases) {
      const error = refusal(value);
      expect(error.code, field).toBe('FACE_ENGINE_MANIFEST_INVALID');
      expect(error.details.field, field).toBe(field);
    }
    expect(() => parseEngineManifest('{ not json', 'm.json')).toThrow(expect.objectContaining({ code: 'FACE_ENGINE_MANIFEST_INVALID' }));
  });
});

describe('readEngineManifest', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-engine-manifest-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds a relative model file beside the manifest, an absolute one where it says, and the named template', async () => {
    await writeFile(join(dir, 'relative.json'), JSON.stringify(VALID));
    const relative = await readEngineManifest(join(dir, 'relative.json'));
    expect(relative).toMatchObject({ path: join(dir, 'relative.json'), modelPath: join(dir, 'model.onnx'), template: ARCFACE_112_TEMPLATE });
    await writeFile(join(dir, 'absolute.json'), JSON.stringify({ ...VALID, model: { ...VALID.model, file: '/opt/models/m.onnx' }, alignment: { template: [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]] } }));
    const absolute = await readEngineManifest(join(dir, 'absolute.json'));
    expect(absolute.modelPath).toBe('/opt/models/m.onnx');
    expect(absolute.template[4]).toEqual({ x: 9, y: 10 });
  });

  it('says FACE_ENGINE_MANIFEST_MISSING for a manifest that cannot be read', async () => {
    await expect(readEngineManifest(join(dir, 'nowhere.json'))).rejects.toMatchObject({ code: 'FACE_ENGINE_MANIFEST_MISSING', details: { path: join(dir, 'nowhere.json') } });
  });
});
