// One suite for the authority's storage interface, run against SQLite and against a PostgreSQL
// the test starts on loopback: migrations, one-time tokens, permanent record dedup, resumable
// upload chunks, checkpoints, published documents, and races decided by the schema.

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthorityError } from '../../../authority/authority-error.js';
import { generateSigningKeyPair } from '../../../authority/protocol/keys.js';
import { signReceipt } from '../../../authority/protocol/receipt.js';
import { sha256Hex } from '../../../authority/protocol/wire-fields.js';
import { openPostgresRepository } from '../../../authority/store/postgres-repository.js';
import type { AuthorityRepository, KioskRow, RecordRow, UploadRow } from '../../../authority/store/repository.js';
import { openSqliteRepository } from '../../../authority/store/sqlite-repository.js';
import { POSTGRES_MISSING, startPostgres, STORAGE_BACKENDS, type TestPostgres } from './postgres-server.js';

interface Backend {
  /** A fresh store, and a way to reopen it and to run raw SQL against it. */
  create(): Promise<{ open(): Promise<AuthorityRepository>; sql(statement: string): Promise<void> }>;
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gatehouse-authority-repo-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const sqlite: Backend = {
  async create() {
    const file = join(scratch, `${randomUUID()}.db`);
    return {
      open: async () => openSqliteRepository(file),
      async sql(statement) {
        const db = new Database(file);
        try {
          db.exec(statement);
        } finally {
          db.close();
        }
      },
    };
  },
};

let server: TestPostgres | undefined;
const postgres: Backend = {
  async create() {
    server ??= await startPostgres();
    const url = await server.createDatabase();
    return {
      open: () => openPostgresRepository(url),
      async sql(statement) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(statement);
        } finally {
          await client.end();
        }
      },
    };
  },
};
afterAll(async () => server?.stop());

const T0 = '2025-03-01T12:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const authorityKey = generateSigningKeyPair().privateKey;

const kioskRow = (id: string = randomUUID()): KioskRow => ({
  id, name: 'Kiosk Hall A', signingPublicKey: randomBytes(32).toString('base64url'), sealingPublicKey: randomBytes(32).toString('base64url'),
  registeredAt: T0, revokedAt: null,
});

function recordRow(kioskId: string, envelope: Uint8Array, recordId: string = randomUUID(), receivedAt = T0): RecordRow {
  const digest = sha256Hex(envelope);
  return {
    recordId, kioskId, digest, size: envelope.length, kind: 'person-enrollment', createdAt: T0, receivedAt,
    receipt: signReceipt({ recordId, digest, kioskId, receivedAt }, authorityKey),
  };
}

const uploadRow = (kioskId: string, recordId: string, size = 10): UploadRow => ({
  uploadId: randomUUID(), recordId, kioskId, size, digest: 'f'.repeat(64), offset: 0, createdAt: T0, updatedAt: T0,
});

const BACKENDS: Record<(typeof STORAGE_BACKENDS)[number]['backend'], Backend> = { SQLite: sqlite, PostgreSQL: postgres };

describe.each(STORAGE_BACKENDS)('authority repository on $backend', ({ backend: name, available }) => {
  const backend = BACKENDS[name];
  if (!available) {
    it.skip(POSTGRES_MISSING, () => {});
    return;
  }

  let store: Awaited<ReturnType<Backend['create']>>;
  let repo: AuthorityRepository;
  let repoOpen: boolean;
  let kiosk: KioskRow;
  beforeEach(async () => {
    repoOpen = true;
    store = await backend.create();
    repo = await store.open();
    kiosk = kioskRow();
    await repo.addToken({ hash: 'setup', createdAt: T0, expiresAt: at(3600) });
    expect(await repo.registerKiosk('setup', T0, kiosk)).toBe('registered');
  });
  afterEach(async () => {
    if (repoOpen) await repo.close();
  });

  describe('migrations', () => {
    it('reopen an up-to-date store without change', async () => {
      await repo.close();
      repo = await store.open();
      expect(await repo.findKiosk(kiosk.id)).toEqual(kiosk);
    });

    it('refuse a store written by a newer build', async () => {
      await repo.close();
      repoOpen = false;
      await store.sql(name === 'SQLite' ? 'PRAGMA user_version = 99' : "INSERT INTO schema_migrations VALUES (99, 'future', now())");
      const refused = await store.open().then(() => undefined, (error: unknown) => error);
      expect(refused).toBeInstanceOf(AuthorityError);
      expect(refused).toMatchObject({ code: 'STORE_FROM_NEWER_VERSION', details: { version: 99, supported: 1 } });
    });
  });

  describe('provisioning tokens', () => {
    it('register one kiosk per token, and say why a token is refused', async () => {
      await repo.addToken({ hash: 'h1', createdAt: T0, expiresAt: at(60) });
      const second = kioskRow();
      expect(await repo.registerKiosk('h1', at(10), second)).toBe('registered');
      expect(await repo.registerKiosk('h1', at(11), kioskRow())).toBe('token-used');
      expect(await repo.registerKiosk('nope', at(11), kioskRow())).toBe('token-unknown');
      await repo.addToken({ hash: 'h2', createdAt: T0, expiresAt: at(60) });
      expect(await repo.registerKiosk('h2', at(60), kioskRow())).toBe('token-expired');
      expect((await repo.listKiosks()).map((k) => k.id).sort()).toEqual([kiosk.id, second.id].sort());
    });

    it('refuse a second kiosk with the same signing key without using up the token', async () => {
      await repo.addToken({ hash: 'h3', createdAt: T0, expiresAt: at(60) });
      expect(await repo.registerKiosk('h3', at(1), { ...kioskRow(), signingPublicKey: kiosk.signingPublicKey })).toBe('key-taken');
      expect(await repo.registerKiosk('h3', at(2), kioskRow())).toBe('registered');
    });

    it('let exactly one of many simultaneous registrations use a token', async () => {
      await repo.addToken({ hash: 'race', createdAt: T0, expiresAt: at(60) });
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => repo.registerKiosk('race', at(1), kioskRow())));
      expect(outcomes.filter((o) => o === 'registered')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'token-used')).toHaveLength(7);
      expect((await repo.counts()).kiosks).toBe(2);
    });
  });

  it('revokes a kiosk once, keeping the first revocation time', async () => {
    expect(await repo.revokeKiosk(kiosk.id, at(5))).toBe(true);
    expect(await repo.revokeKiosk(kiosk.id, at(9))).toBe(true);
    expect((await repo.findKiosk(kiosk.id))?.revokedAt).toBe(at(5));
    expect(await repo.revokeKiosk(randomUUID(), at(9))).toBe(false);
    expect((await repo.counts()).revokedKiosks).toBe(1);
  });

  it('remembers each nonce per key until it falls out of the window', async () => {
    expect(await repo.rememberNonce(kiosk.id, 'n1', 1000)).toBe(true);
    expect(await repo.rememberNonce(kiosk.id, 'n1', 1000)).toBe(false);
    expect(await repo.rememberNonce('other', 'n1', 1000)).toBe(true);
    await repo.forgetNoncesBefore(1000);
    expect(await repo.rememberNonce(kiosk.id, 'n1', 1000)).toBe(false);
    await repo.forgetNoncesBefore(1001);
    expect(await repo.rememberNonce(kiosk.id, 'n1', 1000)).toBe(true);
  });

  describe('records', () => {
    it('store a record with its envelope and list it without the envelope', async () => {
      const envelope = randomBytes(3000);
      const row = recordRow(kiosk.id, envelope);
      expect(await repo.storeRecord(row, envelope)).toEqual({ row, created: true });
      expect(await repo.findRecord(row.recordId)).toEqual(row);
      expect(Buffer.from((await repo.readEnvelope(row.recordId))!).equals(envelope)).toBe(true);
      expect(await repo.listRecords()).toEqual([row]);
      expect(await repo.findRecord('missing')).toBeUndefined();
    });

    it('keep the first record under an id forever: a second store returns it unchanged', async () => {
      const first = randomBytes(100);
      const row = recordRow(kiosk.id, first);
      await repo.storeRecord(row, first);
      const other = randomBytes(100);
      expect(await repo.storeRecord(recordRow(kiosk.id, other, row.recordId, at(50)), other)).toEqual({ row, created: false });
      expect(Buffer.from((await repo.readEnvelope(row.recordId))!).equals(first)).toBe(true);
      expect((await repo.counts()).records).toBe(1);
    });

    it('let one of many simultaneous stores under one id win, and answer all with the winner', async () => {
      const recordId = randomUUID();
      const envelopes = Array.from({ length: 8 }, () => randomBytes(64));
      const results = await Promise.all(envelopes.map((e) => repo.storeRecord(recordRow(kiosk.id, e, recordId), e)));
      expect(new Set(results.map((r) => r.row.digest)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(sha256Hex((await repo.readEnvelope(recordId))!)).toBe(results[0]!.row.digest);
    });

    it('cannot be changed or deleted, even with SQL', async () => {
      const envelope = randomBytes(10);
      const row = recordRow(kiosk.id, envelope);
      await repo.storeRecord(row, envelope);
      await expect(store.sql(`DELETE FROM records WHERE record_id = '${row.recordId}'`)).rejects.toThrow(/permanent/);
      await expect(store.sql(`UPDATE records SET digest = 'x' WHERE record_id = '${row.recordId}'`)).rejects.toThrow(/permanent/);
      expect(await repo.findRecord(row.recordId)).toEqual(row);
    });
  });

  describe('uploads', () => {
    it('append chunks only at the committed offset and read them back in order', async () => {
      const upload = uploadRow(kiosk.id, 'r-up', 10);
      await repo.openUpload(upload);
      expect(await repo.appendChunk(upload.uploadId, 0, Buffer.from('hello'), at(1))).toMatchObject({ offset: 5, updatedAt: at(1) });
      expect(await repo.appendChunk(upload.uploadId, 0, Buffer.from('HELLO'), at(2))).toBeUndefined();
      expect(await repo.appendChunk(upload.uploadId, 5, Buffer.from('world'), at(3))).toMatchObject({ offset: 10 });
      expect(Buffer.from(await repo.readUploadBytes(upload.uploadId)).toString()).toBe('helloworld');
      expect(await repo.findUploadForRecord('r-up')).toEqual({ ...upload, offset: 10, updatedAt: at(3) });
    });

    it('let one of two simultaneous chunks at the same offset commit', async () => {
      const upload = uploadRow(kiosk.id, 'r-race', 10);
      await repo.openUpload(upload);
      const results = await Promise.all(['aaaaa', 'bbbbb'].map((text) => repo.appendChunk(upload.uploadId, 0, Buffer.from(text), at(1))));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect((await repo.readUploadBytes(upload.uploadId)).length).toBe(5);
    });

    it('replace an open upload for the same record, chunks and all, and delete one', async () => {
      const first = uploadRow(kiosk.id, 'r-again');
      await repo.openUpload(first);
      await repo.appendChunk(first.uploadId, 0, Buffer.from('abc'), at(1));
      const second = uploadRow(kiosk.id, 'r-again');
      await repo.openUpload(second);
      expect(await repo.findUpload(first.uploadId)).toBeUndefined();
      expect(await repo.findUploadForRecord('r-again')).toEqual(second);
      expect((await repo.readUploadBytes(first.uploadId)).length).toBe(0);
      await repo.deleteUpload(second.uploadId);
      expect((await repo.counts()).openUploads).toBe(0);
    });
  });

  it('keeps the first checkpoint for a sequence number', async () => {
    const checkpoint = { kioskId: kiosk.id, seq: 7, headHash: 'a'.repeat(64), at: T0, signature: 's'.repeat(86), receivedAt: at(1) };
    expect(await repo.storeCheckpoint(checkpoint)).toEqual({ row: checkpoint, created: true });
    expect(await repo.storeCheckpoint({ ...checkpoint, headHash: 'b'.repeat(64), receivedAt: at(2) })).toEqual({ row: checkpoint, created: false });
    await repo.storeCheckpoint({ ...checkpoint, seq: 3 });
    expect((await repo.listCheckpoints(kiosk.id)).map((c) => c.seq)).toEqual([3, 7]);
  });

  it('serves the latest published version of each document', async () => {
    expect(await repo.latestPublished('operators')).toBeUndefined();
    const v1 = { kind: 'operators' as const, version: 1, document: { version: 1, operators: [] }, publishedAt: T0 };
    const v2 = { ...v1, version: 2, document: { version: 2, operators: [{ name: 'A' }] }, publishedAt: at(1) };
    expect(await repo.publish(v1)).toBe(true);
    expect(await repo.publish(v2)).toBe(true);
    expect(await repo.publish({ ...v2, document: { other: true } })).toBe(false);
    expect(await repo.latestPublished('operators')).toEqual(v2);
    expect(await repo.latestPublished('station-config')).toBeUndefined();
  });
});
