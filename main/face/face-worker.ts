// Entry of the face worker thread: loads the models (refusing to start on a hash mismatch),
// reports its backend, then answers requests one at a time so inference never interleaves.
import { parentPort, workerData } from 'node:worker_threads';
import { GatehouseError } from '../errors.js';
import { FaceAnalyzer, type FaceAnalyzerOptions } from './face-analyzer.js';
import { handleFaceRequest, toErrorPayload, type FaceRequest, type WorkerStartMessage } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new GatehouseError('FACE_WORKER_MISUSED', 'face-worker.js runs only as a worker thread; start it with FaceWorkerClient.');

let analyzer: FaceAnalyzer | null = null;
try {
  analyzer = await FaceAnalyzer.load(workerData as FaceAnalyzerOptions);
  port.postMessage({ kind: 'ready', info: analyzer.info } satisfies WorkerStartMessage);
} catch (error) {
  port.postMessage({ kind: 'failed', error: toErrorPayload(error) } satisfies WorkerStartMessage);
}

if (analyzer) {
  const engine = analyzer;
  let queue = Promise.resolve();
  port.on('message', (request: FaceRequest) => {
    queue = queue.then(async () => port.postMessage(await handleFaceRequest(engine, request)));
  });
}
