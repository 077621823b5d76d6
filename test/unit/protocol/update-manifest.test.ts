// The signed update manifest: it verifies only with the pinned update key, and every attack the
// channel must stop — a changed field, another key, a replayed expired manifest (freeze), an
// older or equal version (rollback), a version the kiosk may not jump to, another package or
// architecture — is refused with its own code; a package file must match size and hash exactly.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../../protocol/keys.js';
import { signJson } from '../../../protocol/signed-json.js';
import {
  signUpdateManifest, verifyPackageFile, verifyUpdateManifest, type UpdateManifestFields,
} from '../../../protocol/update-manifest.js';
import { sha256Hex } from '../../../protocol/wire-fields.js';

const updateKey = generateSigningKeyPair();
const otherKey = generateSigningKeyPair();
const packageBytes = Buffer.from('!<arch>\nnot really a package, but bytes with a hash\n');
const fields: UpdateManifestFields = {
  package: 'gatehouse',
  version: '1.2.0',
  architecture: 'amd64',
  sha256: sha256Hex(packageBytes),
  size: packageBytes.length,
  minimumVersion: '1.0.0',
  publishedAt: '2026-12-01T00:00:00.000Z',
  expiresAt: '2026-12-31T00:00:00.000Z',
  notes: 'Fixes the slip printer.',
};
const context = { now: new Date('2026-12-06T10:00:00.000Z'), installedVersion: '1.1.0', architecture: 'amd64' };
const manifest = signUpdateManifest(fields, updateKey.privateKey);
const refusal = (code: string) => expect.objectContaining({ code });

describe('verifyUpdateManifest', () => {
  it('returns a manifest signed by the pinned update key for a newer version', () => {
    expect(verifyUpdateManifest(JSON.parse(JSON.stringify(manifest)), updateKey.publicKey, context)).toEqual(manifest);
    const withoutNotes = (({ notes: _notes, ...rest }: UpdateManifestFields) => rest)(fields);
    expect(verifyUpdateManifest(signUpdateManifest(withoutNotes, updateKey.privateKey), updateKey.publicKey, context).notes).toBeUndefined();
  });

  it('refuses a manifest signed by another key, named as the pinned one or not', () => {
    expect(() => verifyUpdateManifest(signUpdateManifest(fields, otherKey.privateKey), updateKey.publicKey, context))
      .toThrow(refusal('UPDATE_SIGNATURE_INVALID'));
    const forged = { ...signUpdateManifest(fields, otherKey.privateKey), updateKeyId: manifest.updateKeyId };
    expect(() => verifyUpdateManifest(forged, updateKey.publicKey, context)).toThrow(refusal('UPDATE_SIGNATURE_INVALID'));
  });

  it('refuses a signature made for another kind of document', () => {
    const unsigned = (({ signature: _signature, ...rest }: typeof manifest) => rest)(manifest);
    const carried = signJson('gatehouse station-config v1', unsigned, updateKey.privateKey);
    expect(() => verifyUpdateManifest(carried, updateKey.publicKey, context)).toThrow(refusal('UPDATE_SIGNATURE_INVALID'));
  });

  it('refuses any changed field', () => {
    const changes = fc.oneof(
      fc.constantFrom('1.2.1', '9.0', '1:1.0').map((version) => ({ version })),
      fc.constantFrom('0.1', '1.1.0', '1.1.5').map((minimumVersion) => ({ minimumVersion })),
      fc.stringMatching(/^[0-9a-f]{64}$/).map((sha256) => ({ sha256 })),
      fc.integer({ min: 1, max: 1e9 }).map((size) => ({ size })),
      fc.date({ min: new Date('2026-12-07'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => ({ expiresAt: d.toISOString() })),
      fc.string({ maxLength: 40 }).map((notes) => ({ notes })),
    );
    fc.assert(fc.property(changes, (change) => {
      fc.pre(Object.entries(change).some(([key, value]) => manifest[key as keyof typeof manifest] !== value));
      expect(() => verifyUpdateManifest({ ...manifest, ...change }, updateKey.publicKey, context)).toThrow(refusal('UPDATE_SIGNATURE_INVALID'));
    }));
  });

  it('refuses an expired manifest (a freeze attack), even one a second past its expiry', () => {
    expect(() => verifyUpdateManifest(manifest, updateKey.publicKey, { ...context, now: new Date(fields.expiresAt) }))
      .toThrow(refusal('UPDATE_EXPIRED'));
  });

  it('refuses the installed version or an older one (a rollback attack)', () => {
    for (const installedVersion of ['1.2.0', '0:1.2.0', '1.2.0-0', '1.3', '1:0.1']) {
      expect(() => verifyUpdateManifest(manifest, updateKey.publicKey, { ...context, installedVersion }), installedVersion)
        .toThrow(refusal('UPDATE_NOT_NEWER'));
    }
  });

  it('refuses to install over a version older than the minimum', () => {
    expect(() => verifyUpdateManifest(manifest, updateKey.publicKey, { ...context, installedVersion: '0.9.9' }))
      .toThrow(refusal('UPDATE_TOO_OLD_TO_APPLY'));
    expect(verifyUpdateManifest(manifest, updateKey.publicKey, { ...context, installedVersion: '1.0.0' })).toEqual(manifest);
  });

  it('refuses another architecture and another package; takes "all" anywhere', () => {
    expect(() => verifyUpdateManifest(manifest, updateKey.publicKey, { ...context, architecture: 'arm64' }))
      .toThrow(refusal('UPDATE_WRONG_ARCHITECTURE'));
    const forAll = signUpdateManifest({ ...fields, architecture: 'all' }, updateKey.privateKey);
    expect(verifyUpdateManifest(forAll, updateKey.publicKey, { ...context, architecture: 'arm64' })).toEqual(forAll);
    expect(() => verifyUpdateManifest({ ...manifest, package: 'openssh-server' }, updateKey.publicKey, context))
      .toThrow(refusal('UPDATE_WRONG_PACKAGE'));
  });

  it('refuses what is not a manifest', () => {
    for (const bad of [null, 'manifest', {}, { ...manifest, extra: 1 }, { ...manifest, version: 'latest' }, { ...manifest, size: -1 }]) {
      expect(() => verifyUpdateManifest(bad, updateKey.publicKey, context)).toThrow(refusal('UPDATE_MANIFEST_MALFORMED'));
    }
  });
});

describe('verifyPackageFile', () => {
  const folder = mkdtempSync(join(tmpdir(), 'gatehouse-update-file-'));
  const write = (name: string, bytes: Buffer) => {
    const file = join(folder, name);
    writeFileSync(file, bytes);
    return file;
  };

  it('accepts the exact bytes', async () => {
    await expect(verifyPackageFile(write('good.deb', packageBytes), manifest)).resolves.toBeUndefined();
  });

  it('refuses a shorter, a longer and a changed file', async () => {
    await expect(verifyPackageFile(write('short.deb', packageBytes.subarray(1)), manifest)).rejects.toThrow(refusal('UPDATE_SIZE_MISMATCH'));
    await expect(verifyPackageFile(write('long.deb', Buffer.concat([packageBytes, Buffer.alloc(1 << 20)])), manifest))
      .rejects.toThrow(refusal('UPDATE_SIZE_MISMATCH'));
    const changed = Buffer.from(packageBytes);
    changed[5] ^= 1;
    await expect(verifyPackageFile(write('changed.deb', changed), manifest)).rejects.toThrow(refusal('UPDATE_HASH_MISMATCH'));
  });
});
