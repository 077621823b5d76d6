// One suite for every envelope store — the database (on SQLite and on a PostgreSQL the test
// starts), a directory, and an S3-compatible bucket (s3rver, started by the test on loopback):
// put/get/has, idempotent and simultaneous puts of one digest, a large envelope streamed from
// chunks, bytes that do not match their digest, damage found on read, a missing envelope. Then the
// authority itself on a directory and on S3: records sent whole and in chunks land there, and
// `envelopes verify|orphans` check the store against the records.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3-multiple-ciphers';
import pg from 'pg';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, UploadState } from '../../../protocol/api.js';
import { DatabaseEnvelopeStore } from '../../../authority/envelopes/database-envelope-store.js';
import { orphanEnvelopes, verifyEnvelopes } from '../../../authority/envelopes/envelope-audit.js';
import type { EnvelopeStore } from '../../../authority/envelopes/envelope-store.js';
import { openFileEnvelopeStore } from '../../../authority/envelopes/file-envelope-store.js';
import { PART_BYTES, S3EnvelopeStore } from '../../../authority/envelopes/s3-envelope-store.js';
import { openPostgresRepository } from '../../../authority/store/postgres-repository.js';
import type { AuthorityRepository } from '../../../authority/store/repository.js';
import { openSqliteRepository } from '../../../authority/store/sqlite-repository.js';
import { startHarness, type Harness } from './authority-harness.js';
import { POSTGRES_MISSING, postgresBinDir, startPostgres, type TestPostgres } from '../../../tools/postgres/throwaway-postgres.js';

interface OpenedStore {
  store: EnvelopeStore;
  /** Flips a byte of the envelope held under `digest`, behind the store's back. */
  damage(digest: string): Promise<void>;
  close(): Promise<void>;
}

interface StoreKind {
  name: string;
  available: boolean;
  open(): Promise<OpenedStore>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const flip = (bytes: Buffer) => Buffer.concat([Buffer.from([bytes[0]! ^ 0xff]), bytes.subarray(1)]);
const clock = () => new Date('2025-03-01T12:00:00.000Z');

let scratch: string;
let postgres: TestPostgres | undefined;
let s3: S3rver | undefined;
const BUCKET = 'gatehouse-envelopes';
const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let s3Endpoint: Promise<string> | undefined;

/** The URL of the one s3rver of this file (with the bucket made), started on first use. */
function startS3(): Promise<string> {
  s3Endpoint ??= (async () => {
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(scratch, 's3rver'), configureBuckets: [{ name: BUCKET, configs: [] }] });
    const { port } = await s3.run();
    return `http://127.0.0.1:${port}`;
  })();
  return s3Endpoint;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gatehouse-envelopes-'));
});
afterAll(async () => {
  await postgres?.stop();
  await s3?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** The database store over a repository, damaged through a second connection. */
function databaseStore(repository: AuthorityRepository, sql: (statement: string, params: unknown[]) => Promise<void>, close: () => Promise<void>): OpenedStore {
  return {
    store: new DatabaseEnvelopeStore(repository.envelopeRows(), clock),
    async damage(digest) {
      const [chunk] = await repository.envelopeRows().readChunks((await repository.envelopeRows().find(digest))!.writeId);
      await sql('UPDATE envelope_chunks SET bytes = $1 WHERE write_id = (SELECT write_id FROM envelopes WHERE digest = $2) AND start = 0',
        [flip(Buffer.from(chunk!)), digest]);
    },
    async close() {
      await repository.close();
      await close();
    },
  };
}

const KINDS: StoreKind[] = [
  {
    name: 'database (SQLite)',
    available: true,
    async open() {
      const file = join(scratch, `${randomUUID()}.db`);
      const raw = new Database(file);
      return databaseStore(openSqliteRepository(file), async (statement, params) => {
        raw.prepare(statement.replace(/\$\d/g, '?')).run(...params);
      }, async () => {
        raw.close();
      });
    },
  },
  {
    name: 'database (PostgreSQL)',
    available: postgresBinDir !== undefined,
    async open() {
      postgres ??= await startPostgres();
      const url = await postgres.createDatabase();
      const repository = await openPostgresRepository(url);
      const raw = new pg.Client({ connectionString: url });
      await raw.connect();
      return databaseStore(repository, async (statement, params) => {
        await raw.query(statement, params);
      }, () => raw.end());
    },
  },
  {
    name: 'directory',
    available: true,
    async open() {
      const dir = join(scratch, randomUUID());
      const path = (digest: string) => join(dir, digest.slice(0, 2), digest.slice(2, 4), digest);
      return {
        store: await openFileEnvelopeStore(dir),
        damage: async (digest) => writeFile(path(digest), flip(await readFile(path(digest)))),
        close: async () => {},
      };
    },
  },
  {
    name: 'S3 (s3rver on loopback)',
    available: true,
    async open() {
      const endpoint = await startS3();
      const prefix = `site/${randomUUID()}`;
      const store = new S3EnvelopeStore({ bucket: BUCKET, prefix, endpoint, region: 'us-east-1', credentials: S3_CREDENTIALS });
      const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3_CREDENTIALS });
      return {
        store,
        async damage(digest) {
          const Body = flip(Buffer.from(await store.get(digest)));
          await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${digest.slice(0, 2)}/${digest}`, Body }));
        },
        async close() {
          client.destroy();
          await store.close();
        },
      };
    },
  },
];

/** `bytes` as upload chunks of `size`, yielded one at a time. */
async function* chunked(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function held(store: EnvelopeStore): Promise<string[]> {
  const digests: string[] = [];
  for await (const digest of store.digests()) digests.push(digest);
  return digests.sort();
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (error: unknown) => error);
}

describe.each(KINDS)('envelope store: $name', ({ name, available, open }) => {
  if (!available) {
    it.skip(POSTGRES_MISSING, () => {});
    return;
  }

  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => opened?.close());

  it('puts an envelope under its digest, has it, and gets it back', async () => {
    const envelope = randomBytes(3000);
    const digest = sha256(envelope);
    expect(await opened.store.has(digest)).toBe(false);
    await opened.store.put(digest, envelope);
    expect(await opened.store.has(digest)).toBe(true);
    expect(Buffer.from(await opened.store.get(digest)).equals(envelope)).toBe(true);
    expect(await held(opened.store)).toContain(digest);
  });

  it('takes a second put of the same digest, whole or in chunks, as the first', async () => {
    const envelope = randomBytes(500);
    const digest = sha256(envelope);
    await opened.store.put(digest, envelope);
    await opened.store.put(digest, chunked(envelope, 100));
    await opened.store.put(digest, envelope);
    expect(Buffer.from(await opened.store.get(digest)).equals(envelope)).toBe(true);
    expect((await held(opened.store)).filter((d) => d === digest)).toHaveLength(1);
  });

  it('keeps one whole envelope when the same digest is put many times at once', async () => {
    const envelope = randomBytes(40_000);
    const digest = sha256(envelope);
    await Promise.all(Array.from({ length: 6 }, (_, i) => opened.store.put(digest, i % 2 === 0 ? envelope : chunked(envelope, 7000 + i))));
    expect(Buffer.from(await opened.store.get(digest)).equals(envelope)).toBe(true);
    expect((await held(opened.store)).filter((d) => d === digest)).toHaveLength(1);
  });

  it('stores a large envelope streamed from upload chunks', async () => {
    const envelope = randomBytes(2 * PART_BYTES + 3 * 1024 * 1024 + 17);
    const digest = sha256(envelope);
    await opened.store.put(digest, chunked(envelope, 1024 * 1024));
    expect(Buffer.from(await opened.store.get(digest)).equals(envelope)).toBe(true);
  });

  it('stores nothing when the bytes do not hash to the digest, whole or streamed past one part', async () => {
    const envelope = randomBytes(1000);
    const digest = sha256(envelope);
    expect(await refusal(opened.store.put(digest, flip(envelope)))).toMatchObject({ code: 'ENVELOPE_DIGEST_MISMATCH', details: { digest } });
    const large = randomBytes(PART_BYTES + 4096);
    const largeDigest = sha256(large);
    expect(await refusal(opened.store.put(largeDigest, chunked(flip(large), 1024 * 1024)))).toMatchObject({ code: 'ENVELOPE_DIGEST_MISMATCH' });
    expect(await opened.store.has(digest)).toBe(false);
    expect(await opened.store.has(largeDigest)).toBe(false);
    await opened.store.put(digest, envelope);
    expect(Buffer.from(await opened.store.get(digest)).equals(envelope)).toBe(true);
  });

  it('finds damage on read', async () => {
    const envelope = randomBytes(2000);
    const digest = sha256(envelope);
    await opened.store.put(digest, envelope);
    await opened.damage(digest);
    expect(await refusal(opened.store.get(digest))).toMatchObject({ code: 'ENVELOPE_CORRUPT', details: { digest, store: opened.store.location } });
  });

  it('answers a digest it does not hold with ENVELOPE_MISSING, and refuses what is no digest', async () => {
    const digest = sha256(randomBytes(10));
    expect(await refusal(opened.store.get(digest))).toMatchObject({ code: 'ENVELOPE_MISSING', details: { digest } });
    expect(await refusal(opened.store.get('../../etc/passwd'))).toMatchObject({ code: 'ENVELOPE_DIGEST_INVALID' });
  });

  if (name === 'directory') {
    it('keeps each envelope in a file only its owner can read', async () => {
      const envelope = randomBytes(64);
      const digest = sha256(envelope);
      await opened.store.put(digest, envelope);
      const { stat } = await import('node:fs/promises');
      const dir = opened.store.location.slice('file:'.length);
      expect((await stat(join(dir, digest.slice(0, 2), digest.slice(2, 4), digest))).mode & 0o777).toBe(0o600);
    });
  }
});

describe.each(['directory', 'S3'] as const)('the authority with its envelopes in %s', (kind) => {
  const LIMITS = { chunkBytes: 16 * 1024, uploadBytes: 1024 * 1024 };
  let h: Harness;
  const saved = { ...process.env };
  beforeAll(async () => {
    let envelopes = `file:${join(scratch, randomUUID())}`;
    if (kind === 'S3') {
      Object.assign(process.env, {
        GATEHOUSE_AUTHORITY_S3_ENDPOINT: await startS3(), AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      });
      envelopes = `s3://${BUCKET}/authority`;
    }
    h = await startHarness({ limits: LIMITS, envelopes });
  });
  afterAll(async () => {
    await h?.close();
    process.env = saved;
  });

  it('stores whole and chunked records there, verifies them, and finds orphans and missing envelopes', async () => {
    const kiosk = await h.kiosk();
    const whole = kiosk.seal();
    expect((await kiosk.send('PUT', apiPaths.record(whole.recordId), whole.bytes)).status).toBe(201);

    const large = kiosk.seal({ partBytes: 20_000 });
    const upload = UploadState.parse((await kiosk.send('POST', apiPaths.recordUploads(large.recordId), { size: large.size, digest: large.digest })).body);
    for (let at = 0; at < large.size; at += upload.maxChunkBytes) {
      const chunk = large.bytes.subarray(at, at + upload.maxChunkBytes);
      expect((await kiosk.send('PUT', apiPaths.uploadChunk(upload.uploadId, at), chunk)).status).toBe(200);
    }
    expect((await kiosk.send('POST', apiPaths.uploadComplete(upload.uploadId), { digest: large.digest })).status).toBe(201);

    expect(h.authority.envelopes.location).toMatch(kind === 'S3' ? /^s3:/ : /^file:/);
    for (const sealed of [whole, large]) expect(Buffer.from(await h.authority.envelopes.get(sealed.digest)).equals(Buffer.from(sealed.bytes))).toBe(true);
    expect(await verifyEnvelopes(h.authority)).toEqual({ checked: 2, problems: [] });

    const orphan = randomBytes(100);
    await h.authority.envelopes.put(sha256(orphan), orphan);
    const orphans: string[] = [];
    for await (const digest of orphanEnvelopes(h.authority)) orphans.push(digest);
    expect(orphans).toEqual([sha256(orphan)]);

    const held = (await h.authority.repository.findRecord(kiosk.keys.id, whole.recordId))!;
    const lost = { ...held, recordId: randomUUID(), digest: sha256(randomBytes(8)), number: null };
    await h.authority.repository.storeRecord(lost);
    expect(await verifyEnvelopes(h.authority)).toEqual({
      checked: 3, problems: [{ kioskId: kiosk.keys.id, recordId: lost.recordId, digest: lost.digest, code: 'ENVELOPE_MISSING' }],
    });
  });
});
