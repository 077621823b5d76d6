// The worker's request handler with a fake engine: inputs are decoded or checked before the
// engine sees them (guidance's face crops included), a prepared portrait and live frames another
// worker described are passed through, and every failure becomes an error response with a code
// instead of an exception.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../../main/errors.js';
import type { DescribedFace, FaceRole, FrameAnalysis } from '../../../../main/face/face-analyzer.js';
import type { FaceCrop } from '../../../../main/face/face-crop.js';
import type { QualityReport } from '../../../../main/face/quality.js';
import type { RgbaImage } from '../../../../main/face/rgba-image.js';
import type { VerificationResult } from '../../../../main/face/verification.js';
import { fromErrorPayload, handleFaceRequest, toErrorPayload, type FaceEngine } from '../../../../main/face/worker-protocol.js';

const PREPARED: DescribedFace = { state: 'one-face', faces: [], face: null, descriptor: new Float32Array(128) };

function fakeEngine(calls: string[]): FaceEngine {
  return {
    async analyzeFrame(image: RgbaImage): Promise<FrameAnalysis> {
      calls.push(`analyze ${image.width}x${image.height}`);
      return { state: 'no-face', width: image.width, height: image.height, faces: [], quality: null, guidance: [], crop: null };
    },
    async describe(image: RgbaImage, role: FaceRole): Promise<DescribedFace> {
      calls.push(`describe ${role} ${image.width}x${image.height}`);
      return PREPARED;
    },
    async describeCrop(crop: FaceCrop): Promise<DescribedFace> {
      calls.push(`describe crop ${crop.image.width}x${crop.image.height}`);
      return PREPARED;
    },
    async verify(live: ReadonlyArray<RgbaImage | FaceCrop | DescribedFace>, portrait: RgbaImage | DescribedFace): Promise<VerificationResult> {
      const kinds = live.map((frame) => ('descriptor' in frame ? 'described' : 'landmarks' in frame ? 'crop' : 'image'));
      calls.push(`verify ${kinds.join(',')} ${'descriptor' in portrait ? 'prepared' : 'image'}`);
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
    expect(calls).toEqual(['verify image,image prepared']);
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

/** A guidance crop as FaceAnalyzer.analyzeFrame makes it, of a `width` × `height` image. */
function cropOf(width: number, height: number, landmarks = 68): FaceCrop {
  return {
    image: { width, height, data: new Uint8Array(width * height * 4) },
    origin: { x: 10, y: 20 },
    box: { x: 1, y: 1, width: 2, height: 2 },
    landmarks: Array.from({ length: landmarks }, (_, i) => ({ x: i % 3, y: 1 })),
    score: 0.9,
    quality: { ok: true, score: 0.8, checks: [], measures: {} } as unknown as QualityReport,
  };
}

describe('handleFaceRequest with guidance crops', () => {
  it('describes a live crop without detecting, and a live frame with detection', async () => {
    const calls: string[] = [];
    expect(await handleFaceRequest(fakeEngine(calls), { id: 6, kind: 'describe-live', frame: cropOf(5, 4) })).toEqual({ id: 6, ok: true, result: PREPARED });
    expect(await handleFaceRequest(fakeEngine(calls), { id: 7, kind: 'describe-live', frame: pngOf(3, 3) })).toEqual({ id: 7, ok: true, result: PREPARED });
    expect(calls).toEqual(['describe crop 5x4', 'describe live 3x3']);
  });

  it('verifies a mix of described frames, crops and images', async () => {
    const calls: string[] = [];
    await handleFaceRequest(fakeEngine(calls), { id: 8, kind: 'verify', live: [PREPARED, cropOf(2, 2), pngOf(2, 2)], portrait: pngOf(2, 2) });
    expect(calls).toEqual(['verify described,crop,image image']);
  });

  it('refuses a malformed crop before the engine sees it', async () => {
    const calls: string[] = [];
    const few = await handleFaceRequest(fakeEngine(calls), { id: 9, kind: 'describe-live', frame: cropOf(5, 4, 5) });
    expect(few).toMatchObject({ ok: false, error: { code: 'FACE_CROP_INVALID' } });
    const short = { ...cropOf(5, 4), image: { width: 5, height: 4, data: new Uint8Array(3) } };
    expect(await handleFaceRequest(fakeEngine(calls), { id: 10, kind: 'describe-live', frame: short })).toMatchObject({ ok: false, error: { code: 'FACE_IMAGE_UNREADABLE' } });
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
