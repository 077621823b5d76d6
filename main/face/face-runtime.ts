// Starts TensorFlow.js for the face models: the native backend (@tensorflow/tfjs-node) when it
// loads, otherwise WebAssembly with SIMD from the files inside node_modules (never the network),
// and loads the four nets from the hash-checked bytes in models/.
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';
import type * as Tfjs from '@tensorflow/tfjs';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import { loadVerifiedModels, type ModelManifest, type VerifiedModels } from './model-manifest.js';

const require = createRequire(import.meta.url);

export type FaceApiModule = typeof FaceApi;

export interface FaceBackendInfo {
  readonly backend: 'tensorflow' | 'wasm';
  readonly simd: boolean;
  /** Why @tensorflow/tfjs-node was not used, when it was not. */
  readonly nativeUnavailable: string | null;
  readonly tfjsVersion: string;
  readonly faceApiVersion: string;
  readonly modelHash: string;
  readonly modelsDir: string;
}

export interface FaceRuntime {
  readonly faceapi: FaceApiModule;
  readonly info: FaceBackendInfo;
  /** The manifest the loaded models were checked against (the bundled recognition engine names its net's hash from it). */
  readonly manifest: ModelManifest;
}

interface Backend {
  readonly faceapi: FaceApiModule;
  readonly tf: typeof Tfjs;
  readonly backend: FaceBackendInfo['backend'];
  readonly nativeUnavailable: string | null;
}

const NATIVE_PACKAGE = '@tensorflow/tfjs-node';
let selected: Promise<Backend> | undefined;

async function tryNative(): Promise<Backend | string> {
  try {
    const loaded = (await import(NATIVE_PACKAGE)) as { default?: typeof Tfjs } & typeof Tfjs;
    const tf = loaded.default ?? loaded;
    await tf.ready();
    // face-api's main build is the one compiled against tfjs-node.
    return { faceapi: require('@vladmandic/face-api') as FaceApiModule, tf, backend: 'tensorflow', nativeUnavailable: null };
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
  }
}

async function startWasm(nativeUnavailable: string): Promise<Backend> {
  const tf = require('@tensorflow/tfjs') as typeof Tfjs;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof TfWasm;
  // Node reads the .wasm from disk when platform fetch is off; threads need browser workers.
  wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep, false);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  await tf.setBackend('wasm');
  await tf.ready();
  return { faceapi, tf, backend: 'wasm', nativeUnavailable };
}

/** Chooses the backend once per process (TensorFlow.js keeps one engine per process). */
function selectBackend(): Promise<Backend> {
  if (!selected) {
    selected = tryNative().then((native) => (typeof native === 'string' ? startWasm(native) : native));
    selected.catch(() => (selected = undefined)); // a failed start may be retried
  }
  return selected;
}

async function describeBackend(backend: Backend, models: VerifiedModels): Promise<FaceBackendInfo> {
  const simd = backend.backend === 'wasm' ? Boolean(await backend.tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : false;
  return {
    backend: backend.backend,
    simd,
    nativeUnavailable: backend.nativeUnavailable,
    tfjsVersion: backend.tf.version_core,
    faceApiVersion: backend.faceapi.version,
    modelHash: models.modelHash,
    modelsDir: models.dir,
  };
}

interface WeightsGroup {
  readonly paths: string[];
  readonly weights: Parameters<FaceApiModule['tf']['io']['decodeWeights']>[1];
}

/** Decodes one model from the checked bytes, so what runs is exactly what was hashed. */
function loadNet(faceapi: FaceApiModule, net: FaceApi.NeuralNetwork<unknown>, model: string, models: VerifiedModels): void {
  const groups = JSON.parse(new TextDecoder().decode(models.bytesOf(`${model}-weights_manifest.json`))) as WeightsGroup[];
  const shards = groups.flatMap((group) => group.paths).map((file) => models.bytesOf(file));
  const data = new Uint8Array(shards.reduce((sum, shard) => sum + shard.length, 0));
  let offset = 0;
  for (const shard of shards) {
    data.set(shard, offset);
    offset += shard.length;
  }
  net.loadFromWeightMap(faceapi.tf.io.decodeWeights(data.buffer, groups.flatMap((group) => group.weights)));
}

/** For `gatehouse doctor`: the backend that would run and the hash of the verified models, without loading the nets. */
export async function faceBackendInfo(modelsDir?: string): Promise<FaceBackendInfo> {
  const models = await loadVerifiedModels(modelsDir);
  return describeBackend(await selectBackend(), models);
}

/** Verifies the models (throws FACE_MODEL_HASH_MISMATCH and friends), starts the backend and loads the nets. */
export async function loadFaceRuntime(modelsDir?: string): Promise<FaceRuntime> {
  const models = await loadVerifiedModels(modelsDir);
  const backend = await selectBackend();
  const { nets } = backend.faceapi;
  loadNet(backend.faceapi, nets.tinyFaceDetector, 'tiny_face_detector_model', models);
  loadNet(backend.faceapi, nets.ssdMobilenetv1, 'ssd_mobilenetv1_model', models);
  loadNet(backend.faceapi, nets.faceLandmark68Net, 'face_landmark_68_model', models);
  loadNet(backend.faceapi, nets.faceRecognitionNet, 'face_recognition_model', models);
  return { faceapi: backend.faceapi, info: await describeBackend(backend, models), manifest: models.manifest };
}
