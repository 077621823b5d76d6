// Where the authority keeps sealed envelopes, apart from the record rows that name them: one
// interface over the database (small sites), a directory and an S3-compatible bucket (national
// deployments). Envelopes are content-addressed by their digest (SHA-256 hex of the whole envelope,
// the `digest` of RecordRow and of sealed-record.ts), written before the record row commits (a
// crash in between leaves an object no record names, never a record without its envelope) and
// checked against their digest on every read.
import { createHash } from 'node:crypto';
import { AuthorityError } from '../authority-error.js';

/** An envelope whole, or as the chunks of an upload read one at a time (never joined in memory by the store). */
export type EnvelopeSource = Uint8Array | AsyncIterable<Uint8Array>;

export interface EnvelopeStore {
  /** Where the envelopes are, for messages: `db`, `file:DIR` or `s3://bucket/prefix` (never credentials). */
  readonly location: string;
  /**
   * Stores the envelope under its digest unless it is held already (a second put of the same digest
   * changes nothing, even at the same time); the bytes must hash to `digest`, else nothing is stored
   * (ENVELOPE_DIGEST_MISMATCH).
   */
  put(digest: string, source: EnvelopeSource): Promise<void>;
  /** The envelope, checked: ENVELOPE_MISSING when none is held, ENVELOPE_CORRUPT when the bytes no longer hash to `digest`. */
  get(digest: string): Promise<Uint8Array>;
  has(digest: string): Promise<boolean>;
  /** Every digest held, in no particular order (for `gatehouse-authority envelopes orphans`). */
  digests(): AsyncIterable<string>;
  close(): Promise<void>;
}

const DIGEST = /^[0-9a-f]{64}$/;

/** A digest as the stores key objects by: 64 lowercase hex digits, so it can name a file or an object safely. */
export function checkedDigest(digest: string): string {
  if (!DIGEST.test(digest)) throw new AuthorityError(500, 'ENVELOPE_DIGEST_INVALID', `"${digest}" is not a SHA-256 digest in hex.`, { digest });
  return digest;
}

export const isDigest = (name: string): boolean => DIGEST.test(name);

/** The source chunk by chunk: a whole envelope is one chunk. */
export async function* chunksOf(source: EnvelopeSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) yield source;
  else yield* source;
}

/** Hashes the chunks going by, so a store can check what it wrote without holding it. */
export class DigestCheck {
  private readonly hash = createHash('sha256');
  size = 0;

  constructor(private readonly digest: string, private readonly location: string) {}

  add(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }

  /** Throws ENVELOPE_DIGEST_MISMATCH unless the bytes added hash to the digest. */
  finish(): void {
    const actual = this.hash.digest('hex');
    if (actual !== this.digest) {
      throw new AuthorityError(500, 'ENVELOPE_DIGEST_MISMATCH',
        `The envelope given for ${this.digest} hashes to ${actual} (${this.size} bytes); nothing was stored in ${this.location}.`,
        { digest: this.digest, actual, size: this.size, store: this.location });
    }
  }
}

/** The bytes read for `digest`, or ENVELOPE_CORRUPT when they no longer hash to it. */
export function verifiedEnvelope(digest: string, bytes: Uint8Array, location: string): Uint8Array {
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== digest) {
    throw new AuthorityError(500, 'ENVELOPE_CORRUPT',
      `The envelope ${digest} in ${location} is damaged: its ${bytes.length} bytes hash to ${actual}. Restore it from a backup.`,
      { digest, actual, size: bytes.length, store: location });
  }
  return bytes;
}

export const envelopeMissing = (digest: string, location: string): AuthorityError => new AuthorityError(500, 'ENVELOPE_MISSING',
  `The envelope ${digest} is not in ${location}; check that the authority runs with the envelope store it stored its records in (--envelopes).`,
  { digest, store: location });
