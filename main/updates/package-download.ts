// Downloading an update package into <data>/updates/partial/<sha256>.deb.part, resumably: the
// bytes already held are kept and only the rest is asked for (HTTP Range); a server that sends
// the whole file instead starts it over. It is idempotent (a complete, verified file is not
// fetched again), stops at once when its AbortSignal fires (keeping what arrived), reports
// progress, and ends with the file's size and SHA-256 checked against the manifest — a file
// that fails the check is deleted, so the next attempt starts clean. The lead's job runner can
// run it as a job as it is.
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseContentRange } from '../../protocol/byte-range.js';
import { UpdateRefusedError, verifyPackageFile, type UpdateManifest } from '../../protocol/update-manifest.js';
import { GatehouseError } from '../errors.js';
import { ensurePrivateFolder } from '../store/private-file.js';
import type { UpdateClient } from './update-client.js';

export interface PackageDownloadInput {
  client: Pick<UpdateClient, 'openPackage'>;
  manifest: Pick<UpdateManifest, 'sha256' | 'size'>;
  partialDir: string;
  signal?: AbortSignal;
  /** Bytes held so far and the package's size; called as bytes arrive. */
  onProgress?(received: number, total: number): void;
  /** A transfer that brings no byte for this long is given up (UPDATE_DOWNLOAD_STALLED), keeping what arrived. */
  stallTimeoutMs?: number;
}

export interface DownloadedPackage {
  path: string;
  /** Where this call started (bytes already held), and how many it fetched. */
  resumedFrom: number;
  fetched: number;
}

const DEFAULT_STALL_MS = 60_000;

const stalled = (ms: number) => new GatehouseError('UPDATE_DOWNLOAD_STALLED', `The update download received nothing for ${ms / 1000} s; it resumes at the next check.`);

export const partialPackagePath = (partialDir: string, sha256: string): string => path.join(partialDir, `${sha256}.deb.part`);

export async function downloadPackage(input: PackageDownloadInput): Promise<DownloadedPackage> {
  const { manifest, partialDir } = input;
  ensurePrivateFolder(partialDir);
  const file = partialPackagePath(partialDir, manifest.sha256);
  let held = sizeOf(file);
  if (held > manifest.size) {
    fs.rmSync(file);
    held = 0;
  }
  const resumedFrom = held;
  let fetched = 0;
  if (held < manifest.size) {
    input.signal?.throwIfAborted();
    const stall = new AbortController();
    const signal = input.signal ? AbortSignal.any([input.signal, stall.signal]) : stall.signal;
    const stallMs = input.stallTimeoutMs ?? DEFAULT_STALL_MS;
    let stallTimer = setTimeout(() => stall.abort(stalled(stallMs)), stallMs);
    const response = await input.client.openPackage(manifest.sha256, held, signal).catch((error: unknown) => {
      throw stall.signal.aborted ? stall.signal.reason : error;
    }).finally(() => clearTimeout(stallTimer));
    let start = 0;
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      if (range === null || range.first !== held || (range.size !== null && range.size !== manifest.size)) {
        await response.body.cancel();
        throw new GatehouseError('UPDATE_DOWNLOAD_INVALID',
          `The authority answered a resumed download with ${response.headers.get('content-range') ?? 'no Content-Range'} instead of bytes from ${held}.`);
      }
      start = held;
    }
    held = start;
    input.onProgress?.(held, manifest.size);
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => stall.abort(stalled(stallMs)), stallMs);
        held += chunk.length;
        fetched += chunk.length;
        if (held > manifest.size) {
          done(new UpdateRefusedError('UPDATE_SIZE_MISMATCH', `The authority sent more than the ${manifest.size} bytes the manifest names.`,
            { expected: manifest.size }));
          return;
        }
        input.onProgress?.(held, manifest.size);
        done(null, chunk);
      },
    });
    const out = fs.createWriteStream(file, { flags: start === 0 ? 'w' : 'a', mode: 0o600 });
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counting, out, { signal });
    } catch (error) {
      if (error instanceof UpdateRefusedError) fs.rmSync(file, { force: true });
      if (stall.signal.aborted) throw stall.signal.reason;
      if (input.signal?.aborted || error instanceof GatehouseError) throw error;
      // The connection broke mid-transfer: what arrived stays, and the next attempt resumes after it.
      throw new GatehouseError('UPDATE_DOWNLOAD_INTERRUPTED',
        `The update download broke off after ${held} of ${manifest.size} bytes (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}); it resumes at the next check.`);
    } finally {
      clearTimeout(stallTimer);
    }
    syncFile(file);
  }
  try {
    await verifyPackageFile(file, manifest);
  } catch (error) {
    fs.rmSync(file, { force: true });
    throw error;
  }
  return { path: file, resumedFrom, fetched };
}

/** Deletes the partial downloads of every package but `keep` (an older manifest's, say). */
export function removeOtherPartials(partialDir: string, keep: string | null): void {
  let names: string[];
  try {
    names = fs.readdirSync(partialDir);
  } catch {
    return;
  }
  for (const name of names) if (keep === null || name !== path.basename(partialPackagePath(partialDir, keep))) fs.rmSync(path.join(partialDir, name), { force: true });
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
