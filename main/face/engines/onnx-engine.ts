// A licensed recognition model in ONNX format, run on onnxruntime-node's CPU backend: the
// deployment's manifest names the file and its sha256 (a file that differs is refused before
// onnxruntime sees it, and the session is built from the very bytes that were hashed), how to
// align and normalise the face, which output is the descriptor and how to compare two.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { GatehouseError } from '../../errors.js';
import type { VerificationThresholds } from '../verification-thresholds.js';
import { alignedCrop } from './aligned-crop.js';
import { readEngineManifest, type LocatedEngineManifest } from './engine-manifest.js';
import { modelInputOf } from './model-input.js';
import type { EngineFacts, FaceToDescribe, RecognitionEngine } from './recognition-engine.js';

const require = createRequire(import.meta.url);

/** Reads the model file and checks it against the manifest's sha256; the bytes returned are the ones checked. */
async function readCheckedModel(located: LocatedEngineManifest): Promise<Uint8Array> {
  const { modelPath, manifest, path } = located;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch {
    throw new GatehouseError('FACE_ENGINE_MODEL_MISSING', `The face engine model ${modelPath} named by ${path} cannot be read.`, { file: modelPath, manifest: path });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== manifest.model.sha256) {
    throw new GatehouseError(
      'FACE_ENGINE_MODEL_HASH_MISMATCH',
      `The face engine model ${modelPath} does not match the sha256 in ${path}; it is not loaded and the face check will not start.`,
      { file: modelPath, manifest: path, expected: manifest.model.sha256, actual },
    );
  }
  return bytes;
}

export class OnnxRecognitionEngine implements RecognitionEngine {
  readonly facts: EngineFacts;
  readonly thresholds: VerificationThresholds | null;

  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    private readonly located: LocatedEngineManifest,
  ) {
    const { manifest } = located;
    this.facts = { id: manifest.id, modelSha256: manifest.model.sha256, metric: manifest.metric };
    this.thresholds = manifest.thresholds;
  }

  /** Reads the manifest, checks the model's hash, and opens an onnxruntime session on the checked bytes. */
  static async load(manifestPath: string): Promise<OnnxRecognitionEngine> {
    const located = await readEngineManifest(manifestPath);
    const bytes = await readCheckedModel(located);
    const ort = require('onnxruntime-node') as typeof Ort;
    let session: Ort.InferenceSession;
    try {
      // One thread each: the face worker is one of the kiosk's threads on a small machine.
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
    } catch (error) {
      throw new GatehouseError('FACE_ENGINE_MODEL_UNLOADABLE', `onnxruntime cannot load the face engine model ${located.modelPath}: ${(error as Error).message}`, {
        file: located.modelPath, manifest: located.path,
      });
    }
    const { input, output } = located.manifest;
    const missing = [
      ...(session.inputNames.includes(input.name) ? [] : [`input "${input.name}" (the model has ${session.inputNames.join(', ')})`]),
      ...(session.outputNames.includes(output.name) ? [] : [`output "${output.name}" (the model has ${session.outputNames.join(', ')})`]),
    ];
    if (missing.length > 0) {
      await session.release();
      throw new GatehouseError('FACE_ENGINE_MANIFEST_INVALID', `The face engine manifest ${located.path} names no such ${missing.join(' and no such ')}.`, {
        path: located.path, field: 'input/output',
      });
    }
    return new OnnxRecognitionEngine(ort, session, located);
  }

  async describe(face: FaceToDescribe): Promise<Float32Array> {
    const { manifest, template } = this.located;
    const crop = alignedCrop(face.image, face.landmarks, template, manifest.input.size);
    const input = modelInputOf(crop, manifest.input);
    const feeds = { [manifest.input.name]: new this.ort.Tensor('float32', input.data, [...input.dims]) };
    const results = await this.session.run(feeds, [manifest.output.name]);
    const output = results[manifest.output.name];
    if (!output || output.type !== 'float32' || output.size === 0) {
      throw new GatehouseError('FACE_ENGINE_OUTPUT_INVALID', `The face engine ${manifest.id} gave no float32 descriptor in output "${manifest.output.name}".`, {
        engine: manifest.id, type: output?.type ?? null,
      });
    }
    return Float32Array.from(output.data as Float32Array);
  }

  close(): Promise<void> {
    return this.session.release();
  }
}
