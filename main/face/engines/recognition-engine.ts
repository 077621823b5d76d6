// What a face recognition engine is to the rest of the face code: the step that turns one found
// face into a descriptor, with the facts a verification result and the record carry about it
// (id, model hash, distance metric) and its own calibrated bands. Detection and landmarks stay
// shared (face-api's SSD and 68-point net); each engine builds its own crop from them.
import type { Point } from '../landmarks.js';
import type { Rect, RgbaImage } from '../rgba-image.js';
import type { VerificationThresholds } from '../verification-thresholds.js';
import type { DistanceMetric } from './descriptor-distance.js';

/** A face the shared detector found: the image it looked at, its box and its 68 landmarks, in pixels of that image. */
export interface FaceToDescribe {
  readonly image: RgbaImage;
  readonly box: Rect;
  /** iBUG 300-W order (main/face/landmarks.ts). */
  readonly landmarks: readonly Point[];
}

/** What a verification result and the sealed record say about the engine that decided it. */
export interface EngineFacts {
  readonly id: string;
  /** sha256 of the recognition model's bytes (for the bundled net: of its files' sha256 lines, as models/manifest.json lists them). */
  readonly modelSha256: string;
  readonly metric: DistanceMetric;
}

export interface RecognitionEngine {
  readonly facts: EngineFacts;
  /** The calibrated bands for this engine's distances; null for an engine not calibrated yet (only `face calibrate` loads one). */
  readonly thresholds: VerificationThresholds | null;
  /** The descriptor of one face. Biometric data: never log it. */
  describe(face: FaceToDescribe): Promise<Float32Array>;
  /** Frees what the engine holds outside the JavaScript heap. */
  close(): Promise<void>;
}

/** The engine as the face worker reports it: its facts and the bands it decides with. */
export interface EngineInfo extends EngineFacts {
  readonly thresholds: VerificationThresholds | null;
}
