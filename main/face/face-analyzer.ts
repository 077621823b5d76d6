// The face engine, in-process: the fast path for live guidance (tiny detector + landmarks +
// quality) and the accurate path for verification (SSD + landmarks + 128-d descriptor). The face
// worker, the CLI, the calibration and the benchmark all drive this one class.
import type * as FaceApi from '@vladmandic/face-api';
import { z } from 'zod';
import type { Point } from './landmarks.js';
import { assessFaceQuality, faceQualityConfigSchema, INSTRUCTIONS, type Instruction, type QualityReport } from './quality.js';
import { cropPadded, resizeBilinear, type Rect, type RgbaImage } from './rgba-image.js';
import { loadFaceRuntime, type FaceApiModule, type FaceBackendInfo } from './face-runtime.js';
import { verifyDescribed, type VerificationResult } from './verification.js';
import { VERIFICATION_THRESHOLDS, type VerificationThresholds } from './verification-thresholds.js';

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
  private constructor(
    private readonly faceapi: FaceApiModule,
    readonly info: FaceBackendInfo,
    readonly config: FaceAnalyzerConfig,
  ) {}

  /** Verifies the models against the manifest, starts the backend and loads the nets. */
  static async load(options: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
    const runtime = await loadFaceRuntime(options.modelsDir);
    return new FaceAnalyzer(runtime.faceapi, runtime.info, faceAnalyzerConfigSchema.parse(options.config ?? {}));
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
      return { ...base, quality: null, guidance: [found.length === 0 ? INSTRUCTIONS.lookAtCamera : INSTRUCTIONS.onePerson] };
    }
    const quality = assessFaceQuality({ image, box: only.box, landmarks: only.landmarks }, config.quality);
    return { ...base, quality, guidance: quality.checks.flatMap((check) => (check.instruction && !check.ok ? [check.instruction] : [])) };
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
   * Live frames against the document portrait (an image, or one described before with
   * `describe(image, 'portrait')`): the best frames by quality, their mean distance and its band.
   */
  async verify(live: readonly RgbaImage[], portrait: RgbaImage | DescribedFace, thresholds: VerificationThresholds = VERIFICATION_THRESHOLDS): Promise<VerificationResult> {
    const described: DescribedFace[] = [];
    for (const frame of live) described.push(await this.describe(frame, 'live'));
    const reference = 'descriptor' in portrait ? portrait : await this.describe(portrait, 'portrait');
    return verifyDescribed(described, reference, { thresholds, modelHash: this.info.modelHash, backend: this.info.backend });
  }

  /** Cuts the face out with a margin, scales it to `smallFacePx` wide and runs the accurate path again on that. */
  private describeEnlarged(image: RgbaImage, face: Located): Promise<SsdPass> {
    const { cropMargin, smallFacePx } = this.config;
    const margin = cropMargin * Math.max(face.box.width, face.box.height);
    const region = { x: face.box.x - margin, y: face.box.y - margin, width: face.box.width + 2 * margin, height: face.box.height + 2 * margin };
    const crop = cropPadded(image, region);
    const scale = smallFacePx / face.box.width;
    const enlarged = resizeBilinear(crop, Math.round(crop.width * scale), Math.round(crop.height * scale));
    return this.ssdPass(enlarged, { originX: Math.round(region.x), originY: Math.round(region.y), scale: enlarged.width / crop.width }, largestOrNone);
  }

  /** SSD on the image; if it finds nothing, again with grey around it, as a tight crop leaves the detector no context. */
  private async accuratePasses(image: RgbaImage, pickFace: PickFace): Promise<SsdPass> {
    const pass = await this.ssdPass(image, AS_IS, pickFace);
    if (pass.found.length > 0 || this.config.maxContextPadPx === 0) return pass;
    const pad = Math.min(this.config.maxContextPadPx, Math.max(image.width, image.height));
    const padded = cropPadded(image, { x: -pad, y: -pad, width: image.width + 2 * pad, height: image.height + 2 * pad });
    return this.ssdPass(padded, { originX: -pad, originY: -pad, scale: 1 }, pickFace);
  }

  /** SSD and landmarks on `image`; then the descriptor of the face `pickFace` chooses, if any. */
  private ssdPass(image: RgbaImage, at: Placement, pickFace: PickFace): Promise<SsdPass> {
    const { faceapi } = this;
    const options = new faceapi.SsdMobilenetv1Options({ minConfidence: this.config.detectionMinConfidence });
    return this.withTensor(image, async (input) => {
      const results = await faceapi.detectAllFaces(input, options).withFaceLandmarks();
      const found = results.map((r) => place(r, at));
      const chosen = pickFace(found);
      if (!chosen) return { found, chosen: null, descriptor: null };
      const aligned = results[found.indexOf(chosen)].landmarks.align(null, { useDlibAlignment: true });
      const [chip] = await faceapi.extractFaceTensors(input, [aligned]);
      try {
        return { found, chosen, descriptor: (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(chip)) as Float32Array };
      } finally {
        chip.dispose();
      }
    });
  }

  private async withTensor<T>(image: RgbaImage, run: (input: Tensor3D) => Promise<T>): Promise<T> {
    const rgb = new Int32Array(image.width * image.height * 3);
    for (let i = 0, p = 0; i < rgb.length; i += 3, p += 4) {
      rgb[i] = image.data[p];
      rgb[i + 1] = image.data[p + 1];
      rgb[i + 2] = image.data[p + 2];
    }
    const input = this.faceapi.tf.tensor3d(rgb, [image.height, image.width, 3], 'int32');
    try {
      return await run(input);
    } finally {
      input.dispose();
    }
  }
}
