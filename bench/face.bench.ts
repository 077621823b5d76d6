// The face budgets through the real worker thread (wasm backend here): guidance frames
// per second, verification latency for 3 live frames + 1 portrait, worker start, peak
// memory. Needs the development face set beside the checkout (GATEHOUSE_FACES_DIR).

import { runFaceBenchmark } from '../tools/face/face-benchmark.js';
import type { Benchmark } from './report.js';

export const faceBenchmark: Benchmark = {
  name: 'Face analysis (worker thread)',
  command: 'npm run bench -- face',
  async run() {
    const r = await runFaceBenchmark();
    const backend = `backend ${r.backend}`;
    return [
      { metric: 'worker start (models loaded)', value: Number(r.workerStartMs), unit: 'ms', note: backend },
      { metric: 'guidance, 640×480 JPEG frames', value: Number(r.guidanceJpeg640x480Fps), unit: 'frames/s', goal: { op: '>=', value: 10 } },
      { metric: 'guidance, 640×480 RGBA frames', value: Number(r.guidanceRgba640x480Fps), unit: 'frames/s', goal: { op: '>=', value: 10 } },
      { metric: 'verify 3 live frames + portrait image', value: Number(r.verify3LivePlusPortraitMs), unit: 'ms', goal: { op: '<=', value: 1200 } },
      { metric: 'verify 3 live frames + portrait prepared at document read', value: Number(r.verify3LivePreparedPortraitMs), unit: 'ms', goal: { op: '<=', value: 1200 } },
      { metric: 'peak resident memory', value: Number(r.peakRssMb), unit: 'MB' },
    ];
  },
};
