// The hand-over between the unprivileged kiosk service and the privileged installer: the kiosk
// stages a verified update under <data>/updates/staged/ and the installer (main/updates/installer/,
// run by gatehouse-update.service when request.json appears) installs it. Both sides use this
// module, so the folder layout and the request format are written down once.
//
// <data>/updates/
//   partial/<sha256>.deb.part        a download in progress (resumed with HTTP Range)
//   staged/gatehouse_<v>_<arch>.deb  the verified package (<v> without its epoch, as dpkg-name does)
//   staged/manifest.json             the signed manifest exactly as the authority served it
//   staged/request.json              written LAST (atomically): its presence is the install request
//
// The installer must not trust this folder (the service user can write it): it copies the three
// files somewhere only root can write and calls readStagedUpdate on the copy, with an update key
// it obtained itself (readPinnedUpdateKey reads the one pinned in the kiosk store at
// provisioning). readStagedUpdate re-verifies everything the kiosk verified: the manifest's
// signature, expiry, version order and architecture, that the request names that manifest, and
// the package's size and SHA-256.
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DebianVersionText } from '../../protocol/debian-version.js';
import { verifyPackageFile, verifyUpdateManifest, type UpdateContext, type UpdateManifest } from '../../protocol/update-manifest.js';
import { IsoTime, KeyId, Sha256Hex } from '../../protocol/wire-fields.js';
import { GatehouseError } from '../errors.js';
import { ensurePrivateFolder, writePrivateFile } from '../store/private-file.js';

export interface UpdateFolders {
  root: string;
  partial: string;
  staged: string;
}

export function updateFolders(dataDir: string): UpdateFolders {
  const root = path.join(dataDir, 'updates');
  return { root, partial: path.join(root, 'partial'), staged: path.join(root, 'staged') };
}

export const STAGED_MANIFEST_FILE = 'manifest.json';
export const STAGED_REQUEST_FILE = 'request.json';

/** The package's file name in staged/: gatehouse_<version without epoch>_<architecture>.deb. */
export const stagedPackageFileName = (manifest: Pick<UpdateManifest, 'package' | 'version' | 'architecture'>): string =>
  `${manifest.package}_${manifest.version.replace(/^[0-9]+:/, '')}_${manifest.architecture}.deb`;

export const StagedUpdateRequest = z.strictObject({
  format: z.literal('gatehouse-update-request'),
  formatVersion: z.literal(1),
  /** A file name in the same folder (never a path). */
  packageFile: z.string().regex(/^gatehouse_[A-Za-z0-9.+~-]+_[a-z0-9-]+\.deb$/, 'packageFile is gatehouse_<version>_<arch>.deb'),
  manifestFile: z.literal(STAGED_MANIFEST_FILE),
  version: DebianVersionText,
  sha256: Sha256Hex,
  size: z.number().int().positive(),
  updateKeyId: KeyId,
  /** The version that ran when the kiosk staged the update (for the record; the installer asks dpkg). */
  fromVersion: DebianVersionText,
  requestedAt: IsoTime,
});
export type StagedUpdateRequest = z.infer<typeof StagedUpdateRequest>;

export interface StagedUpdate {
  request: StagedUpdateRequest;
  manifest: UpdateManifest;
  /** Absolute path of the package in the folder that was read. */
  packagePath: string;
}

/**
 * Stages `packagePath` (moved, not copied: it must be on the same file system, as partial/ is)
 * with its signed manifest, the request last. Whatever was staged before is replaced.
 */
export function writeStagedUpdate(
  stagedDir: string,
  input: { packagePath: string; signedManifest: UpdateManifest; fromVersion: string; now: Date },
): StagedUpdateRequest {
  const { signedManifest: manifest } = input;
  clearStagedUpdate(stagedDir);
  ensurePrivateFolder(stagedDir);
  const packageFile = stagedPackageFileName(manifest);
  fs.renameSync(input.packagePath, path.join(stagedDir, packageFile));
  fs.chmodSync(path.join(stagedDir, packageFile), 0o600);
  writePrivateFile(path.join(stagedDir, STAGED_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  const request: StagedUpdateRequest = {
    format: 'gatehouse-update-request',
    formatVersion: 1,
    packageFile,
    manifestFile: STAGED_MANIFEST_FILE,
    version: manifest.version,
    sha256: manifest.sha256,
    size: manifest.size,
    updateKeyId: manifest.updateKeyId,
    fromVersion: input.fromVersion,
    requestedAt: input.now.toISOString(),
  };
  writePrivateFile(path.join(stagedDir, STAGED_REQUEST_FILE), `${JSON.stringify(request, null, 2)}\n`);
  return request;
}

/** The request staged in `stagedDir` without verifying anything else; null when there is none. */
export function peekStagedRequest(stagedDir: string): StagedUpdateRequest | null {
  const text = readOptional(path.join(stagedDir, STAGED_REQUEST_FILE));
  return text === null ? null : parseRequest(text);
}

/**
 * Reads and fully verifies the update staged in `stagedDir` (or a copy of it): the request, the
 * manifest against `pinnedUpdateKey` and `context`, that the two agree, and the package's size and
 * hash. Throws UpdateRefusedError (protocol/update-manifest.ts) for a refused update and
 * GatehouseError UPDATE_REQUEST_MALFORMED / UPDATE_NOT_STAGED for a broken or absent hand-over.
 */
export async function readStagedUpdate(stagedDir: string, pinnedUpdateKey: KeyObject, context: UpdateContext): Promise<StagedUpdate> {
  const requestText = readOptional(path.join(stagedDir, STAGED_REQUEST_FILE));
  if (requestText === null) throw new GatehouseError('UPDATE_NOT_STAGED', `No update is staged in ${stagedDir}.`, { folder: stagedDir });
  const request = parseRequest(requestText);
  const manifestText = readOptional(path.join(stagedDir, request.manifestFile));
  if (manifestText === null) throw malformed(`${request.manifestFile} is missing`);
  const manifest = verifyUpdateManifest(parseJson(manifestText, request.manifestFile), pinnedUpdateKey, context);
  const differing: string[] = (['version', 'sha256', 'size', 'updateKeyId'] as const).filter((field) => request[field] !== manifest[field]);
  if (request.packageFile !== stagedPackageFileName(manifest)) differing.push('packageFile');
  if (differing.length > 0) throw malformed(`the request does not describe the staged manifest (${differing.join(', ')} differ)`);
  const packagePath = path.resolve(stagedDir, request.packageFile);
  await verifyPackageFile(packagePath, manifest);
  return { request, manifest, packagePath };
}

/** Removes everything staged (the request first, so a half-removed folder never looks staged). */
export function clearStagedUpdate(stagedDir: string): void {
  fs.rmSync(path.join(stagedDir, STAGED_REQUEST_FILE), { force: true });
  fs.rmSync(stagedDir, { recursive: true, force: true });
}

function readOptional(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseRequest(text: string): StagedUpdateRequest {
  const parsed = StagedUpdateRequest.safeParse(parseJson(text, STAGED_REQUEST_FILE));
  if (!parsed.success) throw malformed(`${STAGED_REQUEST_FILE}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed(`${file} is not JSON`);
  }
}

const malformed = (why: string) =>
  new GatehouseError('UPDATE_REQUEST_MALFORMED', `The staged update cannot be used: ${why}. The kiosk stages it again at its next update check.`);
