// Quality measures on synthetic faces where the answer is known by construction: landmark
// geometry (eye and mouth opening, size, centring, pose) and pixels (exposure, uniformity,
// sharpness), and that each failing check says the right thing.
import { describe, expect, it } from 'vitest';
import { GENERIC_FACE } from '../../../../main/face/head-pose.js';
import type { Point } from '../../../../main/face/landmarks.js';
import {
  assessFaceQuality,
  checkFaceQuality,
  DEFAULT_QUALITY_CONFIG,
  eyeAspectRatio,
  faceQualityConfigSchema,
  measureFaceQuality,
  type FaceQualityMeasures,
} from '../../../../main/face/quality.js';
import type { RgbaImage } from '../../../../main/face/rgba-image.js';

interface FaceShape {
  readonly cx: number;
  readonly cy: number;
  /** px per mm of the generic face. */
  readonly scale: number;
  /** Eye opening over eye width. */
  readonly eyeOpen: number;
  /** Inner-lip gap over mouth width. */
  readonly mouthGap: number;
}

const FRONTAL: FaceShape = { cx: 320, cy: 240, scale: 2, eyeOpen: 0.3, mouthGap: 0.02 };

/** 68 landmarks of a frontal face: the generic face's points, with lids, lips, jaw and brows around them. */
function landmarksOf(shape: FaceShape): Point[] {
  const { cx, cy, scale } = shape;
  const at = (x: number, y: number): Point => ({ x: cx + x * scale, y: cy - y * scale });
  const points: Point[] = Array.from({ length: 68 }, () => at(0, 0));
  for (const [index, [x, y]] of GENERIC_FACE) points[index] = at(x, y);
  for (let i = 0; i <= 16; i++) {
    const angle = Math.PI * (i / 16); // jaw from the subject's right ear round the chin to the left
    points[i] = at(-70 * Math.cos(angle), 30 - 102 * Math.sin(angle));
  }
  for (let i = 0; i < 5; i++) {
    points[17 + i] = at(-50 + i * 9, 52);
    points[22 + i] = at(14 + i * 9, 52);
  }
  const eye = (outer: number, inner: number, lids: number[]): void => {
    const [o, n] = [points[outer], points[inner]];
    const open = (shape.eyeOpen * Math.abs(n.x - o.x)) / 2;
    const along = (t: number): number => o.x + (n.x - o.x) * t;
    const y = (o.y + n.y) / 2;
    [points[lids[0]], points[lids[1]], points[lids[2]], points[lids[3]]] = [
      { x: along(1 / 3), y: y - open },
      { x: along(2 / 3), y: y - open },
      { x: along(2 / 3), y: y + open },
      { x: along(1 / 3), y: y + open },
    ];
  };
  eye(36, 39, [37, 38, 40, 41]);
  eye(45, 42, [44, 43, 47, 46]);
  const [right, left] = [points[48], points[54]];
  const gap = (shape.mouthGap * (left.x - right.x)) / 2;
  const lip = (t: number, dy: number): Point => ({ x: right.x + (left.x - right.x) * t, y: right.y + dy });
  [points[61], points[62], points[63]] = [lip(0.35, -gap), lip(0.5, -gap), lip(0.65, -gap)];
  [points[67], points[66], points[65]] = [lip(0.35, gap), lip(0.5, gap), lip(0.65, gap)];
  return points;
}

function boxOf(points: readonly Point[]) {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
}

/** A 640×480 frame, grey `level`, with a checkerboard of 8 px squares (sharp detail) of `contrast`. */
function frame(level: number, contrast = 40, shade?: (x: number) => number): RgbaImage {
  const data = new Uint8Array(640 * 480 * 4);
  for (let y = 0; y < 480; y++) {
    for (let x = 0; x < 640; x++) {
      const v = (level + ((Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 0 ? contrast : -contrast) / 2) * (shade ? shade(x) : 1);
      data.set([v, v, v, 255], (y * 640 + x) * 4);
    }
  }
  return { width: 640, height: 480, data };
}

function measure(shape: FaceShape = FRONTAL, image: RgbaImage = frame(128)): FaceQualityMeasures {
  const landmarks = landmarksOf(shape);
  return measureFaceQuality({ image, box: boxOf(landmarks), landmarks });
}

const failing = (m: FaceQualityMeasures): string[] => checkFaceQuality(m).flatMap((c) => (c.ok ? [] : [c.instruction?.code ?? '?']));

describe('landmark measures', () => {
  it('gives a frontal, well-framed synthetic face no advice', () => {
    const m = measure();
    expect(Math.abs(m.yaw)).toBeLessThan(0.01);
    expect(Math.abs(m.pitch)).toBeLessThan(0.01);
    expect(Math.abs(m.roll)).toBeLessThan(0.01);
    expect(m.interEyePx).toBeCloseTo(2 * 59, 6); // eye centres 59 mm apart, 2 px per mm
    expect(m.eyeAspectRatio).toBeCloseTo(0.3, 2);
    expect(m.mouthOpenRatio).toBeCloseTo(0.02, 6);
    expect(failing(m)).toEqual([]);
  });

  it('computes the eye aspect ratio from six points', () => {
    const eye = [{ x: 0, y: 0 }, { x: 1, y: -1 }, { x: 2, y: -1 }, { x: 3, y: 0 }, { x: 2, y: 1 }, { x: 1, y: 1 }];
    expect(eyeAspectRatio(eye)).toBeCloseTo(4 / 6, 9);
  });

  it('sees closed eyes and an open mouth', () => {
    expect(failing(measure({ ...FRONTAL, eyeOpen: 0.08 }))).toEqual(['open-eyes']);
    expect(failing(measure({ ...FRONTAL, mouthGap: 0.3 }))).toEqual(['close-mouth']);
  });

  it('asks a small face to come closer and a huge one to move back', () => {
    const far = measure({ ...FRONTAL, scale: 0.8 });
    expect(far.interEyePx).toBeCloseTo(0.8 * 59, 6);
    expect(failing(far)).toEqual(['come-closer', 'come-closer']);
    expect(failing(measure({ ...FRONTAL, scale: 3.5 }))).toEqual(['move-back']);
  });

  it('tells an off-centre face which way to move, in the subject\'s own left and right', () => {
    const atImageLeft = measure({ ...FRONTAL, cx: 180 });
    expect(atImageLeft.centreOffsetX).toBeLessThan(-0.15);
    expect(failing(atImageLeft)).toEqual(['move-left']);
    expect(failing(measure({ ...FRONTAL, cx: 460 }))).toEqual(['move-right']);
    expect(failing(measure({ ...FRONTAL, cy: 120 }))).toEqual(['move-down']);
  });
});

describe('pose instructions', () => {
  const posed = (pose: Partial<FaceQualityMeasures>): string[] => failing({ ...measure(), ...pose });

  it('turns, tilts and nods the right way', () => {
    expect(posed({ yaw: 20 })).toEqual(['turn-right']); // turned to their own left
    expect(posed({ yaw: -20 })).toEqual(['turn-left']);
    expect(posed({ pitch: 25 })).toEqual(['chin-up']); // looking down
    expect(posed({ pitch: -25 })).toEqual(['chin-down']);
    expect(posed({ roll: 12 })).toEqual(['head-straight']);
    expect(posed({ yaw: 11, pitch: -14, roll: 7 })).toEqual([]);
  });
});

describe('pixel measures', () => {
  it('measures exposure as the mean luma of the face', () => {
    expect(measure(FRONTAL, frame(128)).exposure).toBeCloseTo(128 / 255, 2);
    expect(failing(measure(FRONTAL, frame(40)))).toEqual(['more-light']);
    expect(failing(measure(FRONTAL, frame(235, 20)))).toEqual(['less-light']);
  });

  it('finds the darker half and asks for light on that side of the subject', () => {
    // Image left (x < 320) is the subject's right.
    const darkImageLeft = measure(FRONTAL, frame(128, 40, (x) => (x < 320 ? 0.5 : 1)));
    expect(darkImageLeft.uniformity).toBeCloseTo(0.5, 1);
    expect(darkImageLeft.darkerSide).toBe('right');
    expect(failing(darkImageLeft)).toEqual(['light-right']);
    expect(failing(measure(FRONTAL, frame(128, 40, (x) => (x >= 320 ? 0.6 : 1))))).toEqual(['light-left']);
    expect(measure(FRONTAL, frame(128)).uniformity).toBeCloseTo(1, 2);
  });

  it('scores fine detail as sharp and a flat face as blurred, whatever the contrast', () => {
    const sharp = measure(FRONTAL, frame(128, 40));
    const sharpLowContrast = measure(FRONTAL, frame(128, 10));
    expect(sharp.sharpness).toBeGreaterThan(DEFAULT_QUALITY_CONFIG.minSharpness);
    expect(sharpLowContrast.sharpness).toBeCloseTo(sharp.sharpness, 1);
    const smooth = measure(FRONTAL, frame(128, 0, (x) => 0.5 + x / 1280)); // a ramp: no detail at all
    expect(smooth.sharpness).toBeLessThan(DEFAULT_QUALITY_CONFIG.minSharpness / 2);
    expect(failing(smooth)).toContain('hold-still');
  });
});

describe('quality report', () => {
  it('ranks a good face above a failing one and honours a custom threshold', () => {
    const landmarks = landmarksOf(FRONTAL);
    const input = { image: frame(128), box: boxOf(landmarks), landmarks };
    const good = assessFaceQuality(input);
    expect(good.ok).toBe(true);
    const strict = assessFaceQuality(input, faceQualityConfigSchema.parse({ minInterEyePx: 200 }));
    expect(strict.ok).toBe(false);
    expect(strict.score).toBeLessThan(good.score);
    expect(strict.checks.find((c) => !c.ok)?.instruction?.text).toBe('Come closer to the camera');
  });

  it('refuses a landmark set of the wrong size', () => {
    expect(() => measureFaceQuality({ image: frame(128), box: { x: 0, y: 0, width: 1, height: 1 }, landmarks: [] })).toThrow(
      expect.objectContaining({ code: 'FACE_LANDMARKS_INVALID' }),
    );
  });
});
