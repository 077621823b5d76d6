// Writes real ONNX files for the engine tests, so no model of unclear licence is needed: a
// deterministic "recognition" network (4 × 4 average pooling of the aligned 3 × 112 × 112 crop, a
// fixed pseudo-random projection to 128 values, L2 normalisation), encoded with protobufjs from
// the few ONNX messages it needs (field numbers as onnx.proto defines them), and its manifest.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { EngineManifest } from '../../../../main/face/engines/engine-manifest.js';
import { seededRandom } from '../../../../torture/seeded-random.js';

const ONNX_PROTO = `
syntax = "proto3";
package onnx;
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message TensorShapeProto {
  message Dimension { int64 dim_value = 1; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  Tensor tensor_type = 1;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message AttributeProto { string name = 1; int64 i = 3; repeated int64 ints = 8; int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

const FLOAT = 1;
const ATTRIBUTE_INTS = 7;
export const INPUT_NAME = 'aligned_face';
export const OUTPUT_NAME = 'embedding';
export const DESCRIPTOR_LENGTH = 128;
const SIZE = 112;
const POOL = 4;

const valueInfo = (name: string, dims: number[]) => ({ name, type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((dim_value) => ({ dim_value })) } } } });

/** The ModelProto bytes of the projection network for a layout-NCHW, 112 px input. */
export function projectionModel(seed: number): Uint8Array {
  const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  const features = 3 * (SIZE / POOL) ** 2;
  const next = seededRandom(seed);
  const weights = new Float32Array(features * DESCRIPTOR_LENGTH).map(() => next() * 2 - 1);
  const model = {
    ir_version: 8,
    producer_name: 'gatehouse-tests',
    opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'projection',
      node: [
        { op_type: 'AveragePool', name: 'pool', input: [INPUT_NAME], output: ['pooled'], attribute: [
          { name: 'kernel_shape', type: ATTRIBUTE_INTS, ints: [POOL, POOL] },
          { name: 'strides', type: ATTRIBUTE_INTS, ints: [POOL, POOL] },
        ] },
        { op_type: 'Flatten', name: 'flatten', input: ['pooled'], output: ['flat'] },
        { op_type: 'MatMul', name: 'project', input: ['flat', 'weights'], output: ['projected'] },
        { op_type: 'LpNormalization', name: 'normalise', input: ['projected'], output: [OUTPUT_NAME] },
      ],
      initializer: [{ name: 'weights', dims: [features, DESCRIPTOR_LENGTH], data_type: FLOAT, raw_data: new Uint8Array(weights.buffer) }],
      input: [valueInfo(INPUT_NAME, [1, 3, SIZE, SIZE])],
      output: [valueInfo(OUTPUT_NAME, [1, DESCRIPTOR_LENGTH])],
    },
  };
  const type = root.lookupType('onnx.ModelProto');
  return type.encode(type.fromObject(model)).finish();
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A manifest for the projection network written beside it as `model.onnx`; `changes` replace top-level fields. */
export function projectionManifest(modelBytes: Uint8Array, changes: Partial<EngineManifest> = {}): EngineManifest {
  return {
    format: 'gatehouse-face-engine',
    formatVersion: 1,
    id: 'test-projection',
    licence: 'written by the Gatehouse tests; no licence needed',
    model: { file: 'model.onnx', sha256: sha256(modelBytes) },
    input: { name: INPUT_NAME, layout: 'NCHW', size: SIZE, channels: 'RGB', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
    alignment: { template: 'arcface-112' },
    output: { name: OUTPUT_NAME },
    metric: 'cosine',
    thresholds: { match: 0.05, review: 0.1 },
    ...changes,
  };
}

/** Writes `model.onnx` and `name` (the manifest) into `dir`; returns the manifest's path. */
export async function writeEngine(dir: string, modelBytes: Uint8Array, manifest: EngineManifest, name = 'engine.json'): Promise<string> {
  await writeFile(join(dir, 'model.onnx'), modelBytes);
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(manifest, null, 2));
  return path;
}
