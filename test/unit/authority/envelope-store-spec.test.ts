// The `--envelopes` option read into a store: db, file:DIR and s3://bucket/prefix, every other
// text refused with ENVELOPE_STORE_INVALID; property-tested over generated buckets and paths.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvelopeStoreSpec } from '../../../authority/envelopes/envelope-store-spec.js';

const segment = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]$/);

describe('parseEnvelopeStoreSpec', () => {
  it('reads db (also when absent), file:DIR and s3://bucket/prefix', () => {
    expect(parseEnvelopeStoreSpec(undefined)).toEqual({ kind: 'db' });
    expect(parseEnvelopeStoreSpec('db')).toEqual({ kind: 'db' });
    expect(parseEnvelopeStoreSpec('file:/srv/envelopes')).toEqual({ kind: 'file', dir: '/srv/envelopes' });
    expect(parseEnvelopeStoreSpec('s3://gatehouse-prod/site-a/')).toEqual({ kind: 's3', bucket: 'gatehouse-prod', prefix: 'site-a' });
    expect(parseEnvelopeStoreSpec('s3://gatehouse-prod')).toEqual({ kind: 's3', bucket: 'gatehouse-prod', prefix: '' });
  });

  it('gives back any bucket and prefix, whatever slashes surround the prefix', () => {
    fc.assert(fc.property(bucket, fc.array(segment, { maxLength: 4 }), fc.boolean(), (name, parts, trailing) => {
      const spec = `s3://${name}/${parts.join('/')}${trailing ? '/' : ''}`;
      expect(parseEnvelopeStoreSpec(spec)).toEqual({ kind: 's3', bucket: name, prefix: parts.join('/') });
    }));
  });

  it('gives back any directory after file:', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), (dir) => {
      expect(parseEnvelopeStoreSpec(`file:${dir}`)).toEqual({ kind: 'file', dir });
    }));
  });

  it('refuses every other text, an empty directory and a bucket name S3 would refuse', () => {
    for (const spec of ['', 'DB', 'file:', 's3://', 's3://Upper/x', 's3://a/x', 'postgres://db', '/srv/envelopes']) {
      expect(() => parseEnvelopeStoreSpec(spec), spec).toThrow(expect.objectContaining({ code: 'ENVELOPE_STORE_INVALID' }));
    }
    fc.assert(fc.property(fc.string(), (text) => {
      fc.pre(text !== 'db' && !text.startsWith('file:') && !text.startsWith('s3://'));
      expect(() => parseEnvelopeStoreSpec(text)).toThrow(expect.objectContaining({ code: 'ENVELOPE_STORE_INVALID' }));
    }));
  });
});
