// The crop as an ONNX model's input tensor: NCHW and NHWC hold the same values in their own
// places, BGR swaps the outer channels, and each value is (value − mean) / std of its channel.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelInputOf, type ModelInputSpec } from '../../../../../main/face/engines/model-input.js';
import type { RgbaImage } from '../../../../../main/face/rgba-image.js';

const image = (width: number, height: number, bytes: number[]): RgbaImage => ({ width, height, data: Uint8Array.from(bytes) });
const plain: ModelInputSpec = { layout: 'NCHW', channels: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] };

describe('modelInputOf', () => {
  it('lays a 2 × 1 crop out as NCHW and NHWC', () => {
    const crop = image(2, 1, [1, 2, 3, 255, 4, 5, 6, 255]);
    expect(modelInputOf(crop, plain)).toEqual({ data: Float32Array.from([1, 4, 2, 5, 3, 6]), dims: [1, 3, 1, 2] });
    expect(modelInputOf(crop, { ...plain, layout: 'NHWC' })).toEqual({ data: Float32Array.from([1, 2, 3, 4, 5, 6]), dims: [1, 1, 2, 3] });
    expect(modelInputOf(crop, { ...plain, layout: 'NHWC', channels: 'BGR' }).data).toEqual(Float32Array.from([3, 2, 1, 6, 5, 4]));
  });

  it('normalises each channel in the model\'s channel order', () => {
    const crop = image(1, 1, [100, 150, 200, 255]);
    const spec: ModelInputSpec = { layout: 'NCHW', channels: 'BGR', mean: [200, 100, 0], std: [2, 5, 10] };
    expect(modelInputOf(crop, spec).data).toEqual(Float32Array.from([0, 10, 10]));
  });

  it('holds the same values in both layouts, for any crop', () => {
    const crops = fc.record({ width: fc.integer({ min: 1, max: 6 }), height: fc.integer({ min: 1, max: 6 }) })
      .chain(({ width, height }) => fc.uint8Array({ minLength: width * height * 4, maxLength: width * height * 4 }).map((data) => ({ width, height, data })));
    fc.assert(fc.property(crops, fc.constantFrom<'RGB' | 'BGR'>('RGB', 'BGR'), (crop, channels) => {
      const nchw = modelInputOf(crop, { ...plain, channels });
      const nhwc = modelInputOf(crop, { ...plain, channels, layout: 'NHWC' });
      const plane = crop.width * crop.height;
      for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) if (nchw.data[c * plane + p] !== nhwc.data[p * 3 + c]) return false;
      return nchw.data.length === plane * 3;
    }));
  });
});
