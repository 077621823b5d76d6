// The authority's update channel: publishing a Gatehouse .deb (its control fields read with
// dpkg-deb, its bytes hashed and kept content-addressed as updates/<sha256>.deb, 0600 in a 0700
// folder, and a manifest signed with the update key), the newest package for an architecture
// (by Debian version order, which SQL cannot do), and the file of a package for download.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuthorityError } from '../authority-error.js';
import type { Authority } from '../authority.js';
import { compareDebianVersions, parseControlFields, parseDebianVersion, type DebianControlFields } from '../../protocol/debian-version.js';
import type { ProtocolError } from '../../protocol/protocol-error.js';
import { DebianArchitecture, signUpdateManifest, UPDATE_PACKAGE_NAME, type UpdateManifest, type UpdateManifestFields } from '../../protocol/update-manifest.js';
import type { PublishedUpdateRow, UpdateStored } from '../store/repository.js';

const run = promisify(execFile);

export const DEFAULT_UPDATE_EXPIRY_DAYS = 30;
/** "No minimum": every installed version may install the package. */
const NO_MINIMUM_VERSION = '0';

export interface PublishUpdateOptions {
  /** The oldest installed version that may install this package directly. */
  minimumVersion?: string;
  expiresInDays?: number;
  notes?: string;
}

const updatesFolder = (authority: Pick<Authority, 'dataDir'>): string => join(authority.dataDir, 'updates');
const packagePath = (authority: Pick<Authority, 'dataDir'>, sha256: string): string => join(updatesFolder(authority), `${sha256}.deb`);

/** The Package, Version and Architecture control fields of a .deb, as dpkg-deb reads them. */
export async function readDebControl(file: string): Promise<DebianControlFields> {
  let output: string;
  try {
    ({ stdout: output } = await run('dpkg-deb', ['-f', file, 'Package', 'Version', 'Architecture']));
  } catch (error) {
    const why = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new AuthorityError(400, 'UPDATE_NOT_A_PACKAGE', `${file} is not a readable Debian package: ${why}`, { file });
  }
  return parseControlFields(output);
}

async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Publishes `file` on the update channel: checks it is a gatehouse package with a valid version
 * and architecture, keeps a copy under its SHA-256, and signs its manifest. Publishing the same
 * file again renews its manifest (new expiry, minimum version); another file with the same
 * version and architecture is refused (UPDATE_VERSION_TAKEN).
 */
export async function publishUpdate(authority: Authority, file: string, options: PublishUpdateOptions = {}): Promise<{ row: PublishedUpdateRow; outcome: Exclude<UpdateStored, 'version-taken'> }> {
  const control = await readDebControl(file);
  if (control.package !== UPDATE_PACKAGE_NAME) {
    throw new AuthorityError(400, 'UPDATE_NOT_GATEHOUSE', `${file} is package "${control.package}"; the update channel carries "${UPDATE_PACKAGE_NAME}" only.`, { file });
  }
  const minimumVersion = options.minimumVersion ?? NO_MINIMUM_VERSION;
  try {
    parseDebianVersion(control.version);
    parseDebianVersion(minimumVersion);
  } catch (error) {
    throw new AuthorityError(400, 'UPDATE_VERSION_INVALID', (error as ProtocolError).message, { file });
  }
  if (!DebianArchitecture.safeParse(control.architecture).success) {
    throw new AuthorityError(400, 'UPDATE_ARCHITECTURE_INVALID', `${file} has architecture "${control.architecture}", which is not a Debian architecture name.`, { file });
  }
  if (compareDebianVersions(minimumVersion, control.version) >= 0) {
    throw new AuthorityError(400, 'UPDATE_MINIMUM_INVALID',
      `The minimum version ${minimumVersion} must be older than the package's ${control.version}: no kiosk could install it otherwise.`, { minimumVersion });
  }
  const expiresInDays = options.expiresInDays ?? DEFAULT_UPDATE_EXPIRY_DAYS;
  if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650) {
    throw new AuthorityError(400, 'UPDATE_EXPIRY_INVALID', 'The manifest must expire in 1 to 3650 whole days.', { expiresInDays });
  }

  const { sha256, size } = await hashFile(file);
  const kept = await keepPackage(authority, file, sha256);
  const now = authority.clock();
  const fields: UpdateManifestFields = {
    package: UPDATE_PACKAGE_NAME,
    version: control.version,
    architecture: control.architecture,
    sha256,
    size,
    minimumVersion,
    publishedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + expiresInDays * 86_400_000).toISOString(),
    ...(options.notes === undefined ? {} : { notes: options.notes }),
  };
  const manifest = signUpdateManifest(fields, authority.keys.update.privateKey);
  const row: PublishedUpdateRow = {
    sha256, version: fields.version, architecture: fields.architecture, size, minimumVersion, publishedAt: fields.publishedAt, expiresAt: fields.expiresAt, manifest,
  };
  const outcome = await authority.repository.storeUpdate(row);
  if (outcome === 'version-taken') {
    if (kept === 'new') await rm(packagePath(authority, sha256), { force: true });
    throw new AuthorityError(409, 'UPDATE_VERSION_TAKEN',
      `Another package is already published as ${control.version} for ${control.architecture}; give the new build a new version.`,
      { version: control.version, architecture: control.architecture });
  }
  return { row, outcome };
}

/** Copies the package to updates/<sha256>.deb (0600) unless it is there already. */
async function keepPackage(authority: Authority, file: string, sha256: string): Promise<'new' | 'held'> {
  const target = packagePath(authority, sha256);
  try {
    await stat(target);
    return 'held';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(updatesFolder(authority), { recursive: true, mode: 0o700 });
  const partial = `${target}.partial`;
  await copyFile(file, partial);
  await chmod(partial, 0o600);
  await rename(partial, target);
  return 'new';
}

/** Every published package, newest version first. */
export async function listUpdates(authority: Authority): Promise<PublishedUpdateRow[]> {
  return (await authority.repository.listUpdates()).sort((a, b) => compareDebianVersions(b.version, a.version) || a.architecture.localeCompare(b.architecture));
}

/**
 * The signed manifest of the newest package for `architecture` (a package for "all" fits any),
 * served even when it has expired: the kiosk refuses it and says so, and the operator renews it.
 */
export async function latestUpdate(authority: Authority, architecture: string): Promise<UpdateManifest> {
  const fitting = (await listUpdates(authority)).filter((row) => row.architecture === architecture || row.architecture === 'all');
  const newest = fitting[0];
  if (newest === undefined) {
    throw new AuthorityError(404, 'UPDATE_NONE_PUBLISHED', `No Gatehouse update is published for ${architecture}.`, { architecture });
  }
  return newest.manifest;
}

/** The file and size of a published package, for download. */
export async function updatePackageFile(authority: Authority, sha256: string): Promise<{ path: string; size: number }> {
  const row = await authority.repository.findUpdate(sha256);
  if (row === undefined) {
    throw new AuthorityError(404, 'UPDATE_PACKAGE_NOT_FOUND', `No published package has SHA-256 ${sha256}.`, { sha256 });
  }
  return { path: packagePath(authority, sha256), size: row.size };
}
