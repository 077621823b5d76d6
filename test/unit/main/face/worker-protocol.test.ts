// The worker's request handler with a fake engine: inputs are decoded or checked before the
// engine sees them, a prepared portrait is passed through, and every failure becomes an error
// response with a code instead of an exception.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../../main/errors.js';
import type { DescribedFace, FaceRole, FrameAnalysis } from '../../../../main/face/face-analyzer.js';
import type { RgbaImage } from '../../../../main/face/rgba-image.js';
import type { VerificationResult } from '../../../../main/face/verification.js';
import { fromErrorPayload, handleFaceRequest, toErrorPayload, type FaceEngine } from '../../../../main/face/worker-protocol.js';

const PREPARED: DescribedFace = { state: 'one-face', faces: [], face: null, descriptor: new Float32Array(128) };

function fakeEngine(calls: string[]): FaceEngine {
  return {
    async analyzeFrame(image: RgbaImage): Promise<FrameAnalysis> {
      calls.push(`analyze ${image.width}x${image.height}`);
      return { state: 'no-face', width: image.width, height: image.height, faces: [], quality: null, guidance: [] };
    },
    async describe(image: RgbaImage, role: FaceRole): Promise<DescribedFace> {
      calls.push(`describe ${role} ${image.width}x${image.height}`);
      return PREPARED;
    },
    async verify(live: readonly RgbaImage[], portrait: RgbaImage | DescribedFace): Promise<VerificationResult> {
      calls.push(`verify ${live.length} ${'descriptor' in portrait ? 'prepared' : 'image'}`);
      throw new GatehouseError('FACE_TEST', 'verify failed on purpose', { frames: live.length });
    },
  };
}

function pngOf(width: number, height: number): Uint8Array {
  const png = new PNG({ width, height });
  png.data.fill(90);
  return PNG.sync.write(png);
}

describe('handleFaceRequest', () => {
  it('decodes encoded frames and checks raw ones before analysing', async () => {
    const calls: string[] = [];
    const engine = fakeEngine(calls);
    expect(await handleFaceRequest(engine, { id: 1, kind: 'analyze', frame: pngOf(4, 3) })).toMatchObject({ id: 1, ok: true, result: { width: 4 } });
    const raw = { width: 2, height: 2, data: new Uint8Array(16) };
    expect(await handleFaceRequest(engine, { id: 2, kind: 'prepare-portrait', image: raw })).toEqual({ id: 2, ok: true, result: PREPARED });
    expect(calls).toEqual(['analyze 4x3', 'describe portrait 2x2']);
  });

  it('passes a prepared portrait through and turns engine errors into coded responses', async () => {
    const calls: string[] = [];
    const response = await handleFaceRequest(fakeEngine(calls), { id: 3, kind: 'verify', live: [pngOf(2, 2), pngOf(2, 2)], portrait: PREPARED });
    expect(calls).toEqual(['verify 2 prepared']);
    expect(response).toEqual({ id: 3, ok: false, error: { code: 'FACE_TEST', message: 'verify failed on purpose', details: { frames: 2 } } });
  });

  it('answers an undecodable frame with its code, without calling the engine', async () => {
    const calls: string[] = [];
    const response = await handleFaceRequest(fakeEngine(calls), { id: 4, kind: 'analyze', frame: new Uint8Array([1, 2, 3]) });
    expect(response).toMatchObject({ id: 4, ok: false, error: { code: 'FACE_IMAGE_UNSUPPORTED' } });
    const bad = await handleFaceRequest(fakeEngine(calls), { id: 5, kind: 'analyze', frame: { width: 3, height: 3, data: new Uint8Array(4) } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'FACE_IMAGE_UNREADABLE' } });
    expect(calls).toEqual([]);
  });
});

describe('error payloads', () => {
  it('round-trip a GatehouseError and wrap anything else as FACE_INTERNAL', () => {
    const back = fromErrorPayload(toErrorPayload(new GatehouseError('FACE_X', 'x', { a: 1 })));
    expect(back).toBeInstanceOf(GatehouseError);
    expect(back).toMatchObject({ code: 'FACE_X', message: 'x', details: { a: 1 } });
    expect(toErrorPayload(new TypeError('boom'))).toEqual({ code: 'FACE_INTERNAL', message: 'The face engine failed: boom', details: {} });
  });
});
