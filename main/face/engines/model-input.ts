// The aligned crop as the float tensor an ONNX model takes: channels in the model's order
// (RGB or BGR), each value normalised as (value − mean) / std, laid out NCHW or NHWC with a
// batch of one. Pure, so the layouts are tested without a model.
import type { RgbaImage } from '../rgba-image.js';
import type { EngineManifest } from './engine-manifest.js';

export type ModelInputSpec = Pick<EngineManifest['input'], 'layout' | 'channels' | 'mean' | 'std'>;

export interface ModelInput {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number, number];
}

export function modelInputOf(crop: RgbaImage, spec: ModelInputSpec): ModelInput {
  const { width, height } = crop;
  const plane = width * height;
  const data = new Float32Array(plane * 3);
  // Which RGBA byte feeds the model's channel c.
  const source = spec.channels === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let c = 0; c < 3; c++) {
      const value = (crop.data[pixel * 4 + source[c]] - spec.mean[c]) / spec.std[c];
      data[spec.layout === 'NCHW' ? c * plane + pixel : pixel * 3 + c] = value;
    }
  }
  return { data, dims: spec.layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3] };
}
