// FaceWorkerClient against fake workers: newest frame wins, start refusals and worker deaths
// become GatehouseErrors, responses find their callers, and a verification is spread over the
// workers and combined on the first.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../../main/errors.js';
import type { FrameAnalysis } from '../../../../main/face/face-analyzer.js';
import { FaceWorkerClient, type WorkerLike } from '../../../../main/face/face-worker-client.js';
import type { VerificationResult } from '../../../../main/face/verification.js';
import type { FaceRequest, FaceResponse, WorkerStartMessage } from '../../../../main/face/worker-protocol.js';

const INFO = {
  backend: 'wasm', simd: true, nativeUnavailable: 'not installed', tfjsVersion: '4.22.0', faceApiVersion: '1.7.15', modelHash: 'ab'.repeat(32), modelsDir: '/models',
  engine: { id: 'face-api-resnet128', modelSha256: 'cd'.repeat(32), metric: 'euclidean', thresholds: { match: 0.5, review: 0.6 } },
} as const;

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
  return { state: 'no-face', width, height: 1, faces: [], quality: null, guidance: [], crop: null };
}

const NO_FACE = { state: 'no-face', faces: [], face: null, descriptor: null } as const;

/** Lets queued promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function startedClient(): Promise<{ client: FaceWorkerClient; worker: FakeWorker }> {
  const worker = new FakeWorker();
  const client = new FaceWorkerClient({ createWorker: () => worker, workers: 1 });
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

  it('answers requests by id, whatever the order', async () => {
    const { client, worker } = await startedClient();
    const portrait = client.preparePortrait(frame(1));
    const verdict = client.verify([frame(2)], frame(3));
    await settle();
    const [prepare, verifyPortrait] = worker.received;
    expect([prepare, verifyPortrait].map((r) => r.kind === 'prepare-portrait' && [...(r.image as Uint8Array)])).toEqual([[1], [3]]);
    worker.say({ id: verifyPortrait.id, ok: false, error: { code: 'FACE_IMAGE_UNREADABLE', message: 'bad', details: { bytes: 1 } } });
    worker.say({ id: prepare.id, ok: true, result: NO_FACE });
    await expect(portrait).resolves.toMatchObject({ state: 'no-face' });
    const error = await verdict.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatehouseError);
    expect(error).toMatchObject({ code: 'FACE_IMAGE_UNREADABLE', details: { bytes: 1 } });
  });

  it('guides on the first worker, prepares portraits on the last, and spreads a verification over both', async () => {
    const workers = [new FakeWorker(), new FakeWorker()];
    const created = [...workers];
    const client = new FaceWorkerClient({ createWorker: () => created.shift()!, workers: 2 });
    const started = client.start();
    for (const worker of workers) worker.say({ kind: 'ready', info: INFO });
    await started;
    const [first, last] = workers;

    void client.analyzeFrame(frame(1));
    void client.preparePortrait(frame(2));
    await settle();
    expect(first.received.map((r) => r.kind)).toEqual(['analyze']);
    expect(last.received.map((r) => r.kind)).toEqual(['prepare-portrait']);
    first.received.length = 0;
    last.received.length = 0;

    const described = (tag: number) => ({ state: 'one-face' as const, faces: [], face: null, descriptor: new Float32Array([tag]) });
    const verdict = client.verify([frame(10), frame(11), frame(12)], frame(20));
    await settle();
    // Each worker takes the next job when it is free: the portrait first, then the live frames in order.
    expect(first.received.map((r) => r.kind)).toEqual(['prepare-portrait']);
    expect(last.received.map((r) => r.kind)).toEqual(['describe-live']);
    last.say({ id: last.received[0].id, ok: true, result: described(10) });
    await settle();
    last.say({ id: last.received[1].id, ok: true, result: described(11) });
    await settle();
    first.say({ id: first.received[0].id, ok: true, result: described(20) });
    await settle();
    const taken = [first, last].flatMap((worker) => worker.received.filter((r) => r.kind === 'describe-live'));
    expect(taken.map((r) => r.kind === 'describe-live' && [...(r.frame as Uint8Array)])).toEqual([[10], [11], [12]]);
    const third = taken[2];
    (first.received.includes(third) ? first : last).say({ id: third.id, ok: true, result: described(12) });
    await settle();
    const combine = first.received.at(-1)!;
    expect(combine.kind).toBe('verify');
    if (combine.kind !== 'verify') return;
    expect(combine.live.map((face) => 'descriptor' in face && face.descriptor?.[0])).toEqual([10, 11, 12]);
    expect('descriptor' in combine.portrait && combine.portrait.descriptor?.[0]).toBe(20);
    first.say({ id: combine.id, ok: true, result: { decision: 'match' } as unknown as VerificationResult });
    await expect(verdict).resolves.toMatchObject({ decision: 'match' });
  });

  it('rejects start, and every later call, with the error the worker refused to start with', async () => {
    const worker = new FakeWorker();
    const client = new FaceWorkerClient({ createWorker: () => worker, workers: 1 });
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
