// The offline export bundle: many sealed envelopes in one file a supervisor carries to the
// authority on a USB stick, described by a manifest the kiosk signs. The authority ingests it
// with the same per-record idempotency as an upload and answers with a receipt file.
//
// Layout: "GHBN" | version u8 = 1 | manifest length u32 | manifest (canonical JSON)
//         | Ed25519 signature (64) over every byte before it | the envelopes, in manifest order
// The manifest lists each envelope's record id, size and SHA-256, so the one signature covers all.
import { sign, verify, type KeyObject } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import {
  containerError, FRAME_PREFIX_BYTES, frameHeader, parseHeader, readHeaderLength, truncatedError, type ContainerFormat,
} from './container-framing.js';
import { IsoTime, KioskId, RecordId, Sha256Hex, sha256Hex } from './wire-fields.js';

const FORMAT: ContainerFormat = { name: 'export bundle', magic: 'GHBN', version: 1, maxHeaderBytes: 128 * 1024 * 1024, codePrefix: 'BUNDLE' };
const SIGNATURE_BYTES = 64;

export const BundleEntry = z.strictObject({
  recordId: RecordId,
  size: z.number().int().positive().max(2 ** 31),
  digest: Sha256Hex,
});
export type BundleEntry = z.infer<typeof BundleEntry>;

export const BundleManifest = z.strictObject({
  bundleId: z.uuid(),
  kioskId: KioskId,
  createdAt: IsoTime,
  records: z.array(BundleEntry)
    .refine((records) => new Set(records.map((r) => r.recordId)).size === records.length, 'record ids must be unique'),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

export interface BundleProgress {
  done: number;
  total: number;
  bytes: number;
}

export interface WriteBundleInput {
  bundleId: string;
  kioskId: string;
  createdAt: string;
  /** The envelopes to export, as the outbox knows them (id, size, digest). */
  records: readonly BundleEntry[];
  readEnvelope(recordId: string): Promise<Uint8Array> | Uint8Array;
  kioskSigningPrivateKey: KeyObject;
  onProgress?(progress: BundleProgress): void;
}

export interface ReadBundleOptions {
  /** The signing key of the kiosk the manifest names; throw to refuse the bundle. */
  kioskSigningPublicKey(kioskId: string): Promise<KeyObject> | KeyObject;
  /** Called with each intact envelope, in manifest order. */
  onRecord(entry: BundleEntry, envelope: Uint8Array): Promise<void> | void;
}

export interface BundleContents {
  manifest: BundleManifest;
  /** Entries whose bytes are missing or do not match the manifest; onRecord was not called for them. */
  damaged: Array<{ recordId: string; code: string; message: string }>;
}

/**
 * Writes the bundle to `file` through `file.partial`, renamed into place only once every
 * envelope has been written, checked against its entry and synced.
 */
export async function writeBundle(file: string, input: WriteBundleInput): Promise<{ file: string; size: number; records: number }> {
  const manifest = BundleManifest.safeParse({
    bundleId: input.bundleId, kioskId: input.kioskId, createdAt: input.createdAt, records: input.records,
  });
  if (!manifest.success) {
    throw containerError(FORMAT, 'INPUT_INVALID', `The bundle cannot be written: ${manifest.error.issues[0]?.message}.`);
  }
  const head = frameHeader(FORMAT, manifest.data);
  const partial = `${file}.partial`;
  const handle = await open(partial, 'w', 0o600);
  try {
    let size = await writeAt(handle, Buffer.concat([head, sign(null, head, input.kioskSigningPrivateKey)]), 0);
    for (const [index, entry] of manifest.data.records.entries()) {
      const envelope = await input.readEnvelope(entry.recordId);
      if (envelope.length !== entry.size || sha256Hex(envelope) !== entry.digest) {
        throw containerError(FORMAT, 'ENTRY_MISMATCH', `Envelope ${entry.recordId} does not match its size and digest in the outbox.`,
          { recordId: entry.recordId });
      }
      size += await writeAt(handle, envelope, size);
      input.onProgress?.({ done: index + 1, total: manifest.data.records.length, bytes: size });
    }
    await handle.sync();
    await handle.close();
    await rename(partial, file);
    return { file, size, records: manifest.data.records.length };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Reads the bundle at `file`: checks its form and the kiosk's signature over the manifest, then
 * hands each intact envelope to `onRecord` and reports the damaged ones instead of stopping.
 */
export async function readBundle(file: string, options: ReadBundleOptions): Promise<BundleContents> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const prefix = await readAt(handle, 0, FRAME_PREFIX_BYTES);
    const manifestEnd = FRAME_PREFIX_BYTES + readHeaderLength(FORMAT, prefix);
    const head = await readAt(handle, 0, manifestEnd + SIGNATURE_BYTES);
    if (head.length < manifestEnd + SIGNATURE_BYTES) throw truncatedError(FORMAT, size);
    const manifest = parseHeader(FORMAT, head.subarray(FRAME_PREFIX_BYTES, manifestEnd), BundleManifest);
    const kioskKey = await options.kioskSigningPublicKey(manifest.kioskId);
    if (!verify(null, head.subarray(0, manifestEnd), kioskKey, head.subarray(manifestEnd))) {
      throw containerError(FORMAT, 'SIGNATURE_INVALID', `The bundle manifest is not signed by kiosk ${manifest.kioskId}.`,
        { bundleId: manifest.bundleId, kioskId: manifest.kioskId });
    }
    let at = head.length;
    const expectedSize = manifest.records.reduce((sum, entry) => sum + entry.size, at);
    if (size > expectedSize) {
      throw containerError(FORMAT, 'MALFORMED', `The bundle has ${size - expectedSize} bytes after its last envelope.`);
    }
    const damaged: BundleContents['damaged'] = [];
    for (const entry of manifest.records) {
      const envelope = await readAt(handle, at, entry.size);
      at += entry.size;
      if (envelope.length < entry.size) {
        damaged.push({ recordId: entry.recordId, code: 'BUNDLE_ENTRY_TRUNCATED', message: `The bundle ends inside envelope ${entry.recordId}.` });
      } else if (sha256Hex(envelope) !== entry.digest) {
        damaged.push({ recordId: entry.recordId, code: 'BUNDLE_ENTRY_CORRUPT', message: `Envelope ${entry.recordId} does not match its digest in the manifest.` });
      } else {
        await options.onRecord(entry, envelope);
      }
    }
    return { manifest, damaged };
  } finally {
    await handle.close();
  }
}

async function writeAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<number> {
  for (let written = 0; written < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
  return bytes.length;
}

/** Up to `length` bytes at `position`; fewer only at the end of the file. */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
