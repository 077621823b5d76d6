// The bundled engine behind the RecognitionEngine interface gives face-api's own descriptors to
// the bit: for every face face-api's full pipeline (SSD, landmarks, descriptors) finds in real
// pictures, including faces at the image's edge, the engine fed the same box and landmarks
// returns the same 128 numbers. So moving the descriptor behind the interface changed no decision.
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_ENGINE_ID, bundledModelSha256, FaceApiRecognitionEngine } from '../../../../../main/face/engines/face-api-engine.js';
import { loadFaceRuntime, type FaceRuntime } from '../../../../../main/face/face-runtime.js';
import { cropPadded, type RgbaImage } from '../../../../../main/face/rgba-image.js';
import { VERIFICATION_THRESHOLDS } from '../../../../../main/face/verification-thresholds.js';
import { HAVE_FACES, loadFace } from '../face-images.js';

async function faceApiOwn(runtime: FaceRuntime, image: RgbaImage) {
  const { faceapi } = runtime;
  const rgb = new Int32Array(image.width * image.height * 3);
  for (let i = 0, p = 0; i < rgb.length; i += 3, p += 4) rgb.set([image.data[p], image.data[p + 1], image.data[p + 2]], i);
  const input = faceapi.tf.tensor3d(rgb, [image.height, image.width, 3], 'int32');
  try {
    return await faceapi.detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks().withFaceDescriptors();
  } finally {
    input.dispose();
  }
}

describe.skipIf(!HAVE_FACES)('the bundled recognition engine', () => {
  let runtime: FaceRuntime;
  let engine: FaceApiRecognitionEngine;

  beforeAll(async () => {
    runtime = await loadFaceRuntime();
    engine = new FaceApiRecognitionEngine(runtime.faceapi, runtime.manifest);
  }, 120_000);

  it('names itself, the hash of its net\'s files, Euclidean distance and the calibrated bands', () => {
    expect(engine.facts).toEqual({ id: BUNDLED_ENGINE_ID, modelSha256: bundledModelSha256(runtime.manifest), metric: 'euclidean' });
    expect(engine.facts.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(engine.facts.modelSha256).not.toBe(runtime.info.modelHash);
    expect(engine.thresholds).toEqual(VERIFICATION_THRESHOLDS);
  });

  it('gives face-api\'s own descriptors to the bit, faces at the edges included', async () => {
    const obama = loadFace('identities/obama/obama.jpg');
    const images = [
      obama,
      loadFace('identities/biden/biden2.jpg'),
      loadFace('scenes/two_faces.jpg'),
      loadFace('scenes/group.jpg'),
      // The face cut by the image's left and top edges.
      cropPadded(obama, { x: 330, y: 260, width: 500, height: 600 }),
      // A tight crop with grey around it, as the accurate path pads one.
      cropPadded(loadFace('identities/amy/amy1.png'), { x: -150, y: -150, width: 450, height: 450 }),
    ];
    let faces = 0;
    for (const image of images) {
      for (const own of await faceApiOwn(runtime, image)) {
        const { x, y, width, height } = own.detection.box;
        const ours = await engine.describe({ image, box: { x, y, width, height }, landmarks: own.landmarks.positions });
        expect(Array.from(ours)).toEqual(Array.from(own.descriptor));
        faces++;
      }
    }
    expect(faces).toBeGreaterThanOrEqual(8);
  }, 120_000);
});
