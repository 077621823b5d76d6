// The main thread's handle on the face worker: every call is a message, so inference never
// blocks the main thread, and live frames that arrive faster than they are analysed give way
// to the newest one (the older pending frame resolves as 'dropped').
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { GatehouseError } from '../errors.js';
import type { FaceAnalyzerOptions, FrameAnalysis } from './face-analyzer.js';
import type { FaceBackendInfo } from './face-runtime.js';
import type { VerificationResult } from './verification.js';
import {
  fromErrorPayload,
  type FaceRequest,
  type FaceResponse,
  type FrameInput,
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

export class FaceWorkerClient {
  private worker: WorkerLike | null = null;
  private started: Promise<FaceBackendInfo> | null = null;
  private backend: FaceBackendInfo | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private frameInFlight = false;
  private pendingFrame: PendingFrame | null = null;
  private failure: GatehouseError | null = null;

  constructor(private readonly options: FaceWorkerClientOptions = {}) {}

  /** The backend and model hash, once started. */
  get info(): FaceBackendInfo | null {
    return this.backend;
  }

  /** Starts the worker; rejects with the worker's GatehouseError (e.g. FACE_MODEL_HASH_MISMATCH) if it refuses. */
  start(): Promise<FaceBackendInfo> {
    if (this.failure && !this.started) return Promise.reject(this.failure);
    this.started ??= new Promise<FaceBackendInfo>((resolve, reject) => {
      const url = this.options.workerUrl ?? new URL('./face-worker.js', import.meta.url);
      const create = this.options.createWorker ?? ((at: URL, options: WorkerOptions) => new Worker(at, options));
      const worker = create(url, { workerData: { modelsDir: this.options.modelsDir, config: this.options.config } });
      this.worker = worker;
      let ready = false;
      worker.on('message', (message) => {
        if (ready) return this.settle(message as FaceResponse);
        const start = message as WorkerStartMessage;
        if (start.kind === 'ready') {
          ready = true;
          this.backend = start.info;
          return resolve(start.info);
        }
        this.fail(fromErrorPayload(start.error));
        reject(this.failure);
      });
      worker.on('error', (error) => {
        this.fail(new GatehouseError('FACE_WORKER_FAILED', `The face worker failed: ${error.message}`));
        reject(this.failure);
      });
      worker.on('exit', (code) => {
        this.fail(new GatehouseError('FACE_WORKER_EXITED', `The face worker stopped (exit code ${code}).`, { code }));
        reject(this.failure);
      });
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

  /** Describes the document portrait now, so that `verify` later compares only the live frames. */
  preparePortrait(image: FrameInput): Promise<PreparedPortrait> {
    return this.request<PreparedPortrait>({ kind: 'prepare-portrait', image });
  }

  /** The best of the live frames (by quality) against the portrait. */
  verify(live: readonly FrameInput[], portrait: FrameInput | PreparedPortrait): Promise<VerificationResult> {
    return this.request<VerificationResult>({ kind: 'verify', live, portrait });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.fail(new GatehouseError('FACE_WORKER_CLOSED', 'The face worker was closed.'));
    if (worker) await worker.terminate();
  }

  private sendFrame(pending: PendingFrame): void {
    this.frameInFlight = true;
    this.request<FrameAnalysis>({ kind: 'analyze', frame: pending.frame }).then(
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

  private async request<T>(request: Request): Promise<T> {
    await this.start();
    if (this.failure || !this.worker) throw this.failure ?? new GatehouseError('FACE_WORKER_CLOSED', 'The face worker was closed.');
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (result: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private settle(response: FaceResponse): void {
    const waiting = this.waiting.get(response.id);
    if (!waiting) return;
    this.waiting.delete(response.id);
    if (response.ok) waiting.resolve(response.result);
    else waiting.reject(fromErrorPayload(response.error));
  }

  /** Once failed or closed, every waiting and later call rejects with the same error. */
  private fail(error: GatehouseError): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
    this.pendingFrame?.reject(error);
    this.pendingFrame = null;
  }
}
