// The face engine, in-process: the fast path for live guidance (tiny detector + landmarks +
// quality) and the accurate path for verification (SSD + landmarks + 128-d descriptor). The face
// worker, the CLI, the calibration and the benchmark all drive this one class.
import type * as FaceApi from '@vladmandic/face-api';
import { z } from 'zod';
import type { Point } from './landmarks.js';
import { assessFaceQuality, faceQualityConfigSchema, INSTRUCTIONS, type Instruction, type QualityReport } from './quality.js';
import { cropPadded, resizeBilinear, rgbInt32, type Rect, type RgbaImage } from './rgba-image.js';
import { loadFaceRuntime, type FaceApiModule, type FaceBackendInfo } from './face-runtime.js';
import { verifyDescribed, type VerificationContext, type VerificationResult } from './verification.js';
import { GatehouseError } from '../errors.js';
import { loadRecognitionEngine, type EngineChoice } from './engines/engine-selection.js';
import type { EngineInfo, FaceToDescribe, RecognitionEngine } from './engines/recognition-engine.js';
import { cropAroundFace, isFaceCrop, type FaceCrop } from './face-crop.js';

export const faceAnalyzerConfigSchema = z.object({
  /** Input size of the tiny detector for guidance (multiple of 32): smaller is faster, larger finds smaller faces. */
  guidanceInputSize: z.number().int().multipleOf(32).min(128).max(608).default(224),
  guidanceMinScore: z.number().min(0).max(1).default(0.5),
  detectionMinConfidence: z.number().min(0).max(1).default(0.5),
  /** A face narrower than this (px) in a still is cut out with a margin and enlarged to it before it is described. */
  smallFacePx: z.number().int().min(0).default(160),
  /** Margin around a face that is cut out, as a fraction of the face box, on every side. */
  cropMargin: z.number().min(0).default(0.6),
  /** Grey added on every side of an image in which no face was found, up to this many px: tight crops need context. */
  maxContextPadPx: z.number().int().min(0).default(1024),
  quality: faceQualityConfigSchema.prefault({}),
});

export type FaceAnalyzerConfig = z.infer<typeof faceAnalyzerConfigSchema>;
export type FaceAnalyzerConfigInput = z.input<typeof faceAnalyzerConfigSchema>;

export type FaceCount = 'no-face' | 'one-face' | 'several-faces';

export interface DetectedFace {
  readonly box: Rect;
  readonly score: number;
}

export interface FrameAnalysis {
  readonly state: FaceCount;
  readonly width: number;
  readonly height: number;
  readonly faces: readonly DetectedFace[];
  /** For exactly one face. */
  readonly quality: QualityReport | null;
  /** What to tell the person, most important first; empty when the frame is good. */
  readonly guidance: readonly Instruction[];
  /** For exactly one face: the face cut out with guidance's findings, for verification to reuse. */
  readonly crop: FaceCrop | null;
}

export interface StillAnalysis {
  readonly state: FaceCount;
  readonly width: number;
  readonly height: number;
  readonly faces: ReadonlyArray<DetectedFace & { readonly quality: QualityReport }>;
}

/** A live frame is described only when it shows exactly one face; a portrait by its largest face. */
export type FaceRole = 'live' | 'portrait';

export interface DescribedFace {
  readonly state: FaceCount;
  readonly faces: readonly DetectedFace[];
  readonly face: (DetectedFace & { readonly quality: QualityReport }) | null;
  /** Biometric data: never log it. */
  readonly descriptor: Float32Array | null;
}

export interface FaceAnalyzerOptions {
  readonly modelsDir?: string;
  readonly config?: FaceAnalyzerConfigInput;
  /** The recognition engine (main/face/engines/); by default $GATEHOUSE_FACE_ENGINE, else the bundled net. */
  readonly engine?: EngineChoice;
}

/** The backend, and the recognition engine with the bands it decides with. */
export interface FaceAnalyzerInfo extends FaceBackendInfo {
  readonly engine: EngineInfo;
}

/** What a verification names and decides with; FACE_ENGINE_UNCALIBRATED for an engine loaded only to be calibrated. */
export function verificationContext(info: FaceAnalyzerInfo): VerificationContext {
  const { thresholds, ...engine } = info.engine;
  if (!thresholds) throw new GatehouseError('FACE_ENGINE_UNCALIBRATED', `The face engine ${engine.id} has no calibrated bands to decide with.`, { engine: engine.id });
  return { thresholds, engine, modelHash: info.modelHash, backend: info.backend };
}

type Tensor3D = FaceApi.tf.Tensor3D;

interface Located extends DetectedFace {
  readonly landmarks: readonly Point[];
}

/** Pixels of a pass map back to the original image as `p / scale + origin`. */
interface Placement {
  readonly originX: number;
  readonly originY: number;
  readonly scale: number;
}

interface SsdPass {
  readonly found: readonly Located[];
  readonly chosen: Located | null;
  readonly descriptor: Float32Array | null;
}

type PickFace = (found: readonly Located[]) => Located | null;

const largestOrNone: PickFace = (found) => (found.length === 0 ? null : largest(found));

const AS_IS: Placement = { originX: 0, originY: 0, scale: 1 };

function largest<T extends DetectedFace>(faces: readonly T[]): T {
  return faces.reduce((best, face) => (face.box.width * face.box.height > best.box.width * best.box.height ? face : best));
}

function countOf(faces: readonly unknown[]): FaceCount {
  return faces.length === 0 ? 'no-face' : faces.length === 1 ? 'one-face' : 'several-faces';
}

function place(result: FaceApi.WithFaceLandmarks<{ detection: FaceApi.FaceDetection }>, at: Placement): Located {
  const { box, score } = result.detection;
  const map = (x: number, y: number): Point => ({ x: x / at.scale + at.originX, y: y / at.scale + at.originY });
  const corner = map(box.x, box.y);
  return {
    box: { x: corner.x, y: corner.y, width: box.width / at.scale, height: box.height / at.scale },
    score,
    landmarks: result.landmarks.positions.map((p) => map(p.x, p.y)),
  };
}

export class FaceAnalyzer {
  readonly info: FaceAnalyzerInfo;

  private constructor(
    private readonly faceapi: FaceApiModule,
    backend: FaceBackendInfo,
    readonly config: FaceAnalyzerConfig,
    private readonly engine: RecognitionEngine,
  ) {
    this.info = { ...backend, engine: { ...engine.facts, thresholds: engine.thresholds } };
  }

  /** Verifies the models against the manifest, starts the backend, loads the nets and the recognition engine. */
  static async load(options: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
    const config = faceAnalyzerConfigSchema.parse(options.config ?? {});
    const runtime = await loadFaceRuntime(options.modelsDir);
    return new FaceAnalyzer(runtime.faceapi, runtime.info, config, await loadRecognitionEngine(runtime, options.engine));
  }

  /** Frees the recognition engine's native memory (the TensorFlow.js nets live as long as the process). */
  close(): Promise<void> {
    return this.engine.close();
  }

  /** Fast path, for every camera frame: boxes, and quality with instructions when exactly one face is in view. */
  async analyzeFrame(image: RgbaImage): Promise<FrameAnalysis> {
    const { faceapi, config } = this;
    const options = new faceapi.TinyFaceDetectorOptions({ inputSize: config.guidanceInputSize, scoreThreshold: config.guidanceMinScore });
    const found = await this.withTensor(image, async (input) => (await faceapi.detectAllFaces(input, options).withFaceLandmarks()).map((r) => place(r, AS_IS)));
    const faces = found.map(({ box, score }) => ({ box, score }));
    const base = { state: countOf(found), width: image.width, height: image.height, faces };
    const [only] = found;
    if (found.length !== 1 || !only) {
      return { ...base, quality: null, guidance: [found.length === 0 ? INSTRUCTIONS.lookAtCamera : INSTRUCTIONS.onePerson], crop: null };
    }
    const quality = assessFaceQuality({ image, box: only.box, landmarks: only.landmarks }, config.quality);
    const guidance = quality.checks.flatMap((check) => (check.instruction && !check.ok ? [check.instruction] : []));
    return { ...base, quality, guidance, crop: cropAroundFace(image, only, quality, config.cropMargin) };
  }

  /** Accurate path without descriptors, for inspecting a still: every face with its box and quality. */
  async analyzeStill(image: RgbaImage): Promise<StillAnalysis> {
    const { found } = await this.accuratePasses(image, () => null);
    const faces = found.map(({ box, score, landmarks }) => ({ box, score, quality: assessFaceQuality({ image, box, landmarks }, this.config.quality) }));
    return { state: countOf(found), width: image.width, height: image.height, faces };
  }

  /** Accurate path: finds the face, enlarges a small one, and computes its descriptor. */
  async describe(image: RgbaImage, role: FaceRole): Promise<DescribedFace> {
    const pickFace: PickFace = (found) => (role === 'live' && found.length > 1 ? null : largestOrNone(found));
    let pass = await this.accuratePasses(image, pickFace);
    const faces = pass.found.map(({ box, score }) => ({ box, score }));
    if (pass.chosen && pass.chosen.box.width < this.config.smallFacePx) {
      const enlarged = await this.describeEnlarged(image, pass.chosen);
      if (enlarged.chosen) pass = enlarged;
    }
    const { chosen, descriptor } = pass;
    if (!chosen || !descriptor) return { state: countOf(faces), faces, face: null, descriptor: null };
    const quality = assessFaceQuality({ image, box: chosen.box, landmarks: chosen.landmarks }, this.config.quality);
    return { state: countOf(faces), faces, face: { box: chosen.box, score: chosen.score, quality }, descriptor };
  }

  /**
   * The face guidance found, described without detecting it again: from guidance's box and
   * landmarks; a face narrower than `smallFacePx` is enlarged as the accurate path does, and its
   * landmarks found again there inside guidance's box (the landmark net alone, no detector).
   */
  async describeCrop(crop: FaceCrop): Promise<DescribedFace> {
    const { image, box, landmarks, origin, score, quality } = crop;
    const face: FaceToDescribe = box.width < this.config.smallFacePx ? await this.enlargedFace(image, box) : { image, box, landmarks };
    const inFrame = { box: { ...box, x: box.x + origin.x, y: box.y + origin.y }, score };
    return { state: 'one-face', faces: [inFrame], face: { ...inFrame, quality }, descriptor: await this.engine.describe(face) };
  }

  /**
   * Live frames (images, guidance's crops, or faces described before) against the document
   * portrait (an image, or one described before with `describe(image, 'portrait')`): the best
   * frames by quality, their mean distance and its band.
   */
  async verify(live: ReadonlyArray<RgbaImage | FaceCrop | DescribedFace>, portrait: RgbaImage | DescribedFace): Promise<VerificationResult> {
    const context = verificationContext(this.info);
    const described: DescribedFace[] = [];
    for (const frame of live) {
      described.push('descriptor' in frame ? frame : isFaceCrop(frame) ? await this.describeCrop(frame) : await this.describe(frame, 'live'));
    }
    const reference = 'descriptor' in portrait ? portrait : await this.describe(portrait, 'portrait');
    return verifyDescribed(described, reference, context);
  }

  /** Cuts the face out with a margin, scales it to `smallFacePx` wide and runs the accurate path again on that. */
  private describeEnlarged(image: RgbaImage, face: Located): Promise<SsdPass> {
    const { enlarged, at } = this.enlarge(image, face.box);
    return this.ssdPass(enlarged, at, largestOrNone);
  }

  /** `box` with a margin around it (grey beyond the image), scaled so that the face is `smallFacePx` wide. */
  private enlarge(image: RgbaImage, box: Rect): { enlarged: RgbaImage; at: Placement } {
    const { cropMargin, smallFacePx } = this.config;
    const margin = cropMargin * Math.max(box.width, box.height);
    const region = { x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin, height: box.height + 2 * margin };
    const crop = cropPadded(image, region);
    const scale = smallFacePx / box.width;
    const enlarged = resizeBilinear(crop, Math.round(crop.width * scale), Math.round(crop.height * scale));
    return { enlarged, at: { originX: Math.round(region.x), originY: Math.round(region.y), scale: enlarged.width / crop.width } };
  }

  /** A small face of guidance enlarged, with its box carried over and the 68 landmarks found again in that box. */
  private async enlargedFace(image: RgbaImage, box: Rect): Promise<FaceToDescribe> {
    const { faceapi } = this;
    const { enlarged, at } = this.enlarge(image, box);
    const seen = new faceapi.Rect((box.x - at.originX) * at.scale, (box.y - at.originY) * at.scale, box.width * at.scale, box.height * at.scale);
    const landmarks = await this.withTensor(enlarged, async (input) => {
      const [face] = await faceapi.extractFaceTensors(input, [seen]);
      try {
        const found = (await faceapi.nets.faceLandmark68Net.detectLandmarks(face)) as FaceApi.FaceLandmarks68;
        // Shifted by the box as given, as face-api's own landmark task does.
        return found.shiftBy(seen.x, seen.y).positions.map(({ x, y }) => ({ x, y }));
      } finally {
        face.dispose();
      }
    });
    return { image: enlarged, box: { x: seen.x, y: seen.y, width: seen.width, height: seen.height }, landmarks };
  }

  /** SSD on the image; if it finds nothing, again with grey around it, as a tight crop leaves the detector no context. */
  private async accuratePasses(image: RgbaImage, pickFace: PickFace): Promise<SsdPass> {
    const pass = await this.ssdPass(image, AS_IS, pickFace);
    if (pass.found.length > 0 || this.config.maxContextPadPx === 0) return pass;
    const pad = Math.min(this.config.maxContextPadPx, Math.max(image.width, image.height));
    const padded = cropPadded(image, { x: -pad, y: -pad, width: image.width + 2 * pad, height: image.height + 2 * pad });
    return this.ssdPass(padded, { originX: -pad, originY: -pad, scale: 1 }, pickFace);
  }

  /** SSD and landmarks on `image`; then the recognition engine's descriptor of the face `pickFace` chooses, if any. */
  private async ssdPass(image: RgbaImage, at: Placement, pickFace: PickFace): Promise<SsdPass> {
    const { faceapi } = this;
    const options = new faceapi.SsdMobilenetv1Options({ minConfidence: this.config.detectionMinConfidence });
    const results = await this.withTensor(image, async (input) => await faceapi.detectAllFaces(input, options).withFaceLandmarks());
    const found = results.map((r) => place(r, at));
    const chosen = pickFace(found);
    if (!chosen) return { found, chosen: null, descriptor: null };
    const { detection, landmarks } = results[found.indexOf(chosen)];
    const { x, y, width, height } = detection.box;
    return { found, chosen, descriptor: await this.engine.describe({ image, box: { x, y, width, height }, landmarks: landmarks.positions }) };
  }

  private async withTensor<T>(image: RgbaImage, run: (input: Tensor3D) => Promise<T>): Promise<T> {
    const input = this.faceapi.tf.tensor3d(rgbInt32(image.data, image.width, image.height), [image.height, image.width, 3], 'int32');
    try {
      return await run(input);
    } finally {
      input.dispose();
    }
  }
}
