// Export bundles: what the kiosk writes reads back envelope for envelope under its signature;
// a damaged entry is reported and skipped while the rest still arrive; a forged, foreign or
// truncated manifest refuses the whole file; a half-written bundle never appears under its name.

import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBundle, writeBundle, type BundleEntry, type BundleProgress } from '../../../protocol/bundle.js';
import { generateSealingKeyPair, generateSigningKeyPair } from '../../../protocol/keys.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { newKioskKeys, sealSample } from '../authority/sealing-fixtures.js';

const authority = generateSealingKeyPair();
const kiosk = newKioskKeys();
const envelopes = [0, 1, 2].map(() => sealSample(kiosk, authority.publicKey, { partBytes: 500 }));
const entries: BundleEntry[] = envelopes.map(({ recordId, size, digest }) => ({ recordId, size, digest }));
const byId = new Map(envelopes.map((e) => [e.recordId, e.bytes]));

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-bundle-'));
  file = join(dir, 'export.ghbundle');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const write = (overrides: Partial<Parameters<typeof writeBundle>[1]> = {}) => writeBundle(file, {
  bundleId: randomUUID(), kioskId: kiosk.id, createdAt: '2025-03-02T08:00:00.000Z', records: entries,
  readEnvelope: (id) => byId.get(id)!, kioskSigningPrivateKey: kiosk.signing.privateKey, ...overrides,
});

async function read(key = kiosk.signing.publicKey) {
  const received: Array<[string, string]> = [];
  const contents = await readBundle(file, {
    kioskSigningPublicKey: () => key,
    onRecord: (entry, envelope) => void received.push([entry.recordId, Buffer.from(envelope).toString('hex')]),
  });
  return { ...contents, received };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (error instanceof ProtocolError) return error.code;
  throw new Error(`expected a ProtocolError, got ${String(error)}`);
}

describe('writeBundle / readBundle', () => {
  it('round-trips every envelope in manifest order and reports progress', async () => {
    const progress: BundleProgress[] = [];
    const written = await write({ onProgress: (p) => progress.push(p) });
    const { manifest, damaged, received } = await read();
    expect(manifest).toMatchObject({ kioskId: kiosk.id, records: entries });
    expect(damaged).toEqual([]);
    expect(received).toEqual(envelopes.map((e) => [e.recordId, Buffer.from(e.bytes).toString('hex')]));
    expect(progress.map((p) => [p.done, p.total])).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(progress.at(-1)!.bytes).toBe(written.size);
    expect((await readFile(file)).length).toBe(written.size);
  });

  it('refuses to export an envelope that does not match the outbox, leaving no file behind', async () => {
    const wrong = sealSample(kiosk, authority.publicKey).bytes;
    expect(await refusal(write({ readEnvelope: (id) => (id === entries[1]!.recordId ? wrong : byId.get(id)!) }))).toBe('BUNDLE_ENTRY_MISMATCH');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a manifest not signed by the kiosk it names', async () => {
    await write();
    expect(await refusal(read(generateSigningKeyPair().publicKey))).toBe('BUNDLE_SIGNATURE_INVALID');
  });

  it('refuses a changed manifest', async () => {
    await write();
    const bytes = await readFile(file);
    const at = bytes.indexOf(entries[0]!.recordId);
    bytes[at] = bytes[at] === 0x61 ? 0x62 : 0x61;
    await writeFile(file, bytes);
    expect(await refusal(read())).toBe('BUNDLE_SIGNATURE_INVALID');
  });

  it('refuses a file that is not a bundle, or whose manifest is cut off', async () => {
    await writeFile(file, 'not a bundle at all');
    expect(await refusal(read())).toBe('BUNDLE_BAD_MAGIC');
    await write();
    await truncate(file, 40);
    expect(await refusal(read())).toBe('BUNDLE_TRUNCATED');
  });

  it('reports a corrupt or missing envelope and still delivers the intact ones', async () => {
    const { size } = await write();
    const bytes = await readFile(file);
    bytes[size - envelopes[2]!.size - 10]! ^= 0xff; // inside the second envelope
    await writeFile(file, bytes.subarray(0, size - 100)); // and the third is cut short
    const { damaged, received } = await read();
    expect(received.map(([id]) => id)).toEqual([entries[0]!.recordId]);
    expect(damaged).toEqual([
      expect.objectContaining({ recordId: entries[1]!.recordId, code: 'BUNDLE_ENTRY_CORRUPT' }),
      expect.objectContaining({ recordId: entries[2]!.recordId, code: 'BUNDLE_ENTRY_TRUNCATED' }),
    ]);
  });

  it('refuses bytes after the last envelope', async () => {
    await write();
    await writeFile(file, Buffer.concat([await readFile(file), Buffer.from('tail')]));
    expect(await refusal(read())).toBe('BUNDLE_MALFORMED');
  });
});
