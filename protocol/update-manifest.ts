// The signed update manifest: what the authority's update channel says about one Gatehouse
// package (version, architecture, SHA-256 and size, the oldest version allowed to install it,
// how long the statement holds), signed with the authority's update key — a key of its own,
// distinct from the authority's signing and sealing keys, pinned by the kiosk at provisioning.
// A kiosk installs a package only when the manifest verifies against the pinned key, has not
// expired (a freeze attack replays an old manifest forever), is newer than what runs (a
// rollback attack offers an old, vulnerable version), and the file matches its size and hash.
//
// `minimumVersion` is the oldest INSTALLED version that may install this package directly: a
// kiosk running anything older must first install an intermediate release (for instance one
// whose maintainer scripts migrate data the newer one no longer knows how to migrate).
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { compareDebianVersions, DebianVersionText } from './debian-version.js';
import { keyIdOf } from './keys.js';
import { ProtocolError } from './protocol-error.js';
import { signJson, verifyJson } from './signed-json.js';
import { IsoTime, KeyId, Sha256Hex, SignatureText } from './wire-fields.js';

export const UPDATE_PACKAGE_NAME = 'gatehouse';

/** A Debian architecture name as dpkg prints it (amd64, arm64, armhf, all, …). */
export const DebianArchitecture = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a Debian architecture is a short lowercase name such as amd64');

export const UpdateManifest = z.strictObject({
  package: z.literal(UPDATE_PACKAGE_NAME),
  version: DebianVersionText,
  architecture: DebianArchitecture,
  sha256: Sha256Hex,
  size: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** The oldest installed version that may install this package directly (see the header). */
  minimumVersion: DebianVersionText,
  publishedAt: IsoTime,
  expiresAt: IsoTime,
  notes: z.string().max(2000).optional(),
  /** The key id (keys.ts keyIdOf) of the update key that signed this manifest. */
  updateKeyId: KeyId,
  signature: SignatureText,
});
export type UpdateManifest = z.infer<typeof UpdateManifest>;
export type UpdateManifestFields = Omit<UpdateManifest, 'updateKeyId' | 'signature'>;

const CONTEXT = 'gatehouse update-manifest v1';

export type UpdateRefusalCode =
  | 'UPDATE_MANIFEST_MALFORMED'
  | 'UPDATE_SIGNATURE_INVALID'
  | 'UPDATE_EXPIRED'
  | 'UPDATE_NOT_NEWER'
  | 'UPDATE_TOO_OLD_TO_APPLY'
  | 'UPDATE_WRONG_PACKAGE'
  | 'UPDATE_WRONG_ARCHITECTURE'
  | 'UPDATE_SIZE_MISMATCH'
  | 'UPDATE_HASH_MISMATCH';

/** Why an update was refused: a ProtocolError whose code is one of UpdateRefusalCode. */
export class UpdateRefusedError extends ProtocolError {
  constructor(
    override readonly code: UpdateRefusalCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
  }
}

/** Signs a manifest with the update key (its id goes into the manifest). */
export function signUpdateManifest(fields: UpdateManifestFields, updatePrivateKey: KeyObject): UpdateManifest {
  return signJson(CONTEXT, { ...fields, updateKeyId: keyIdOf(updatePrivateKey) }, updatePrivateKey);
}

export interface UpdateContext {
  now: Date;
  /** The version of the gatehouse package running now. */
  installedVersion: string;
  /** The kiosk's Debian architecture; a manifest for "all" fits every architecture. */
  architecture: string;
}

/**
 * Checks a manifest in the order an attacker's tricks are cheapest to rule out: form, signature
 * with the pinned update key, package, architecture, expiry, newer than installed, and that the
 * installed version may install it. Returns the manifest or throws UpdateRefusedError.
 */
export function verifyUpdateManifest(signed: unknown, pinnedUpdateKey: KeyObject, context: UpdateContext): UpdateManifest {
  const parsed = UpdateManifest.safeParse(signed);
  if (!parsed.success) {
    // A manifest for another package fails the literal; say so rather than "malformed".
    const named = (signed as { package?: unknown } | null)?.package;
    if (typeof named === 'string' && named !== UPDATE_PACKAGE_NAME) {
      throw new UpdateRefusedError('UPDATE_WRONG_PACKAGE', `The manifest is for package "${named.slice(0, 60)}", not "${UPDATE_PACKAGE_NAME}".`);
    }
    throw new UpdateRefusedError('UPDATE_MANIFEST_MALFORMED', `The update manifest is malformed: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}.`);
  }
  const manifest = parsed.data;
  const pinnedKeyId = keyIdOf(pinnedUpdateKey);
  if (manifest.updateKeyId !== pinnedKeyId) {
    throw new UpdateRefusedError('UPDATE_SIGNATURE_INVALID', `The manifest is signed by update key ${manifest.updateKeyId}, not the pinned key ${pinnedKeyId}.`,
      { updateKeyId: manifest.updateKeyId });
  }
  if (!verifyJson(CONTEXT, UpdateManifest, manifest, pinnedUpdateKey).ok) {
    throw new UpdateRefusedError('UPDATE_SIGNATURE_INVALID', 'The manifest signature does not verify with the pinned update key: it was changed after signing.');
  }
  const facts = { version: manifest.version, installedVersion: context.installedVersion };
  if (manifest.architecture !== 'all' && manifest.architecture !== context.architecture) {
    throw new UpdateRefusedError('UPDATE_WRONG_ARCHITECTURE', `The update is built for ${manifest.architecture}; this kiosk is ${context.architecture}.`,
      { architecture: manifest.architecture });
  }
  if (Date.parse(manifest.expiresAt) <= context.now.getTime()) {
    throw new UpdateRefusedError('UPDATE_EXPIRED', `The manifest expired at ${manifest.expiresAt}; the authority must publish a fresh one (or check the kiosk clock).`,
      { ...facts, expiresAt: manifest.expiresAt });
  }
  if (compareDebianVersions(manifest.version, context.installedVersion) <= 0) {
    throw new UpdateRefusedError('UPDATE_NOT_NEWER', `Version ${manifest.version} is not newer than the installed ${context.installedVersion}; an update never goes back.`, facts);
  }
  if (compareDebianVersions(context.installedVersion, manifest.minimumVersion) < 0) {
    throw new UpdateRefusedError('UPDATE_TOO_OLD_TO_APPLY',
      `Version ${manifest.version} installs only over ${manifest.minimumVersion} or later; this kiosk runs ${context.installedVersion}. Install an intermediate release first.`,
      { ...facts, minimumVersion: manifest.minimumVersion });
  }
  return manifest;
}

/** Streams the file at `path` and checks it is exactly `manifest.size` bytes with `manifest.sha256`. */
export async function verifyPackageFile(path: string, manifest: Pick<UpdateManifest, 'size' | 'sha256'>): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > manifest.size) break;
    hash.update(chunk);
  }
  if (size !== manifest.size) {
    throw new UpdateRefusedError('UPDATE_SIZE_MISMATCH', `The package file has ${size > manifest.size ? 'more than ' : ''}${size} bytes; the manifest says ${manifest.size}.`,
      { expected: manifest.size, actual: size });
  }
  const actual = hash.digest('hex');
  if (actual !== manifest.sha256) {
    throw new UpdateRefusedError('UPDATE_HASH_MISMATCH', `The package file's SHA-256 is ${actual}; the manifest says ${manifest.sha256}.`,
      { expected: manifest.sha256, actual });
  }
}
