// Guidance's crop of a face: the pixels are the frame's own, at the crop's origin, clipped to the
// frame; box and landmarks move into the crop's pixels; a malformed crop from another thread is
// refused with a code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFaceCrop, cropAroundFace } from '../../../../main/face/face-crop.js';
import type { QualityReport } from '../../../../main/face/quality.js';
import type { RgbaImage } from '../../../../main/face/rgba-image.js';

const QUALITY = { ok: true, score: 0.7, checks: [], measures: {} } as unknown as QualityReport;

function frameOf(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 5)) & 0xff;
  return { width, height, data };
}

const pixel = (image: RgbaImage, x: number, y: number): number[] => [...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4)];

describe('cropAroundFace', () => {
  it('cuts the frame\'s own pixels around the face, clipped to the frame, with box and landmarks moved along', () => {
    fc.assert(fc.property(
      fc.integer({ min: 8, max: 64 }), fc.integer({ min: 8, max: 64 }),
      fc.record({ x: fc.double({ min: -10, max: 70, noNaN: true }), y: fc.double({ min: -10, max: 70, noNaN: true }), width: fc.double({ min: 1, max: 40, noNaN: true }), height: fc.double({ min: 1, max: 40, noNaN: true }) }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (width, height, box, margin) => {
        const frame = frameOf(width, height);
        const landmarks = Array.from({ length: 68 }, (_, i) => ({ x: box.x + (i % 9), y: box.y + (i % 7) }));
        const crop = cropAroundFace(frame, { box, landmarks, score: 0.9 }, QUALITY, margin);
        const { image, origin } = crop;
        expect(origin.x).toBeGreaterThanOrEqual(0);
        expect(origin.y).toBeGreaterThanOrEqual(0);
        expect(image.data.length).toBe(image.width * image.height * 4);
        if (origin.x + image.width <= width && origin.y + image.height <= height) {
          for (const [x, y] of [[0, 0], [image.width - 1, image.height - 1], [image.width >> 1, image.height >> 1]]) {
            expect(pixel(image, x, y)).toEqual(pixel(frame, x + origin.x, y + origin.y));
          }
        }
        expect(crop.box.x + origin.x).toBeCloseTo(box.x, 9);
        expect(crop.landmarks[5].y + origin.y).toBeCloseTo(landmarks[5].y, 9);
        expect(crop).toMatchObject({ score: 0.9, quality: QUALITY });
      },
    ));
  });

  it('keeps the margin inside the frame and the whole face with it', () => {
    const crop = cropAroundFace(frameOf(640, 480), { box: { x: 200, y: 150, width: 100, height: 120 }, landmarks: [], score: 1 }, QUALITY, 0.5);
    expect(crop.origin).toEqual({ x: 140, y: 90 });
    expect([crop.image.width, crop.image.height]).toEqual([220, 240]);
    const edge = cropAroundFace(frameOf(640, 480), { box: { x: 560, y: 400, width: 100, height: 100 }, landmarks: [], score: 1 }, QUALITY, 0.5);
    expect(edge.origin).toEqual({ x: 510, y: 350 });
    expect([edge.image.width, edge.image.height]).toEqual([130, 130]);
  });
});

describe('checkFaceCrop', () => {
  const good = () => cropAroundFace(frameOf(50, 40), { box: { x: 10, y: 10, width: 20, height: 20 }, landmarks: Array.from({ length: 68 }, () => ({ x: 15, y: 15 })), score: 0.8 }, QUALITY, 0.6);

  it('passes a crop as analyzeFrame makes it', () => {
    const crop = good();
    expect(checkFaceCrop(crop)).toEqual(crop);
  });

  it('refuses a crop with the wrong number of landmarks, a bad score or pixels that do not fit', () => {
    expect(() => checkFaceCrop({ ...good(), landmarks: [] })).toThrow(expect.objectContaining({ code: 'FACE_CROP_INVALID' }));
    expect(() => checkFaceCrop({ ...good(), score: Number.NaN })).toThrow(expect.objectContaining({ code: 'FACE_CROP_INVALID' }));
    expect(() => checkFaceCrop({ ...good(), image: { width: 3, height: 3, data: new Uint8Array(5) } })).toThrow(expect.objectContaining({ code: 'FACE_IMAGE_UNREADABLE' }));
  });
});
