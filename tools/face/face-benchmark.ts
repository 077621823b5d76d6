// The face budgets measured through the real workers (run from the compiled tree, as `npm run
// bench` does), side by side with plain face-api on the same frames in the same run: guidance
// per frame, verification of three live frames and a portrait, worker start, peak memory, and
// the backend that ran. Gatehouse and the reference take turns, so that load from elsewhere on
// the machine falls on both alike. Gatehouse decodes the JPEG frames in its worker as the kiosk
// does (libjpeg-turbo); the reference decodes them with jpeg-js, which also writes them.
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';
import jpeg from 'jpeg-js';
import { GatehouseError } from '../../main/errors.js';
import type { FaceCrop } from '../../main/face/face-crop.js';
import { loadFaceRuntime, type FaceApiModule } from '../../main/face/face-runtime.js';
import { FaceWorkerClient } from '../../main/face/face-worker-client.js';
import { cropPadded, decodeImage, resizeBilinear, rgbInt32, type Rect, type RgbaImage } from '../../main/face/rgba-image.js';
import type { FrameInput } from '../../main/face/worker-protocol.js';
import { defaultFacesDir } from './calibration.js';

/** Each round times one frame of each kind, Gatehouse and reference in turn; the medians are reported. */
const GUIDANCE_ROUNDS = 30;
const VERIFY_ROUNDS = 5;

/** Where the face sits in the sample photos, for cutting 640×480 "camera frames" out of them. */
const LIVE_SOURCE = 'identities/obama/obama3.jpg';
const LIVE_REGIONS: readonly Rect[] = [
  { x: 300, y: 20, width: 900, height: 675 },
  { x: 330, y: 40, width: 880, height: 660 },
  { x: 280, y: 10, width: 920, height: 690 },
];
const PORTRAIT_SOURCE = 'identities/obama/obama.jpg';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await run();
  return [result, performance.now() - start];
}

function toJpeg(image: RgbaImage): Uint8Array {
  return jpeg.encode({ width: image.width, height: image.height, data: image.data }, 85).data;
}

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/**
 * Plain face-api, as its README drives it, on this process's main thread with the same checked
 * models and backend: decode (jpeg-js, the decoder face-api users on Node without tfjs-node or
 * canvas reach for), a tensor, then the tiny detector + landmarks for guidance, or SSD +
 * landmarks + descriptor for each image of a verification.
 */
class PlainFaceApi {
  constructor(private readonly faceapi: FaceApiModule) {}

  async guidance(frame: Uint8Array | RgbaImage): Promise<number> {
    const options = new this.faceapi.TinyFaceDetectorOptions({ inputSize: 224, scoreThreshold: 0.5 });
    return this.withTensor(frame, async (input) => (await this.faceapi.detectAllFaces(input, options).withFaceLandmarks()).length);
  }

  async describe(image: Uint8Array): Promise<number> {
    const options = new this.faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
    return this.withTensor(image, async (input) => (await this.faceapi.detectAllFaces(input, options).withFaceLandmarks().withFaceDescriptors()).length);
  }

  private async withTensor(frame: Uint8Array | RgbaImage, run: (input: FaceApi.tf.Tensor3D) => Promise<number>): Promise<number> {
    const image = frame instanceof Uint8Array ? jpeg.decode(frame, { useTArray: true, formatAsRGBA: false }) : frame;
    const rgb = rgbInt32(image.data, image.width, image.height, frame instanceof Uint8Array ? 3 : 4);
    const input = this.faceapi.tf.tensor3d(rgb, [image.height, image.width, 3], 'int32');
    try {
      return await run(input);
    } finally {
      input.dispose();
    }
  }
}

function oneFace(count: number): void {
  if (count !== 1) throw new GatehouseError('FACE_BENCHMARK_INVALID', 'A benchmark image did not give exactly one face.', { faces: count });
}

async function gatehouseGuidance(client: FaceWorkerClient, frame: FrameInput): Promise<FaceCrop> {
  const result = await client.analyzeFrame(frame);
  if (result.status !== 'analyzed' || !result.analysis.crop) {
    throw new GatehouseError('FACE_BENCHMARK_INVALID', 'The benchmark frame did not give exactly one face.');
  }
  return result.analysis.crop;
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const ratio = (value: number, reference: number): number => round(value / reference, 2);

/** Figures for docs/BENCHMARKS.md; needs the development face set (GATEHOUSE_FACES_DIR). */
export async function runFaceBenchmark(options: { facesDir?: string; workerUrl?: URL } = {}): Promise<Record<string, number | string>> {
  const facesDir = options.facesDir ?? defaultFacesDir();
  const read = (file: string): Promise<Uint8Array> =>
    readFile(join(facesDir, file)).catch(() => {
      throw new GatehouseError('FACE_DATA_MISSING', `The face benchmark needs ${join(facesDir, file)}; set GATEHOUSE_FACES_DIR.`);
    });
  const photo = decodeImage(await read(LIVE_SOURCE));
  const rgbaFrames = LIVE_REGIONS.map((region) => resizeBilinear(cropPadded(photo, region), 640, 480));
  const jpegFrames = rgbaFrames.map(toJpeg);
  const portrait = await read(PORTRAIT_SOURCE);

  const client = new FaceWorkerClient({ workerUrl: options.workerUrl });
  try {
    const [info, startMs] = await timed(() => client.start());
    const crops: FaceCrop[] = [];
    for (const frame of jpegFrames) crops.push(await gatehouseGuidance(client, frame));
    let decision = (await client.verify(crops, portrait)).decision;
    const gatehousePeak = peakRssMb();

    const reference = new PlainFaceApi((await loadFaceRuntime()).faceapi);
    oneFace(await reference.guidance(jpegFrames[0]));
    for (const image of [...jpegFrames, portrait]) oneFace(await reference.describe(image));

    const guidance = { jpeg: [] as number[], rgba: [] as number[], refJpeg: [] as number[], refRgba: [] as number[] };
    for (let r = 0; r < GUIDANCE_ROUNDS; r++) {
      // One frame at a time, as the kiosk's screen sends them.
      const frame = r % jpegFrames.length;
      guidance.jpeg.push((await timed(() => gatehouseGuidance(client, jpegFrames[frame])))[1]);
      guidance.refJpeg.push((await timed(() => reference.guidance(jpegFrames[frame])))[1]);
      guidance.rgba.push((await timed(() => gatehouseGuidance(client, rgbaFrames[frame])))[1]);
      guidance.refRgba.push((await timed(() => reference.guidance(rgbaFrames[frame])))[1]);
    }
    const verify = { cold: [] as number[], prepared: [] as number[], reference: [] as number[] };
    for (let r = 0; r < VERIFY_ROUNDS; r++) {
      const [result, coldMs] = await timed(() => client.verify(crops, portrait));
      decision = result.decision;
      verify.cold.push(coldMs);
      const prepared = await client.preparePortrait(portrait);
      verify.prepared.push((await timed(() => client.verify(crops, prepared)))[1]);
      verify.reference.push((await timed(async () => {
        for (const image of [...jpegFrames, portrait]) await reference.describe(image);
      }))[1]);
    }
    const m = {
      jpeg: median(guidance.jpeg), rgba: median(guidance.rgba), refJpeg: median(guidance.refJpeg), refRgba: median(guidance.refRgba),
      cold: median(verify.cold), prepared: median(verify.prepared), reference: median(verify.reference),
    };
    return {
      machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
      node: process.versions.node,
      backend: `${info.backend}${info.simd ? ' + SIMD' : ''}`,
      workerStartMs: round(startMs),
      guidanceJpeg640x480Ms: round(m.jpeg),
      guidanceRgba640x480Ms: round(m.rgba),
      referenceGuidanceJpegMs: round(m.refJpeg),
      referenceGuidanceRgbaMs: round(m.refRgba),
      guidanceJpegRatio: ratio(m.jpeg, m.refJpeg),
      guidanceJpegToReferenceRgbaRatio: ratio(m.jpeg, m.refRgba),
      guidanceRgbaRatio: ratio(m.rgba, m.refRgba),
      verify3LivePlusPortraitMs: round(m.cold),
      verify3LivePreparedPortraitMs: round(m.prepared),
      referenceVerify3LivePlusPortraitMs: round(m.reference),
      verifyRatio: ratio(m.cold, m.reference),
      verifyPreparedRatio: ratio(m.prepared, m.reference),
      verifyDecision: decision,
      peakRssMb: round(gatehousePeak, 0),
      peakRssWithReferenceMb: round(peakRssMb(), 0),
    };
  } finally {
    await client.close();
  }
}
