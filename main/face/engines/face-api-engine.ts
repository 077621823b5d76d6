// The bundled recognition engine, the default: face-api's 128-d ResNet (a port of dlib's face
// recognition net, MIT), Euclidean distance, the bands in verification-thresholds.ts. It cuts its
// chip exactly as face-api's own pipeline does (its "dlib" alignment box, reproduced here from
// the landmarks and the box the landmark net saw), so its descriptors are face-api's to the bit.
import { GatehouseError } from '../../errors.js';
import type { FaceApiModule } from '../face-runtime.js';
import { centroid, type Point } from '../landmarks.js';
import { modelHashOf, type ModelManifest } from '../model-manifest.js';
import type { Rect } from '../rgba-image.js';
import { VERIFICATION_THRESHOLDS } from '../verification-thresholds.js';
import type { EngineFacts, FaceToDescribe, RecognitionEngine } from './recognition-engine.js';

export const BUNDLED_ENGINE_ID = 'face-api-resnet128';
const RECOGNITION_MODEL = 'face_recognition_model';

/** The bundled net's hash: over its own files' `file sha256` lines in models/manifest.json (the same rule as the model hash). */
export function bundledModelSha256(manifest: ModelManifest): string {
  return modelHashOf({ files: manifest.files.filter((entry) => entry.model === RECOGNITION_MODEL) });
}

/**
 * The chip face-api's recognition net is given: a square of side (mean eye-to-mouth distance) / 0.45,
 * placed at 0.5 and 0.43 of its side left of and above the centre of the eye and mouth centres,
 * cut short to the size of the box the landmark net saw (the detection box clipped to the image,
 * floored) and then to the image. Integer pixels.
 */
export function faceApiChipRect({ image, box, landmarks }: FaceToDescribe): Rect {
  const boxLeft = Math.max(box.x, 0);
  const boxTop = Math.max(box.y, 0);
  const seenWidth = Math.floor(Math.min(box.x + box.width - boxLeft, image.width - boxLeft));
  const seenHeight = Math.floor(Math.min(box.y + box.height - boxTop, image.height - boxTop));
  const leftEye = centroid(landmarks.slice(36, 42));
  const rightEye = centroid(landmarks.slice(42, 48));
  const mouth = centroid(landmarks.slice(48, 68));
  const toMouth = (p: Point): number => Math.sqrt((mouth.x - p.x) ** 2 + (mouth.y - p.y) ** 2);
  const size = Math.floor((toMouth(leftEye) + toMouth(rightEye)) / 2 / 0.45);
  const middle = centroid([leftEye, rightEye, mouth]);
  const x = Math.floor(Math.max(0, middle.x - 0.5 * size));
  const y = Math.floor(Math.max(0, middle.y - 0.43 * size));
  const width = Math.min(size, seenWidth + x);
  const height = Math.min(size, seenHeight + y);
  return { x, y, width: Math.floor(Math.min(width, image.width - x)), height: Math.floor(Math.min(height, image.height - y)) };
}

export class FaceApiRecognitionEngine implements RecognitionEngine {
  readonly facts: EngineFacts;
  readonly thresholds = VERIFICATION_THRESHOLDS;

  /** `faceapi` with its recognition net loaded from the checked models of `manifest`. */
  constructor(private readonly faceapi: FaceApiModule, manifest: ModelManifest) {
    this.facts = { id: BUNDLED_ENGINE_ID, modelSha256: bundledModelSha256(manifest), metric: 'euclidean' };
  }

  async describe(face: FaceToDescribe): Promise<Float32Array> {
    const { image } = face;
    const chip = faceApiChipRect(face);
    if (chip.width <= 0 || chip.height <= 0) {
      throw new GatehouseError('FACE_ENGINE_CROP_EMPTY', 'The face lies outside the image: there is nothing to describe.', { chip });
    }
    const rgb = new Int32Array(chip.width * chip.height * 3);
    for (let row = 0, i = 0; row < chip.height; row++) {
      for (let column = 0, p = ((chip.y + row) * image.width + chip.x) * 4; column < chip.width; column++, p += 4, i += 3) {
        rgb[i] = image.data[p];
        rgb[i + 1] = image.data[p + 1];
        rgb[i + 2] = image.data[p + 2];
      }
    }
    const tensor = this.faceapi.tf.tensor3d(rgb, [chip.height, chip.width, 3], 'int32');
    try {
      return (await this.faceapi.nets.faceRecognitionNet.computeFaceDescriptor(tensor)) as Float32Array;
    } finally {
      tensor.dispose();
    }
  }

  async close(): Promise<void> {
    // The net belongs to the face runtime, which lives as long as the process.
  }
}
