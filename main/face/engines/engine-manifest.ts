// The manifest a deployment writes for a licensed ONNX recognition model: which file (and its
// sha256), how the model wants its input (tensor name, layout, size, channel order,
// normalisation, the five-point alignment template), which output holds the descriptor, how
// descriptors are compared, and the bands `gatehouse face calibrate --engine` chose for it.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { GatehouseError } from '../../errors.js';
import type { Point } from '../landmarks.js';
import { verificationThresholdsSchema } from '../verification-thresholds.js';
import { ARCFACE_112_TEMPLATE } from './aligned-crop.js';

const channelTriple = z.tuple([z.number(), z.number(), z.number()]);
const templatePoint = z.tuple([z.number().finite(), z.number().finite()]);

export const engineManifestSchema = z.strictObject({
  format: z.literal('gatehouse-face-engine'),
  formatVersion: z.literal(1),
  /** Named in every verification result and record, e.g. "vendor-model-v3". */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" and "-", at most 64'),
  /** Who licensed the model to the deployment, and under which terms (for the record of the deployment, not checked). */
  licence: z.string().min(1),
  model: z.strictObject({
    /** Relative to the manifest's folder, or absolute. */
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  }),
  input: z.strictObject({
    name: z.string().min(1),
    layout: z.enum(['NCHW', 'NHWC']),
    /** The square crop's side in pixels. */
    size: z.number().int().min(16).max(1024),
    channels: z.enum(['RGB', 'BGR']),
    /** Per channel in the order of `channels`: the model sees (value − mean) / std, value in 0–255. */
    mean: channelTriple,
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  }),
  alignment: z.strictObject({
    /** "arcface-112", or five [x, y] points in pixels of the crop (image-left eye, image-right eye, nose tip, image-left and image-right mouth corner). */
    template: z.union([z.literal('arcface-112'), z.array(templatePoint).length(5)]),
  }),
  output: z.strictObject({ name: z.string().min(1) }),
  metric: z.enum(['cosine', 'euclidean']),
  /** Chosen by `gatehouse face calibrate --engine`; null until then (the kiosk refuses an uncalibrated engine). */
  thresholds: verificationThresholdsSchema.nullable(),
}).refine((manifest) => manifest.alignment.template !== 'arcface-112' || manifest.input.size === 112, {
  message: 'the "arcface-112" template is for a 112 px input; give the five template points for another size',
  path: ['alignment', 'template'],
});

export type EngineManifest = z.infer<typeof engineManifestSchema>;

export interface LocatedEngineManifest {
  readonly path: string;
  readonly manifest: EngineManifest;
  /** The model file, resolved against the manifest's folder. */
  readonly modelPath: string;
  readonly template: readonly Point[];
}

/** Parses a manifest's text; FACE_ENGINE_MANIFEST_INVALID (naming the first problem) for anything else. */
export function parseEngineManifest(text: string, path: string): EngineManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GatehouseError('FACE_ENGINE_MANIFEST_INVALID', `The face engine manifest ${path} is not JSON: ${(error as Error).message}.`, { path });
  }
  const parsed = engineManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'top level';
    throw new GatehouseError('FACE_ENGINE_MANIFEST_INVALID', `The face engine manifest ${path} is not valid (${where}: ${issue?.message ?? 'unknown'}).`, { path, field: where });
  }
  return parsed.data;
}

/** Reads and checks the manifest at `path`; FACE_ENGINE_MANIFEST_MISSING when it cannot be read. */
export async function readEngineManifest(path: string): Promise<LocatedEngineManifest> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch {
    throw new GatehouseError('FACE_ENGINE_MANIFEST_MISSING', `The face engine manifest ${absolute} cannot be read.`, { path: absolute });
  }
  const manifest = parseEngineManifest(text, absolute);
  const { template } = manifest.alignment;
  return {
    path: absolute,
    manifest,
    modelPath: isAbsolute(manifest.model.file) ? manifest.model.file : resolve(dirname(absolute), manifest.model.file),
    template: template === 'arcface-112' ? ARCFACE_112_TEMPLATE : template.map(([x, y]) => ({ x, y })),
  };
}
