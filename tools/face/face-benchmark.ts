// The face budgets measured through the real worker (run from the compiled tree, as `npm run
// bench` does): worker start, guidance frames per second, verification latency for three live
// frames and a portrait, peak memory, and the backend that ran.
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { GatehouseError } from '../../main/errors.js';
import { defaultFacesDir } from './calibration.js';
import { FaceWorkerClient } from '../../main/face/face-worker-client.js';
import { cropPadded, decodeImage, resizeBilinear, type Rect, type RgbaImage } from '../../main/face/rgba-image.js';
import type { FrameInput } from '../../main/face/worker-protocol.js';

const GUIDANCE_FRAMES = 30;
const VERIFY_RUNS = 3;

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

async function guidanceMs(client: FaceWorkerClient, frame: FrameInput): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < GUIDANCE_FRAMES; i++) {
    const [result, ms] = await timed(() => client.analyzeFrame(frame));
    if (result.status !== 'analyzed' || result.analysis.state !== 'one-face') {
      throw new GatehouseError('FACE_BENCHMARK_INVALID', 'The benchmark frame did not give exactly one face.');
    }
    times.push(ms);
  }
  return median(times);
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

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
    const [, firstFrameMs] = await timed(() => client.analyzeFrame(jpegFrames[0]));
    const jpegMs = await guidanceMs(client, jpegFrames[0]);
    const rgbaMs = await guidanceMs(client, rgbaFrames[0]);
    const cold: number[] = [];
    const prepared: number[] = [];
    let decision = '';
    for (let run = 0; run < VERIFY_RUNS; run++) {
      const [result, ms] = await timed(() => client.verify(jpegFrames, portrait));
      cold.push(ms);
      decision = result.decision;
      const portraitFace = await client.preparePortrait(portrait);
      prepared.push((await timed(() => client.verify(jpegFrames, portraitFace)))[1]);
    }
    return {
      machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
      node: process.versions.node,
      backend: `${info.backend}${info.simd ? ' + SIMD' : ''}`,
      workerStartMs: round(startMs),
      firstFrameMs: round(firstFrameMs),
      guidanceJpeg640x480Ms: round(jpegMs),
      guidanceJpeg640x480Fps: round(1000 / jpegMs),
      guidanceRgba640x480Ms: round(rgbaMs),
      guidanceRgba640x480Fps: round(1000 / rgbaMs),
      verify3LivePlusPortraitMs: round(median(cold)),
      verify3LivePreparedPortraitMs: round(median(prepared)),
      verifyDecision: decision,
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 0),
    };
  } finally {
    await client.close();
  }
}
