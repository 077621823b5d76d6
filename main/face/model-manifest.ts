// Reads the face models from models/ and refuses any file whose bytes differ from
// models/manifest.json, so the worker only ever runs the weights that were reviewed.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import { projectRoot } from '../kiosk/project-root.js';

const manifestSchema = z.object({
  files: z
    .array(
      z.object({
        model: z.string().min(1),
        file: z.string().regex(/^[\w.-]+$/, 'a plain file name inside models/'),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        bytes: z.number().int().nonnegative(),
        package: z.string().min(1),
        version: z.string().min(1),
        licence: z.string().min(1),
      }),
    )
    .min(1),
});

export type ModelManifest = z.infer<typeof manifestSchema>;

export interface VerifiedModels {
  readonly dir: string;
  readonly manifest: ModelManifest;
  /** sha256 over the sorted `file sha256` lines of the manifest: one short value naming the exact weights in use. */
  readonly modelHash: string;
  readonly bytesOf: (file: string) => Uint8Array;
}

const INSTALL_HINT = 'run "node scripts/install-models.js" in the Gatehouse folder';

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function modelHashOf(manifest: ModelManifest): string {
  const lines = manifest.files.map((entry) => `${entry.file} ${entry.sha256}\n`).sort();
  return sha256(lines.join(''));
}

/** GATEHOUSE_MODELS_DIR, else models/ in the Gatehouse tree. */
export function defaultModelsDir(): string {
  const fromEnv = process.env.GATEHOUSE_MODELS_DIR;
  return fromEnv ? resolve(fromEnv) : join(projectRoot, 'models');
}

async function readManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new GatehouseError('FACE_MODEL_MANIFEST_MISSING', `The face model manifest ${path} cannot be read; ${INSTALL_HINT}.`, { path });
  }
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new GatehouseError('FACE_MODEL_MANIFEST_INVALID', `The face model manifest ${path} is not valid: ${parsed.error.issues[0]?.message ?? 'unknown'}.`, { path });
  }
  return parsed.data;
}

/** Reads every file the manifest lists and checks its sha256; the returned bytes are the ones that were checked. */
export async function loadVerifiedModels(dir: string = defaultModelsDir()): Promise<VerifiedModels> {
  const manifest = await readManifest(dir);
  const contents = new Map<string, Uint8Array>();
  for (const entry of manifest.files) {
    const path = join(dir, entry.file);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch {
      throw new GatehouseError('FACE_MODEL_MISSING', `The face model file ${entry.file} is missing from ${dir}; ${INSTALL_HINT}.`, { file: entry.file, dir });
    }
    const actual = sha256(bytes);
    if (actual !== entry.sha256) {
      throw new GatehouseError(
        'FACE_MODEL_HASH_MISMATCH',
        `The face model file ${entry.file} in ${dir} does not match models/manifest.json; the face worker will not start. Reinstall the models (${INSTALL_HINT}).`,
        { file: entry.file, dir, expected: entry.sha256, actual },
      );
    }
    contents.set(entry.file, bytes);
  }
  return {
    dir,
    manifest,
    modelHash: modelHashOf(manifest),
    bytesOf(file) {
      const bytes = contents.get(file);
      if (!bytes) throw new GatehouseError('FACE_MODEL_MISSING', `The face model file ${file} is not listed in models/manifest.json.`, { file, dir });
      return bytes;
    },
  };
}
