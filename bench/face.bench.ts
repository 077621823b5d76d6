// The face budgets through the real worker threads (wasm backend here), measured in the same run
// as plain face-api on the same frames: guidance per 640×480 frame (JPEG and RGBA), verification
// of 3 live frames + 1 portrait, the ratios to the reference, worker start and peak memory.
// Needs the development face set beside the checkout (GATEHOUSE_FACES_DIR).

import { loadavg } from 'node:os';
import { runFaceBenchmark } from '../tools/face/face-benchmark.js';
import type { Benchmark } from './report.js';

export const faceBenchmark: Benchmark = {
  name: 'Face analysis (worker threads) against plain face-api',
  command: 'npm run bench -- face',
  async run() {
    const r = await runFaceBenchmark();
    const n = (key: string): number => Number(r[key]);
    const reference = (key: string): string => `plain face-api: ${n(key)} ms`;
    const jpegGuidanceNote = n('guidanceJpegRatio') > 1
      ? 'not met: each frame costs Gatehouse its own work (quality, the crop for verification, the hop to the worker thread: see the RGBA row)'
      : '';
    return [
      { metric: 'worker start (2 workers, models loaded)', value: n('workerStartMs'), unit: 'ms', note: `backend ${r.backend}` },
      { metric: 'guidance, 640×480 JPEG frame', value: n('guidanceJpeg640x480Ms'), unit: 'ms', note: `decoded by libjpeg-turbo (wasm) in the worker; ${reference('referenceGuidanceJpegMs')} from the JPEG (jpeg-js), ${n('referenceGuidanceRgbaMs')} ms from decoded pixels` },
      { metric: 'guidance on JPEG ÷ plain face-api on the same JPEG', value: n('guidanceJpegRatio'), unit: '×', goal: { op: '<=', value: 1 }, note: jpegGuidanceNote },
      { metric: 'guidance on JPEG ÷ plain face-api on decoded pixels', value: n('guidanceJpegToReferenceRgbaRatio'), unit: '×', note: 'the reference spared the JPEG decode' },
      { metric: 'guidance, 640×480 RGBA frame', value: n('guidanceRgba640x480Ms'), unit: 'ms', note: `${reference('referenceGuidanceRgbaMs')}; ${n('guidanceRgbaRatio')} × the reference` },
      { metric: 'verify 3 live frames + portrait image', value: n('verify3LivePlusPortraitMs'), unit: 'ms', note: `${reference('referenceVerify3LivePlusPortraitMs')} (SSD + landmarks + descriptor per image)` },
      { metric: 'verify 3 live frames + portrait image ÷ plain face-api', value: n('verifyRatio'), unit: '×', goal: { op: '<=', value: 0.5 } },
      { metric: 'verify 3 live frames + portrait prepared at document read', value: n('verify3LivePreparedPortraitMs'), unit: 'ms', note: `${n('verifyPreparedRatio')} × plain face-api` },
      { metric: 'peak resident memory (main thread + 2 face workers)', value: n('peakRssMb'), unit: 'MB', note: `${n('peakRssWithReferenceMb')} MB once the reference is loaded too` },
      {
        metric: 'load average (1 min) at the end of the run', value: loadavg()[0], unit: '',
        note: 'other jobs on the machine inflate the absolute times; Gatehouse and the reference took turns, frame by frame, so the ratios compare like with like',
      },
    ];
  },
};
