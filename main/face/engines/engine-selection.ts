// Which recognition engine the face code runs: the bundled face-api net unless the deployment
// names an engine manifest (the option, else GATEHOUSE_FACE_ENGINE, e.g. from
// /etc/gatehouse/gatehouse.conf). A named engine that cannot be loaded, or has no calibrated
// bands, stops the face worker's start with its typed error: never a quiet fall-back.
import { GatehouseError } from '../../errors.js';
import type { FaceRuntime } from '../face-runtime.js';
import { FaceApiRecognitionEngine } from './face-api-engine.js';
import { OnnxRecognitionEngine } from './onnx-engine.js';
import type { RecognitionEngine } from './recognition-engine.js';

export const FACE_ENGINE_ENV = 'GATEHOUSE_FACE_ENGINE';

export interface EngineChoice {
  /** The engine manifest; null: the bundled engine; undefined: $GATEHOUSE_FACE_ENGINE, and the bundled engine when that is unset or empty. */
  readonly manifest?: string | null;
  /** For `face calibrate`: an engine without bands loads. */
  readonly calibrating?: boolean;
}

export function configuredEngineManifest(choice: EngineChoice): string | null {
  const named = choice.manifest === undefined ? process.env[FACE_ENGINE_ENV] : choice.manifest;
  return named ? named : null;
}

export async function loadRecognitionEngine(runtime: FaceRuntime, choice: EngineChoice = {}): Promise<RecognitionEngine> {
  const manifest = configuredEngineManifest(choice);
  if (manifest === null) return new FaceApiRecognitionEngine(runtime.faceapi, runtime.manifest);
  const engine = await OnnxRecognitionEngine.load(manifest);
  if (engine.thresholds === null && !choice.calibrating) {
    await engine.close();
    throw new GatehouseError('FACE_ENGINE_UNCALIBRATED',
      `The face engine ${engine.facts.id} (${manifest}) has no calibrated bands: run "gatehouse face calibrate --engine ${manifest}" and put its thresholds into the manifest.`,
      { engine: engine.facts.id, manifest });
  }
  return engine;
}
