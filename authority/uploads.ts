// Resumable chunked uploads for records too large for one request: create (or resume) an upload
// for a record id with the envelope's size and digest, PUT chunks at the committed offset, GET
// the offset after an interruption, then complete, which runs the same intake as a single PUT.
// A kiosk has at most `openUploadsPerKiosk` open at once; one left without a chunk for
// `uploadIdleSeconds` is abandoned and swept.
import { createHash, randomUUID } from 'node:crypto';
import { AuthorityError } from './authority-error.js';
import { nowIso, type Authority } from './authority.js';
import type { CompleteUploadRequest, CreateUploadRequest, CreateUploadResponse, UploadState } from '../protocol/api.js';
import { acceptEnvelope, heldRecord, type Intake } from './record-intake.js';
import type { KioskRow, UploadRow } from './store/repository.js';

const stateOf = (authority: Authority, row: UploadRow): UploadState => ({
  status: 'uploading', uploadId: row.uploadId, recordId: row.recordId, size: row.size, digest: row.digest, offset: row.offset,
  maxChunkBytes: authority.limits.chunkBytes,
});

/** A new upload (created), the open one for the same envelope (resumed), or the record if already held. */
export async function createUpload(
  authority: Authority, kiosk: KioskRow, recordId: string, request: CreateUploadRequest,
): Promise<{ created: boolean; response: CreateUploadResponse }> {
  if (request.size > authority.limits.uploadBytes) {
    throw new AuthorityError(413, 'UPLOAD_TOO_LARGE', `A record may be at most ${authority.limits.uploadBytes} bytes; this one has ${request.size}.`,
      { size: request.size, limit: authority.limits.uploadBytes });
  }
  const held = await heldRecord(authority, kiosk, recordId, request.digest);
  if (held !== undefined) return { created: false, response: held };
  const open = await authority.repository.findUploadForRecord(kiosk.id, recordId);
  if (open !== undefined && open.digest === request.digest && open.size === request.size) {
    return { created: false, response: stateOf(authority, open) };
  }
  const now = nowIso(authority);
  const row: UploadRow = { uploadId: randomUUID(), recordId, kioskId: kiosk.id, size: request.size, digest: request.digest, offset: 0, createdAt: now, updatedAt: now };
  const { openUploadsPerKiosk: limit } = authority.limits;
  if (await authority.repository.openUpload(row, limit) === 'limit') {
    throw new AuthorityError(429, 'UPLOADS_OPEN_LIMIT',
      `This kiosk already has ${limit} uploads open; finish one (or let it expire) before starting another.`,
      { limit, retryAfterSeconds: UPLOAD_LIMIT_RETRY_SECONDS });
  }
  return { created: true, response: stateOf(authority, row) };
}

/** How long a kiosk at its open-upload limit is asked to wait: about the time one upload takes to finish. */
const UPLOAD_LIMIT_RETRY_SECONDS = 30;

/** Deletes the uploads (and their chunks) with no chunk for `uploadIdleSeconds`; how many. */
export function sweepAbandonedUploads(authority: Authority): Promise<number> {
  const before = new Date(authority.clock().getTime() - authority.limits.uploadIdleSeconds * 1000).toISOString();
  return authority.repository.deleteUploadsIdleSince(before);
}

async function ownUpload(authority: Authority, kiosk: KioskRow, uploadId: string): Promise<UploadRow> {
  const upload = await authority.repository.findUpload(uploadId);
  if (upload === undefined || upload.kioskId !== kiosk.id) {
    throw new AuthorityError(404, 'UPLOAD_NOT_FOUND',
      `No open upload ${uploadId} from this kiosk; if it was completed, GET the record for its receipt.`, { uploadId });
  }
  return upload;
}

const offsetMismatch = (upload: UploadRow) => new AuthorityError(409, 'UPLOAD_OFFSET_MISMATCH',
  `The upload has ${upload.offset} bytes committed; send the next chunk at that offset.`, { uploadId: upload.uploadId, offset: upload.offset });

export async function uploadState(authority: Authority, kiosk: KioskRow, uploadId: string): Promise<UploadState> {
  return stateOf(authority, await ownUpload(authority, kiosk, uploadId));
}

export async function appendChunk(authority: Authority, kiosk: KioskRow, uploadId: string, offset: number, chunk: Uint8Array): Promise<UploadState> {
  const upload = await ownUpload(authority, kiosk, uploadId);
  if (chunk.length === 0) throw new AuthorityError(400, 'CHUNK_EMPTY', 'A chunk must carry at least one byte.');
  if (offset !== upload.offset) throw offsetMismatch(upload);
  if (offset + chunk.length > upload.size) {
    throw new AuthorityError(422, 'UPLOAD_OVERFLOW', `The chunk would take the upload past its declared ${upload.size} bytes.`,
      { uploadId, offset, size: upload.size });
  }
  const moved = await authority.repository.appendChunk(uploadId, offset, chunk, nowIso(authority));
  if (moved === undefined) throw offsetMismatch(await ownUpload(authority, kiosk, uploadId));
  return stateOf(authority, moved);
}

/** The committed chunks of an upload, read one at a time from its start (a chunk that would overrun its size ends them). */
async function* committedChunks(authority: Authority, upload: UploadRow): AsyncIterable<Uint8Array> {
  for (let at = 0; at < upload.size;) {
    const chunk = await authority.repository.readUploadChunk(upload.uploadId, at);
    if (chunk === undefined || at + chunk.length > upload.size) return;
    yield chunk;
    at += chunk.length;
  }
}

/**
 * The committed chunks copied into one buffer of the upload's size, and their SHA-256 computed on
 * the way: the envelope is in memory once, for its signature (Ed25519 signs the whole envelope, so
 * it cannot be checked piecewise); it is decrypted slice by slice without keeping the plaintext,
 * and the envelope store writes it from the chunks, read again one at a time, not from this copy.
 */
async function assembleUpload(authority: Authority, upload: UploadRow): Promise<{ envelope: Buffer; digest: string }> {
  const envelope = Buffer.allocUnsafe(upload.size);
  const hash = createHash('sha256');
  let at = 0;
  for await (const chunk of committedChunks(authority, upload)) {
    envelope.set(chunk, at);
    hash.update(chunk);
    at += chunk.length;
  }
  return { envelope: envelope.subarray(0, at), digest: at === upload.size ? hash.digest('hex') : '' };
}

/**
 * Assembles the committed chunks and takes them in as the record. Bytes that do not match the
 * declared digest discard the upload (the kiosk starts a new one); any other refusal keeps it.
 */
export async function completeUpload(authority: Authority, kiosk: KioskRow, uploadId: string, request: CompleteUploadRequest): Promise<Intake> {
  const upload = await ownUpload(authority, kiosk, uploadId);
  if (request.digest !== upload.digest) {
    throw new AuthorityError(422, 'UPLOAD_DIGEST_MISMATCH', `Upload ${uploadId} was declared with digest ${upload.digest}, not ${request.digest}.`,
      { uploadId, digest: upload.digest });
  }
  if (upload.offset !== upload.size) {
    throw new AuthorityError(409, 'UPLOAD_INCOMPLETE', `Upload ${uploadId} has ${upload.offset} of ${upload.size} bytes; send the rest first.`,
      { uploadId, offset: upload.offset, size: upload.size });
  }
  const { envelope, digest } = await assembleUpload(authority, upload);
  if (digest !== upload.digest) {
    await authority.repository.deleteUpload(uploadId);
    throw new AuthorityError(422, 'UPLOAD_CORRUPT', `The bytes of upload ${uploadId} do not match its digest; it was discarded, start a new upload.`,
      { uploadId });
  }
  const intake = await acceptEnvelope(authority, kiosk, upload.recordId, envelope, committedChunks(authority, upload));
  await authority.repository.deleteUpload(uploadId);
  return intake;
}
