// The messages between FaceWorkerClient (main thread) and the face worker, and the worker's
// request handler, kept apart from the thread so they run and are tested in-process.
import { GatehouseError } from '../errors.js';
import type { DescribedFace, FaceAnalyzer, FaceAnalyzerInfo, FrameAnalysis } from './face-analyzer.js';
import { checkFaceCrop, isFaceCrop, type FaceCrop } from './face-crop.js';
import { checkRgba, decodeImage, type RgbaImage } from './rgba-image.js';
import type { VerificationResult } from './verification.js';

/** A camera frame or still: JPEG or PNG bytes, or raw RGBA pixels. */
export type FrameInput = Uint8Array | RgbaImage;

/** A live frame to verify: guidance's crop of its face (described without detecting it again), or the frame itself. */
export type LiveFrame = FaceCrop | FrameInput;

/** A document portrait described ahead of time (`preparePortrait`); holds a descriptor, so never log it. */
export type PreparedPortrait = DescribedFace;

export type FaceRequest =
  | { readonly id: number; readonly kind: 'analyze'; readonly frame: FrameInput }
  | { readonly id: number; readonly kind: 'prepare-portrait'; readonly image: FrameInput }
  | { readonly id: number; readonly kind: 'describe-live'; readonly frame: LiveFrame }
  | {
    readonly id: number;
    readonly kind: 'verify';
    /** Frames, or frames another worker has described already. */
    readonly live: ReadonlyArray<LiveFrame | DescribedFace>;
    readonly portrait: FrameInput | PreparedPortrait;
  };

export interface ErrorPayload {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export type FaceResponse =
  | { readonly id: number; readonly ok: true; readonly result: FrameAnalysis | DescribedFace | VerificationResult }
  | { readonly id: number; readonly ok: false; readonly error: ErrorPayload };

/** What the worker says once, after start: ready with its backend, or why it refused to start. */
export type WorkerStartMessage = { readonly kind: 'ready'; readonly info: FaceAnalyzerInfo } | { readonly kind: 'failed'; readonly error: ErrorPayload };

export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof GatehouseError) return { code: error.code, message: error.message, details: error.details };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'FACE_INTERNAL', message: `The face engine failed: ${message}`, details: {} };
}

export function fromErrorPayload(payload: ErrorPayload): GatehouseError {
  return new GatehouseError(payload.code, payload.message, payload.details);
}

export function toRgba(input: FrameInput): RgbaImage {
  return input instanceof Uint8Array ? decodeImage(input) : checkRgba(input);
}

function isPrepared(input: FrameInput | PreparedPortrait): input is PreparedPortrait {
  return 'descriptor' in input;
}

/** A crop checked, or a frame decoded or checked. */
function toLive(input: LiveFrame): FaceCrop | RgbaImage {
  return !(input instanceof Uint8Array) && isFaceCrop(input) ? checkFaceCrop(input) : toRgba(input);
}

/** The part of FaceAnalyzer the worker uses. */
export type FaceEngine = Pick<FaceAnalyzer, 'analyzeFrame' | 'describe' | 'describeCrop' | 'verify'>;

/** Runs one request; failures become error responses, never exceptions. */
export async function handleFaceRequest(engine: FaceEngine, request: FaceRequest): Promise<FaceResponse> {
  try {
    switch (request.kind) {
      case 'analyze':
        return { id: request.id, ok: true, result: await engine.analyzeFrame(toRgba(request.frame)) };
      case 'prepare-portrait':
        return { id: request.id, ok: true, result: await engine.describe(toRgba(request.image), 'portrait') };
      case 'describe-live': {
        const frame = toLive(request.frame);
        return { id: request.id, ok: true, result: await ('landmarks' in frame ? engine.describeCrop(frame) : engine.describe(frame, 'live')) };
      }
      case 'verify': {
        const portrait = isPrepared(request.portrait) ? request.portrait : toRgba(request.portrait);
        const live = request.live.map((frame) => (!(frame instanceof Uint8Array) && 'descriptor' in frame ? frame : toLive(frame)));
        return { id: request.id, ok: true, result: await engine.verify(live, portrait) };
      }
    }
  } catch (error) {
    return { id: request.id, ok: false, error: toErrorPayload(error) };
  }
}
