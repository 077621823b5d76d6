// The envelope store in an S3-compatible bucket (`--envelopes s3://bucket/prefix`), for national
// deployments: one object per envelope at prefix/ab/<digest>. An envelope given whole, or a stream
// that ends within one part, is checked against its digest and sent in one PUT (with its SHA-256
// for the server to check); a longer stream goes as a multipart upload of PART_BYTES parts, held
// one part at a time and completed only once the whole has hashed to the digest (else aborted),
// so an object under a digest is always that envelope. A PUT of an object already there writes the
// same bytes again: harmless, since the key is the content's digest.
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand, type CompletedPart,
} from '@aws-sdk/client-s3';
import { checkedDigest, chunksOf, DigestCheck, envelopeMissing, isDigest, verifiedEnvelope, type EnvelopeSource, type EnvelopeStore } from './envelope-store.js';

/** Multipart parts (S3 needs at least 5 MiB for every part but the last). */
export const PART_BYTES = 8 * 1024 * 1024;

export interface S3EnvelopeStoreOptions {
  bucket: string;
  /** Key prefix without a trailing slash; '' for the bucket's root. */
  prefix: string;
  /** The server's URL for an S3-compatible service other than AWS (then addressed path-style: URL/bucket/key). */
  endpoint?: string;
  region: string;
  /** Given explicitly (tests); otherwise the SDK's usual chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, instance role. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The chunks held as one buffer, without copying a single one. */
const joined = (chunks: Uint8Array[]): Buffer =>
  chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength) : Buffer.concat(chunks);

const statusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export class S3EnvelopeStore implements EnvelopeStore {
  readonly location: string;
  private readonly client: S3Client;

  constructor(private readonly options: S3EnvelopeStoreOptions) {
    this.location = `s3://${options.bucket}/${options.prefix}`;
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
  }

  private keyOf(digest: string): string {
    const key = `${checkedDigest(digest).slice(0, 2)}/${digest}`;
    return this.options.prefix === '' ? key : `${this.options.prefix}/${key}`;
  }

  async put(digest: string, source: EnvelopeSource): Promise<void> {
    if (await this.has(digest)) return;
    const check = new DigestCheck(digest, this.location);
    const pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let multipart: { uploadId: string; parts: CompletedPart[] } | undefined;
    try {
      for await (const chunk of chunksOf(source)) {
        check.add(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= PART_BYTES) {
          multipart ??= await this.startMultipart(digest);
          await this.uploadPart(digest, multipart, joined(pending));
          pending.length = 0;
          pendingBytes = 0;
        }
      }
      check.finish();
      const rest = joined(pending);
      if (multipart === undefined) {
        await this.client.send(new PutObjectCommand({
          Bucket: this.options.bucket, Key: this.keyOf(digest), Body: rest, ContentType: 'application/octet-stream',
          ChecksumSHA256: Buffer.from(digest, 'hex').toString('base64'),
        }));
        return;
      }
      if (rest.length > 0) await this.uploadPart(digest, multipart, rest);
      await this.client.send(new CompleteMultipartUploadCommand({
        Bucket: this.options.bucket, Key: this.keyOf(digest), UploadId: multipart.uploadId, MultipartUpload: { Parts: multipart.parts },
      }));
    } catch (error) {
      // The failure is what the caller must hear; an upload left unaborted is invisible (never an
      // object) and goes with the bucket's AbortIncompleteMultipartUpload lifecycle rule.
      if (multipart !== undefined) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: this.keyOf(digest), UploadId: multipart.uploadId }))
          .catch(() => undefined);
      }
      throw error;
    }
  }

  private async startMultipart(digest: string): Promise<{ uploadId: string; parts: CompletedPart[] }> {
    const started = await this.client.send(new CreateMultipartUploadCommand({
      Bucket: this.options.bucket, Key: this.keyOf(digest), ContentType: 'application/octet-stream',
    }));
    return { uploadId: started.UploadId!, parts: [] };
  }

  private async uploadPart(digest: string, multipart: { uploadId: string; parts: CompletedPart[] }, body: Buffer): Promise<void> {
    const PartNumber = multipart.parts.length + 1;
    const sent = await this.client.send(new UploadPartCommand({
      Bucket: this.options.bucket, Key: this.keyOf(digest), UploadId: multipart.uploadId, PartNumber, Body: body,
    }));
    multipart.parts.push({ PartNumber, ETag: sent.ETag });
  }

  async get(digest: string): Promise<Uint8Array> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(digest) }));
      return verifiedEnvelope(digest, await object.Body!.transformToByteArray(), this.location);
    } catch (error) {
      if (statusOf(error) === 404) throw envelopeMissing(digest, this.location);
      throw error;
    }
  }

  async has(digest: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(digest) }));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async *digests(): AsyncIterable<string> {
    const Prefix = this.options.prefix === '' ? undefined : `${this.options.prefix}/`;
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix, ContinuationToken }));
      for (const object of page.Contents ?? []) {
        const name = object.Key?.split('/').at(-1) ?? '';
        if (isDigest(name)) yield name;
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
