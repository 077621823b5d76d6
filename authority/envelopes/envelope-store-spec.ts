// The `--envelopes` option (or GATEHOUSE_AUTHORITY_ENVELOPES) read into which store to open:
// `db` (the default: the authority's database), `file:DIR`, or `s3://bucket/prefix`.
import { AuthorityError } from '../authority-error.js';

export type EnvelopeStoreSpec =
  | { kind: 'db' }
  | { kind: 'file'; dir: string }
  | { kind: 's3'; bucket: string; prefix: string };

/** S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function invalid(spec: string, why: string): AuthorityError {
  return new AuthorityError(400, 'ENVELOPE_STORE_INVALID',
    `--envelopes "${spec}": ${why}. Give db, file:DIR or s3://bucket/prefix.`, { envelopes: spec });
}

export function parseEnvelopeStoreSpec(spec: string | undefined): EnvelopeStoreSpec {
  if (spec === undefined || spec === 'db') return { kind: 'db' };
  if (spec.startsWith('file:')) {
    const dir = spec.slice('file:'.length);
    if (dir === '') throw invalid(spec, 'file: needs a directory');
    return { kind: 'file', dir };
  }
  if (spec.startsWith('s3://')) {
    const [bucket = '', ...path] = spec.slice('s3://'.length).split('/');
    if (!BUCKET.test(bucket)) throw invalid(spec, `"${bucket}" is not an S3 bucket name`);
    const prefix = path.filter((part) => part !== '').join('/');
    return { kind: 's3', bucket, prefix };
  }
  throw invalid(spec, 'unknown kind of store');
}
