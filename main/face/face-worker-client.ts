// The main thread's handle on the face workers: every call is a message, so inference never
// blocks the main thread. Two workers by default, one per core: the first answers live
// guidance, where frames that arrive faster than they are analysed give way to the newest one
// (the older pending frame resolves as 'dropped'); the last describes the document portrait
// while the person is being guided; a verification spreads its portrait and live frames over
// all of them and lets the first combine the descriptions into the decision.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { GatehouseError } from '../errors.js';
import type { DescribedFace, FaceAnalyzerInfo, FaceAnalyzerOptions, FrameAnalysis } from './face-analyzer.js';
import type { VerificationResult } from './verification.js';
import {
  fromErrorPayload,
  type FaceRequest,
  type FaceResponse,
  type FrameInput,
  type LiveFrame,
  type PreparedPortrait,
  type WorkerStartMessage,
} from './worker-protocol.js';

export type FrameResult = { readonly status: 'analyzed'; readonly analysis: FrameAnalysis } | { readonly status: 'dropped' };

/** The part of a worker_threads Worker the client uses (a fake one stands in for tests). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

export interface FaceWorkerClientOptions extends FaceAnalyzerOptions {
  /** The compiled worker entry; defaults to face-worker.js beside this module. */
  readonly workerUrl?: URL;
  readonly createWorker?: (url: URL, options: WorkerOptions) => WorkerLike;
  /** How many face workers to run (each holds its own copy of the models); default 2, one per core of the kiosk. */
  readonly workers?: number;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = WithoutId<FaceRequest>;

interface Waiting {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface PendingFrame {
  readonly frame: FrameInput;
  readonly resolve: (result: FrameResult) => void;
  readonly reject: (error: Error) => void;
}

const DEFAULT_WORKERS = 2;

/** One worker thread: its start, and its requests matched to their responses by id. */
class WorkerChannel {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    readonly worker: WorkerLike,
    private readonly onFailure: (error: GatehouseError) => void,
  ) {}

  /** Resolves with the worker's backend once it is ready; failures reach `onFailure`. */
  started(): Promise<FaceAnalyzerInfo> {
    return new Promise<FaceAnalyzerInfo>((resolve) => {
      let ready = false;
      this.worker.on('message', (message) => {
        if (ready) return this.settle(message as FaceResponse);
        const start = message as WorkerStartMessage;
        if (start.kind === 'failed') return this.onFailure(fromErrorPayload(start.error));
        ready = true;
        resolve(start.info);
      });
      this.worker.on('error', (error) => this.onFailure(new GatehouseError('FACE_WORKER_FAILED', `The face worker failed: ${error.message}`)));
      this.worker.on('exit', (code) => this.onFailure(new GatehouseError('FACE_WORKER_EXITED', `The face worker stopped (exit code ${code}).`, { code })));
    });
  }

  request<T>(request: Request): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  rejectAll(error: GatehouseError): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }

  private settle(response: FaceResponse): void {
    const waiting = this.waiting.get(response.id);
    if (!waiting) return;
    this.waiting.delete(response.id);
    if (response.ok) waiting.resolve(response.result);
    else waiting.reject(fromErrorPayload(response.error));
  }
}

export class FaceWorkerClient {
  private channels: WorkerChannel[] = [];
  private started: Promise<FaceAnalyzerInfo> | null = null;
  private backend: FaceAnalyzerInfo | null = null;
  private frameInFlight = false;
  private pendingFrame: PendingFrame | null = null;
  private failure: GatehouseError | null = null;
  private rejectStart: ((error: GatehouseError) => void) | null = null;

  constructor(private readonly options: FaceWorkerClientOptions = {}) {}

  /** The backend, model hash and recognition engine, once started. */
  get info(): FaceAnalyzerInfo | null {
    return this.backend;
  }

  /** Starts the workers; rejects with a worker's GatehouseError (e.g. FACE_MODEL_HASH_MISMATCH) if one refuses. */
  start(): Promise<FaceAnalyzerInfo> {
    if (this.failure && !this.started) return Promise.reject(this.failure);
    this.started ??= new Promise<FaceAnalyzerInfo>((resolve, reject) => {
      this.rejectStart = reject;
      const url = this.options.workerUrl ?? new URL('./face-worker.js', import.meta.url);
      const create = this.options.createWorker ?? ((at: URL, options: WorkerOptions) => new Worker(at, options));
      const { modelsDir, config, engine } = this.options;
      const count = Math.max(1, this.options.workers ?? DEFAULT_WORKERS);
      this.channels = Array.from({ length: count }, () => new WorkerChannel(create(url, { workerData: { modelsDir, config, engine } }), (error) => this.fail(error)));
      Promise.all(this.channels.map((channel) => channel.started())).then(([info]) => {
        this.backend = info;
        resolve(info);
      }, reject);
    });
    return this.started;
  }

  /** Guidance for one camera frame; resolves 'dropped' if a newer frame replaced it before it was analysed. */
  analyzeFrame(frame: FrameInput): Promise<FrameResult> {
    return new Promise<FrameResult>((resolve, reject) => {
      if (!this.frameInFlight) return this.sendFrame({ frame, resolve, reject });
      this.pendingFrame?.resolve({ status: 'dropped' });
      this.pendingFrame = { frame, resolve, reject };
    });
  }

  /** Describes the document portrait now, on the worker guidance does not use, so that `verify` later compares only the live frames. */
  preparePortrait(image: FrameInput): Promise<PreparedPortrait> {
    return this.request<PreparedPortrait>((channels) => channels[channels.length - 1], { kind: 'prepare-portrait', image });
  }

  /**
   * The best of the live frames (by quality) against the portrait. Live frames are best given as
   * guidance's crops (`FrameAnalysis.crop`): then they are described without being detected again.
   * The portrait (unless prepared) and the live frames are described in parallel, one per free worker.
   */
  async verify(live: readonly LiveFrame[], portrait: FrameInput | PreparedPortrait): Promise<VerificationResult> {
    const channels = await this.ready();
    const jobs: Array<(channel: WorkerChannel) => Promise<void>> = [];
    let reference: FrameInput | PreparedPortrait = portrait;
    if (!('descriptor' in portrait)) {
      jobs.push(async (channel) => { reference = await channel.request<PreparedPortrait>({ kind: 'prepare-portrait', image: portrait }); });
    }
    const described: Array<LiveFrame | DescribedFace> = [...live];
    live.forEach((frame, index) => jobs.push(async (channel) => { described[index] = await channel.request<DescribedFace>({ kind: 'describe-live', frame }); }));
    await Promise.all(channels.map(async (channel) => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job(channel);
    }));
    return this.request<VerificationResult>((all) => all[0], { kind: 'verify', live: described, portrait: reference });
  }

  async close(): Promise<void> {
    const channels = this.channels;
    this.fail(new GatehouseError('FACE_WORKER_CLOSED', 'The face worker was closed.'));
    await Promise.all(channels.map((channel) => channel.worker.terminate()));
  }

  private sendFrame(pending: PendingFrame): void {
    this.frameInFlight = true;
    this.request<FrameAnalysis>((channels) => channels[0], { kind: 'analyze', frame: pending.frame }).then(
      (analysis) => {
        this.frameNext();
        pending.resolve({ status: 'analyzed', analysis });
      },
      (error: Error) => {
        this.frameNext();
        pending.reject(error);
      },
    );
  }

  private frameNext(): void {
    this.frameInFlight = false;
    const next = this.pendingFrame;
    this.pendingFrame = null;
    if (next) this.sendFrame(next);
  }

  private async ready(): Promise<WorkerChannel[]> {
    await this.start();
    if (this.failure) throw this.failure;
    return this.channels;
  }

  private async request<T>(pick: (channels: readonly WorkerChannel[]) => WorkerChannel, request: Request): Promise<T> {
    return pick(await this.ready()).request<T>(request);
  }

  /** Once failed or closed, every waiting and later call rejects with the same error. */
  private fail(error: GatehouseError): void {
    if (this.failure) return;
    this.failure = error;
    this.rejectStart?.(error);
    for (const channel of this.channels) channel.rejectAll(error);
    this.pendingFrame?.reject(error);
    this.pendingFrame = null;
  }
}
