// The face engine on real images where the answer is known: transforms of one frontal camera
// frame move each quality measure the expected way; no face, several faces and tight crops are
// handled; verification bands a same-person pair, a different-person pair and a missing face.
import { beforeAll, describe, expect, it } from 'vitest';
import { FaceAnalyzer, type FrameAnalysis } from '../../../../main/face/face-analyzer.js';
import { resizeBilinear, type RgbaImage } from '../../../../main/face/rgba-image.js';
import { blur, cameraFrame, darken, HAVE_FACES, loadFace, mirror, rotate } from './face-images.js';

let analyzer: FaceAnalyzer;
/** A 640×480 camera frame of an evenly lit, closed-mouth face, turned a little to the subject's left. */
let frame: RgbaImage;
let base: FrameAnalysis;

function measuresOf(analysis: FrameAnalysis) {
  expect(analysis.state).toBe('one-face');
  const quality = analysis.quality;
  if (!quality) throw new Error('no quality for a single face');
  return quality.measures;
}

const adviceOf = (analysis: FrameAnalysis): string[] => analysis.guidance.map((instruction) => instruction.code);

describe.skipIf(!HAVE_FACES)('FaceAnalyzer on real faces', () => {
  beforeAll(async () => {
    analyzer = await FaceAnalyzer.load();
    frame = cameraFrame(loadFace('identities/obama/obama3.jpg'), { x: 360, y: 60, width: 760, height: 570 });
    base = await analyzer.analyzeFrame(frame);
  });

  it('finds one good face in the frontal camera frame', () => {
    const m = measuresOf(base);
    expect(base.faces).toHaveLength(1);
    expect(Math.abs(m.roll)).toBeLessThan(8);
    expect(m.eyeAspectRatio).toBeGreaterThan(0.2);
    expect(m.mouthOpenRatio).toBeLessThan(0.12);
    expect(m.exposure).toBeGreaterThan(0.25);
    expect(m.uniformity).toBeGreaterThan(0.75);
    expect(m.sharpness).toBeGreaterThan(0.3);
    expect(m.yaw).toBeGreaterThan(5); // turned to the subject's left: the nose points to the image's right
    expect(adviceOf(base)).not.toContain('hold-still');
  });

  it('measures an in-plane rotation as roll', async () => {
    const roll = measuresOf(base).roll;
    for (const degrees of [15, -15]) {
      const turned = measuresOf(await analyzer.analyzeFrame(rotate(frame, degrees)));
      expect(Math.abs(turned.roll - (roll + degrees))).toBeLessThan(3);
    }
  });

  it('flips the sign of yaw and roll in a mirror image', async () => {
    const m = measuresOf(base);
    const mirrored = measuresOf(await analyzer.analyzeFrame(mirror(frame)));
    expect(Math.abs(mirrored.yaw + m.yaw)).toBeLessThan(4);
    expect(Math.abs(mirrored.roll + m.roll)).toBeLessThan(2);
  });

  it('scores a blurred copy less sharp, and a very blurred one asks to hold still', async () => {
    const sharpness = measuresOf(base).sharpness;
    const soft = await analyzer.analyzeFrame(blur(frame, 1.5));
    expect(measuresOf(soft).sharpness).toBeLessThan(sharpness * 0.8);
    const blurred = await analyzer.analyzeFrame(blur(frame, 4));
    expect(measuresOf(blurred).sharpness).toBeLessThan(0.3);
    expect(adviceOf(blurred)).toContain('hold-still');
  });

  it('fails uniformity when the image-left half (the subject\'s right) is darkened', async () => {
    const faceCentre = base.faces[0].box.x + base.faces[0].box.width / 2;
    const shaded = await analyzer.analyzeFrame(darken(frame, 0.45, (x) => x < faceCentre));
    const m = measuresOf(shaded);
    expect(m.uniformity).toBeLessThan(0.75);
    expect(m.darkerSide).toBe('right');
    expect(adviceOf(shaded)).toContain('light-right');
    expect(adviceOf(shaded)).not.toContain('light-left');
  });

  it('asks for more light on a dark frame', async () => {
    const dark = await analyzer.analyzeFrame(darken(frame, 0.3));
    expect(measuresOf(dark).exposure).toBeLessThan(measuresOf(base).exposure * 0.4);
    expect(adviceOf(dark)).toContain('more-light');
  });

  it('scales the inter-eye distance with the image, and asks a small face to come closer', async () => {
    const interEye = measuresOf(base).interEyePx;
    expect(adviceOf(base)).not.toContain('come-closer');
    const half = measuresOf(await analyzer.analyzeFrame(resizeBilinear(frame, 320, 240))).interEyePx;
    expect(half / interEye).toBeGreaterThan(0.45);
    expect(half / interEye).toBeLessThan(0.55);
    const third = await analyzer.analyzeFrame(resizeBilinear(frame, 213, 160));
    expect(measuresOf(third).interEyePx).toBeLessThan(60);
    expect(adviceOf(third)).toContain('come-closer');
  });

  it('tells a face at the image\'s left edge to move to the subject\'s left', async () => {
    const partial = await analyzer.analyzeFrame(loadFace('scenes/partial_face.jpg'));
    expect(measuresOf(partial).centreOffsetX).toBeLessThan(-0.15);
    expect(adviceOf(partial)).toContain('move-left');
  });

  it('says no-face for a picture without one, on both paths', async () => {
    const image = loadFace('scenes/no_face.png');
    const fast = await analyzer.analyzeFrame(image);
    expect(fast).toMatchObject({ state: 'no-face', faces: [], quality: null });
    expect(adviceOf(fast)).toEqual(['look-at-camera']);
    expect(await analyzer.describe(image, 'portrait')).toMatchObject({ state: 'no-face', face: null, descriptor: null });
  });

  it('says several-faces for group pictures and describes none of them as a live frame', async () => {
    const group = await analyzer.describe(loadFace('scenes/group.jpg'), 'live');
    expect(group.state).toBe('several-faces');
    expect(group.faces.length).toBeGreaterThanOrEqual(4);
    expect(group.descriptor).toBeNull();
    const twoFaces = loadFace('scenes/two_faces.jpg');
    const two = await analyzer.describe(twoFaces, 'live');
    expect(two).toMatchObject({ state: 'several-faces', descriptor: null });
    expect(two.faces).toHaveLength(2);
    const guidance = await analyzer.analyzeFrame(cameraFrame(twoFaces, { x: 560, y: 200, width: 960, height: 720 }));
    expect(guidance.state).toBe('several-faces');
    expect(adviceOf(guidance)).toEqual(['one-person']);
  });

  it('finds the face in a tight 150 px crop by giving it context, and enlarges it', async () => {
    const crop = loadFace('identities/amy/amy1.png');
    const described = await analyzer.describe(crop, 'portrait');
    expect(described.state).toBe('one-face');
    expect(described.descriptor).toHaveLength(128);
    const box = described.face?.box;
    expect(box && box.width).toBeGreaterThan(60);
    expect(box && box.x + box.width / 2).toBeGreaterThan(40);
    expect(box && box.x + box.width / 2).toBeLessThan(110);
  });

  it('verifies: same person matches, another person does not, no portrait face is no-face', async () => {
    const portrait = await analyzer.describe(loadFace('identities/obama/obama.jpg'), 'portrait');
    const same = await analyzer.verify([frame], portrait);
    expect(same.decision).toBe('match');
    expect(same.distance).toBeLessThan(same.thresholds.match);
    expect(same.modelHash).toBe(analyzer.info.modelHash);
    const other = await analyzer.verify([cameraFrame(loadFace('identities/biden/biden2.jpg'), { x: 150, y: 100, width: 900, height: 675 })], portrait);
    expect(other.decision).toBe('no-match');
    const blank = await analyzer.verify([frame], loadFace('scenes/no_face.png'));
    expect(blank).toMatchObject({ decision: 'no-face', distance: null });
  });
});
