// FaceWorkerClient against a fake worker: newest frame wins, start refusals and worker deaths
// become GatehouseErrors, responses find their callers.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../../main/errors.js';
import type { FrameAnalysis } from '../../../../main/face/face-analyzer.js';
import { FaceWorkerClient, type WorkerLike } from '../../../../main/face/face-worker-client.js';
import type { FaceRequest, FaceResponse, WorkerStartMessage } from '../../../../main/face/worker-protocol.js';

const INFO = { backend: 'wasm', simd: true, nativeUnavailable: 'not installed', tfjsVersion: '4.22.0', faceApiVersion: '1.7.15', modelHash: 'ab'.repeat(32), modelsDir: '/models' } as const;

class FakeWorker extends EventEmitter implements WorkerLike {
  readonly received: FaceRequest[] = [];
  terminated = false;
  postMessage(message: unknown): void {
    this.received.push(message as FaceRequest);
  }
  async terminate(): Promise<number> {
    this.terminated = true;
    this.emit('exit', 1);
    return 1;
  }
  say(message: WorkerStartMessage | FaceResponse): void {
    this.emit('message', message);
  }
}

function analysisOf(width: number): FrameAnalysis {
  return { state: 'no-face', width, height: 1, faces: [], quality: null, guidance: [] };
}

/** Lets queued promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function startedClient(): Promise<{ client: FaceWorkerClient; worker: FakeWorker }> {
  const worker = new FakeWorker();
  const client = new FaceWorkerClient({ createWorker: () => worker });
  const started = client.start();
  worker.say({ kind: 'ready', info: INFO });
  await expect(started).resolves.toEqual(INFO);
  return { client, worker };
}

function frame(tag: number): Uint8Array {
  return new Uint8Array([tag]);
}

describe('FaceWorkerClient', () => {
  it('reports the backend once the worker is ready', async () => {
    const { client } = await startedClient();
    expect(client.info?.backend).toBe('wasm');
  });

  it('keeps only the newest pending frame while one is analysed', async () => {
    const { client, worker } = await startedClient();
    const first = client.analyzeFrame(frame(1));
    await settle();
    const second = client.analyzeFrame(frame(2));
    const third = client.analyzeFrame(frame(3));
    await expect(second).resolves.toEqual({ status: 'dropped' });
    expect(worker.received.map((r) => (r.kind === 'analyze' ? [...(r.frame as Uint8Array)] : null))).toEqual([[1]]);

    worker.say({ id: worker.received[0].id, ok: true, result: analysisOf(1) });
    await expect(first).resolves.toEqual({ status: 'analyzed', analysis: analysisOf(1) });
    await settle();
    expect(worker.received).toHaveLength(2);
    const sent = worker.received[1];
    expect(sent.kind === 'analyze' && [...(sent.frame as Uint8Array)]).toEqual([3]);

    worker.say({ id: sent.id, ok: true, result: analysisOf(3) });
    await expect(third).resolves.toEqual({ status: 'analyzed', analysis: analysisOf(3) });
  });

  it('sends a frame straight away when none is in flight', async () => {
    const { client, worker } = await startedClient();
    const result = client.analyzeFrame(frame(7));
    await settle();
    worker.say({ id: worker.received[0].id, ok: true, result: analysisOf(7) });
    await expect(result).resolves.toMatchObject({ status: 'analyzed' });
    const next = client.analyzeFrame(frame(8));
    await settle();
    expect(worker.received).toHaveLength(2);
    worker.say({ id: worker.received[1].id, ok: true, result: analysisOf(8) });
    await expect(next).resolves.toMatchObject({ status: 'analyzed', analysis: { width: 8 } });
  });

  it('answers verify and prepare-portrait requests by id, whatever the order', async () => {
    const { client, worker } = await startedClient();
    const portrait = client.preparePortrait(frame(1));
    const verdict = client.verify([frame(2)], frame(3));
    await settle();
    const [prepare, verify] = worker.received;
    expect(prepare.kind).toBe('prepare-portrait');
    expect(verify.kind).toBe('verify');
    worker.say({ id: verify.id, ok: false, error: { code: 'FACE_IMAGE_UNREADABLE', message: 'bad', details: { bytes: 1 } } });
    worker.say({ id: prepare.id, ok: true, result: { state: 'no-face', faces: [], face: null, descriptor: null } });
    await expect(portrait).resolves.toMatchObject({ state: 'no-face' });
    const error = await verdict.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatehouseError);
    expect(error).toMatchObject({ code: 'FACE_IMAGE_UNREADABLE', details: { bytes: 1 } });
  });

  it('rejects start, and every later call, with the error the worker refused to start with', async () => {
    const worker = new FakeWorker();
    const client = new FaceWorkerClient({ createWorker: () => worker });
    const started = client.start();
    worker.say({ kind: 'failed', error: { code: 'FACE_MODEL_HASH_MISMATCH', message: 'x', details: { file: 'a.bin' } } });
    await expect(started).rejects.toMatchObject({ code: 'FACE_MODEL_HASH_MISMATCH', details: { file: 'a.bin' } });
    await expect(client.analyzeFrame(frame(1))).rejects.toMatchObject({ code: 'FACE_MODEL_HASH_MISMATCH' });
    await expect(client.verify([frame(1)], frame(2))).rejects.toMatchObject({ code: 'FACE_MODEL_HASH_MISMATCH' });
  });

  it('rejects what is in flight and pending when the worker dies', async () => {
    const { client, worker } = await startedClient();
    const inFlight = client.analyzeFrame(frame(1));
    await settle();
    const pending = client.analyzeFrame(frame(2));
    worker.emit('exit', 134);
    await expect(inFlight).rejects.toMatchObject({ code: 'FACE_WORKER_EXITED', details: { code: 134 } });
    await expect(pending).rejects.toMatchObject({ code: 'FACE_WORKER_EXITED' });
    await expect(client.analyzeFrame(frame(3))).rejects.toMatchObject({ code: 'FACE_WORKER_EXITED' });
  });

  it('terminates the worker on close and refuses calls after it', async () => {
    const { client, worker } = await startedClient();
    await client.close();
    expect(worker.terminated).toBe(true);
    await expect(client.preparePortrait(frame(1))).rejects.toMatchObject({ code: 'FACE_WORKER_CLOSED' });
  });
});
