// One suite for the authority's storage interface, run against SQLite and against a PostgreSQL
// the test starts on loopback: migrations (each from the schema before it), one-time tokens, kiosk
// codes, permanent record dedup, unique enrollment numbers, the status log and its paging,
// resumable upload chunks, checkpoints, published documents, and races decided by the schema.

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthorityError } from '../../../authority/authority-error.js';
import { generateSigningKeyPair } from '../../../protocol/keys.js';
import { formatEnrollmentNumber } from '../../../protocol/enrollment-number.js';
import { signReceipt } from '../../../protocol/receipt.js';
import { signUpdateManifest } from '../../../protocol/update-manifest.js';
import { sha256Hex } from '../../../protocol/wire-fields.js';
import { DatabaseEnvelopeStore } from '../../../authority/envelopes/database-envelope-store.js';
import { openPostgresRepository } from '../../../authority/store/postgres-repository.js';
import type {
  AuthorityRepository, KioskRow, NewKiosk, PublishedUpdateRow, RecordRow, Stored, UploadRow,
} from '../../../authority/store/repository.js';
import { pendingMigrations } from '../../../authority/store/migrations/authority-migration.js';
import { initial } from '../../../authority/store/migrations/0001-initial.js';
import { numbersAndStatus } from '../../../authority/store/migrations/0002-numbers-and-status.js';
import { openSqliteRepository } from '../../../authority/store/sqlite-repository.js';
import { POSTGRES_MISSING, startPostgres, STORAGE_BACKENDS, type TestPostgres } from '../../../tools/postgres/throwaway-postgres.js';

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

const kioskRow = (id: string = randomUUID()): NewKiosk => ({
  id, name: 'Kiosk Hall A', signingPublicKey: randomBytes(32).toString('base64url'), sealingPublicKey: randomBytes(32).toString('base64url'),
  registeredAt: T0, revokedAt: null,
});

function recordRow(kioskId: string, envelope: Uint8Array, recordId: string = randomUUID(), receivedAt = T0, number: string | null = null): RecordRow {
  const digest = sha256Hex(envelope);
  return {
    recordId, kioskId, digest, size: envelope.length, kind: 'person-enrollment', createdAt: T0, receivedAt, number,
    receipt: signReceipt({ recordId, digest, kioskId, receivedAt }, authorityKey),
  };
}

/** The outcome of a store that must have found or put a row under the record id. */
function held(outcome: Stored<RecordRow> | 'number-taken'): Stored<RecordRow> {
  if (outcome === 'number-taken') throw new Error('the number was taken');
  return outcome;
}

/** The committed chunks of an upload, read one at a time from the start. */
async function uploadBytes(repo: AuthorityRepository, uploadId: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (let at = 0, chunk = await repo.readUploadChunk(uploadId, 0); chunk !== undefined; chunk = await repo.readUploadChunk(uploadId, at)) {
    chunks.push(chunk);
    at += chunk.length;
  }
  return Buffer.concat(chunks);
}

const uploadRow = (kioskId: string, recordId: string, size = 10): UploadRow => ({
  uploadId: randomUUID(), recordId, kioskId, size, digest: 'f'.repeat(64), offset: 0, createdAt: T0, updatedAt: T0,
});

/** The statements that leave an empty store at schema 1, as the first release wrote it. */
const SCHEMA_1 = {
  SQLite: `${initial.sqlite}; PRAGMA user_version = 1;`,
  PostgreSQL: `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);
    ${initial.postgres}; INSERT INTO schema_migrations VALUES (1, 'initial', now());`,
};

/** The statements that leave an empty store at schema 2. */
const SCHEMA_2 = {
  SQLite: `${initial.sqlite}; ${numbersAndStatus.sqlite}; PRAGMA user_version = 2;`,
  PostgreSQL: `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);
    ${initial.postgres}; ${numbersAndStatus.postgres}; INSERT INTO schema_migrations VALUES (1, 'initial', now()), (2, 'numbers-and-status', now());`,
};

const numberOf = (kioskCode: string, sequence: number) => formatEnrollmentNumber({ kioskCode, day: '250301', sequence });

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
    const fresh = kioskRow();
    await repo.addToken({ hash: 'setup', createdAt: T0, expiresAt: at(3600) });
    expect(await repo.registerKiosk('setup', T0, fresh)).toBe('registered');
    kiosk = { ...fresh, code: '0001' };
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
      expect(refused).toMatchObject({ code: 'STORE_FROM_NEWER_VERSION', details: { version: 99, supported: pendingMigrations(0, 'test').length } });
    });
  });

  describe('published updates (migration 4)', () => {
    const update = (version: string, sha256: string, expiresAt = at(86_400)): PublishedUpdateRow => {
      const fields = {
        package: 'gatehouse' as const, version, architecture: 'amd64', sha256, size: 1234, minimumVersion: '0', publishedAt: T0, expiresAt,
      };
      const row = (({ package: _package, ...rest }: typeof fields) => rest)(fields);
      return { ...row, manifest: signUpdateManifest(fields, authorityKey) };
    };

    it('adds a package, renews the same one, and refuses another under a version already published', async () => {
      const first = update('1.1.0', 'a'.repeat(64));
      expect(await repo.storeUpdate(first)).toBe('added');
      const renewed = update('1.1.0', 'a'.repeat(64), at(7 * 86_400));
      expect(await repo.storeUpdate(renewed)).toBe('renewed');
      expect(await repo.findUpdate(first.sha256)).toEqual(renewed);
      expect(await repo.storeUpdate(update('1.1.0', 'b'.repeat(64)))).toBe('version-taken');
      expect(await repo.storeUpdate(update('1.2.0', 'b'.repeat(64)))).toBe('added');
      expect((await repo.listUpdates()).map((row) => row.version).sort()).toEqual(['1.1.0', '1.2.0']);
      expect(await repo.findUpdate('c'.repeat(64))).toBeUndefined();
    });
  });

  describe('migration 2 (kiosk codes, numbers, status log)', () => {
    it('gives kiosks registered before it codes in order of registration, and each record held its received entry', async () => {
      const old = await backend.create();
      await old.sql(SCHEMA_1[name]);
      const kiosks = [{ id: randomUUID(), registeredAt: at(20) }, { id: randomUUID(), registeredAt: at(0) }, { id: randomUUID(), registeredAt: at(10) }];
      const records = [
        { recordId: 'r-late', kioskId: kiosks[0]!.id, receivedAt: at(300) },
        { recordId: 'r-early', kioskId: kiosks[1]!.id, receivedAt: at(100) },
        { recordId: 'r-middle', kioskId: kiosks[1]!.id, receivedAt: at(200) },
      ];
      const quote = (value: string) => `'${value}'`;
      await old.sql(kiosks.map((k, i) => `INSERT INTO kiosks (id, name, signing_public_key, sealing_public_key, registered_at)
        VALUES (${[k.id, `Kiosk ${i}`, `sign-${i}`, `seal-${i}`, k.registeredAt].map(quote).join(', ')});`).join('\n'));
      await old.sql(records.map((r) => {
        const receipt = signReceipt({ recordId: r.recordId, digest: 'd'.repeat(64), kioskId: r.kioskId, receivedAt: r.receivedAt }, authorityKey);
        return `INSERT INTO records (record_id, kiosk_id, digest, size, kind, created_at, received_at, receipt)
          VALUES (${[r.recordId, r.kioskId, 'd'.repeat(64)].map(quote).join(', ')}, 10, 'person-enrollment', '${T0}', '${r.receivedAt}', '${JSON.stringify(receipt)}');`;
      }).join('\n'));

      const migrated = await old.open();
      try {
        expect((await migrated.listKiosks()).map((k) => [k.id, k.code])).toEqual([[kiosks[1]!.id, '0001'], [kiosks[2]!.id, '0002'], [kiosks[0]!.id, '0003']]);
        expect((await migrated.findRecord(kiosks[0]!.id, 'r-late'))?.number).toBeNull();
        expect(await migrated.latestStatusChanges()).toEqual([
          { seq: 1, recordId: 'r-early', kioskId: kiosks[1]!.id, number: null, state: 'received', reason: null, at: at(100) },
          { seq: 2, recordId: 'r-middle', kioskId: kiosks[1]!.id, number: null, state: 'received', reason: null, at: at(200) },
          { seq: 3, recordId: 'r-late', kioskId: kiosks[0]!.id, number: null, state: 'received', reason: null, at: at(300) },
        ]);
        await migrated.addToken({ hash: 'after', createdAt: T0, expiresAt: at(3600) });
        const next = kioskRow();
        expect(await migrated.registerKiosk('after', at(1), next)).toBe('registered');
        expect((await migrated.findKiosk(next.id))?.code).toBe('0004');
      } finally {
        await migrated.close();
      }
    });
  });

  describe('migration 3 (records by kiosk)', () => {
    it('keeps every record, envelope, status change and open upload, and lets another kiosk use the same record id', async () => {
      const old = await backend.create();
      await old.sql(SCHEMA_2[name]);
      const [a, b] = [randomUUID(), randomUUID()];
      const quote = (value: string) => `'${value}'`;
      await old.sql(`INSERT INTO kiosks (id, code, name, signing_public_key, sealing_public_key, registered_at) VALUES
        (${[a, '0001', 'A', 'sign-a', 'seal-a', T0].map(quote).join(', ')}), (${[b, '0002', 'B', 'sign-b', 'seal-b', T0].map(quote).join(', ')})`);
      const envelope = randomBytes(40);
      const row = recordRow(a, envelope, 'r-1', at(5), numberOf('0001', 1));
      const hex = envelope.toString('hex');
      await old.sql(`INSERT INTO records (record_id, kiosk_id, digest, size, kind, created_at, received_at, number, receipt)
        VALUES (${[row.recordId, a, row.digest].map(quote).join(', ')}, 40, 'person-enrollment', '${T0}', '${at(5)}', '${row.number}', '${JSON.stringify(row.receipt)}')`);
      await old.sql(name === 'SQLite'
        ? `INSERT INTO record_envelopes (record_id, envelope) VALUES ('r-1', x'${hex}')`
        : `INSERT INTO record_envelopes (record_id, envelope) VALUES ('r-1', '\\x${hex}')`);
      await old.sql(`INSERT INTO record_status_changes (record_id, kiosk_id, state, reason, at) VALUES
        ('r-1', '${a}', 'received', NULL, '${at(5)}'), ('r-1', '${a}', 'in-review', 'Look again.', '${at(6)}')`);
      const upload = uploadRow(b, 'r-up');
      await old.sql(`INSERT INTO uploads (upload_id, record_id, kiosk_id, size, digest, committed, created_at, updated_at)
        VALUES (${[upload.uploadId, 'r-up', b].map(quote).join(', ')}, 10, '${upload.digest}', 3, '${T0}', '${T0}')`);
      await old.sql(name === 'SQLite'
        ? `INSERT INTO upload_chunks (upload_id, start, bytes) VALUES ('${upload.uploadId}', 0, x'616263')`
        : `INSERT INTO upload_chunks (upload_id, start, bytes) VALUES ('${upload.uploadId}', 0, '\\x616263')`);

      const migrated = await old.open();
      try {
        expect(await migrated.findRecord(a, 'r-1')).toEqual(row);
        expect(await migrated.findRecord(b, 'r-1')).toBeUndefined();
        expect(Buffer.from(await new DatabaseEnvelopeStore(migrated.envelopeRows(), () => new Date(T0)).get(row.digest)).equals(envelope)).toBe(true);
        expect((await migrated.statusHistory(a, 'r-1')).map((c) => [c.seq, c.state, c.number])).toEqual([[1, 'received', row.number], [2, 'in-review', row.number]]);
        expect(await migrated.findUploadForRecord(b, 'r-up')).toEqual({ ...upload, offset: 3 });
        expect((await uploadBytes(migrated, upload.uploadId)).toString()).toBe('abc');

        const theirs = randomBytes(30);
        expect(held(await migrated.storeRecord(recordRow(b, theirs, 'r-1', at(9))))).toMatchObject({ created: true, row: { kioskId: b } });
        expect((await migrated.statusHistory(b, 'r-1')).map((c) => c.seq)).toEqual([3]);
        expect((await migrated.findRecord(a, 'r-1'))?.digest).toBe(row.digest);
        await expect(old.sql(`DELETE FROM records WHERE record_id = 'r-1'`)).rejects.toThrow(/permanent/);
        await expect(old.sql(`DELETE FROM record_status_changes WHERE record_id = 'r-1'`)).rejects.toThrow(/permanent/);
      } finally {
        await migrated.close();
      }
    });
  });

  describe('migration 6 (envelope store)', () => {
    it('moves every envelope, whole or in chunks, into the envelope tables by digest, and drops the old tables', async () => {
      const old = await backend.create();
      const before = pendingMigrations(0, 'test').slice(0, 5);
      await old.sql(name === 'SQLite'
        ? `${before.map((m) => m.sqlite).join(';\n')}; PRAGMA user_version = 5;`
        : `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);
          ${before.map((m) => m.postgres).join(';\n')};
          INSERT INTO schema_migrations SELECT v, 'before', now() FROM generate_series(1, 5) AS v;`);
      const a = randomUUID();
      await old.sql(`INSERT INTO kiosks (id, code, name, signing_public_key, sealing_public_key, registered_at) VALUES ('${a}', '0001', 'A', 'sign-a', 'seal-a', '${T0}')`);
      const [whole, chunked] = [randomBytes(40), randomBytes(70)];
      const rows = [recordRow(a, whole, 'r-whole', at(1)), recordRow(a, chunked, 'r-chunked', at(2))];
      await old.sql(rows.map((row) => `INSERT INTO records (kiosk_id, record_id, digest, size, kind, created_at, received_at, number, receipt)
        VALUES ('${a}', '${row.recordId}', '${row.digest}', ${row.size}, 'person-enrollment', '${T0}', '${row.receivedAt}', NULL, '${JSON.stringify(row.receipt)}');`).join('\n'));
      const blob = (bytes: Buffer) => (name === 'SQLite' ? `x'${bytes.toString('hex')}'` : `'\\x${bytes.toString('hex')}'`);
      await old.sql(`INSERT INTO record_envelopes (kiosk_id, record_id, envelope) VALUES ('${a}', 'r-whole', ${blob(whole)});
        INSERT INTO record_envelope_chunks (kiosk_id, record_id, start, bytes) VALUES
          ('${a}', 'r-chunked', 0, ${blob(chunked.subarray(0, 30))}), ('${a}', 'r-chunked', 30, ${blob(chunked.subarray(30))});`);

      const migrated = await old.open();
      try {
        const envelopes = new DatabaseEnvelopeStore(migrated.envelopeRows(), () => new Date(T0));
        expect(Buffer.from(await envelopes.get(rows[0]!.digest)).equals(whole)).toBe(true);
        expect(Buffer.from(await envelopes.get(rows[1]!.digest)).equals(chunked)).toBe(true);
        expect(await migrated.envelopeRows().recordNames(rows[1]!.digest)).toBe(true);
        expect(await migrated.findRecord(a, 'r-whole')).toEqual(rows[0]);
        await expect(old.sql('SELECT 1 FROM record_envelopes')).rejects.toThrow();
        await expect(old.sql('SELECT 1 FROM record_envelope_chunks')).rejects.toThrow();
      } finally {
        await migrated.close();
      }
    });
  });

  describe('kiosk codes', () => {
    it('give each kiosk the next code in base 36, and keep it for good', async () => {
      for (let i = 2; i <= 11; i++) {
        await repo.addToken({ hash: `t${i}`, createdAt: T0, expiresAt: at(3600) });
        expect(await repo.registerKiosk(`t${i}`, at(i), { ...kioskRow(), registeredAt: at(i) })).toBe('registered');
      }
      const codes = ['0001', '0002', '0003', '0004', '0005', '0006', '0007', '0008', '0009', '000A', '000B'];
      expect((await repo.listKiosks()).map((k) => k.code)).toEqual(codes);
      await repo.close();
      repo = await store.open();
      expect((await repo.listKiosks()).map((k) => k.code)).toEqual(codes);
      expect(await repo.findKiosk(kiosk.id)).toEqual(kiosk);
      await expect(store.sql(`UPDATE kiosks SET code = 'AAAA' WHERE id = '${kiosk.id}'`)).rejects.toThrow(/never changes/);
      expect(await repo.revokeKiosk(kiosk.id, at(5))).toBe(true);
      expect(await repo.findKiosk(kiosk.id)).toEqual({ ...kiosk, revokedAt: at(5) });
    });

    it('give simultaneous registrations different codes', async () => {
      await Promise.all(Array.from({ length: 8 }, (_, i) => repo.addToken({ hash: `race-${i}`, createdAt: T0, expiresAt: at(60) })));
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => repo.registerKiosk(`race-${i}`, at(1), kioskRow())));
      expect(outcomes).toEqual(Array(8).fill('registered'));
      expect(new Set((await repo.listKiosks()).map((k) => k.code)).size).toBe(9);
    });

    it('refuse a registration once every code is given out, keeping the token', async () => {
      await store.sql(`INSERT INTO kiosks (id, code, name, signing_public_key, sealing_public_key, registered_at)
        VALUES ('${randomUUID()}', 'ZZZZ', 'Last', 'sign-last', 'seal-last', '${T0}')`);
      await repo.addToken({ hash: 'late', createdAt: T0, expiresAt: at(60) });
      expect(await repo.registerKiosk('late', at(1), kioskRow())).toBe('codes-exhausted');
      expect((await repo.counts()).kiosks).toBe(2);
      await expect(store.sql(`INSERT INTO kiosks (id, code, name, signing_public_key, sealing_public_key, registered_at)
        VALUES ('${randomUUID()}', 'zz-1', 'Bad', 'sign-bad', 'seal-bad', '${T0}')`)).rejects.toThrow();
    });
  });

  describe('enrollment numbers and the status log', () => {
    const store1 = async (kioskId: string, number: string | null, recordId: string = randomUUID(), receivedAt = T0) => {
      const envelope = randomBytes(50);
      return { outcome: await repo.storeRecord(recordRow(kioskId, envelope, recordId, receivedAt, number)), recordId };
    };

    it('store a record with its number, log it received at its receipt time, and find it by number', async () => {
      const number = numberOf('0001', 1);
      const { outcome, recordId } = await store1(kiosk.id, number, undefined, at(7));
      expect(held(outcome)).toMatchObject({ created: true, row: { recordId, number } });
      expect(await repo.findRecordByNumber(number)).toEqual(held(outcome).row);
      expect(await repo.findRecordByNumber(numberOf('0001', 2))).toBeUndefined();
      expect(await repo.statusHistory(kiosk.id, recordId)).toEqual([{ seq: 1, recordId, kioskId: kiosk.id, number, state: 'received', reason: null, at: at(7) }]);
      const again = await store1(kiosk.id, number, recordId, at(8));
      expect(held(again.outcome)).toMatchObject({ created: false, row: { receivedAt: at(7) } });
      expect(await repo.statusHistory(kiosk.id, recordId)).toHaveLength(1);
    });

    it('refuse a second record with a number already held, storing nothing of it', async () => {
      const number = numberOf('0001', 3);
      await store1(kiosk.id, number);
      const second = await store1(kiosk.id, number);
      expect(second.outcome).toBe('number-taken');
      expect(await repo.findRecord(kiosk.id, second.recordId)).toBeUndefined();
      expect(await repo.statusHistory(kiosk.id, second.recordId)).toEqual([]);
      expect((await store1(kiosk.id, null)).outcome).not.toBe('number-taken');
      expect((await store1(kiosk.id, null)).outcome).not.toBe('number-taken');
      expect((await repo.counts()).records).toBe(3);
    });

    it('let one of many simultaneous records with one number be stored', async () => {
      const number = numberOf('0001', 4);
      const outcomes = await Promise.all(Array.from({ length: 6 }, () => store1(kiosk.id, number)));
      expect(outcomes.filter((o) => o.outcome !== 'number-taken')).toHaveLength(1);
      expect((await repo.latestStatusChanges()).map((c) => c.number)).toEqual([number]);
    });

    it('page the changes of one kiosk by seq, oldest first, without another kiosk\'s', async () => {
      await repo.addToken({ hash: 'other', createdAt: T0, expiresAt: at(60) });
      const other = kioskRow();
      await repo.registerKiosk('other', T0, other);
      const ours: string[] = [];
      for (let i = 1; i <= 5; i++) {
        ours.push((await store1(kiosk.id, numberOf('0001', i), `ours-${i}`, at(i))).recordId);
        await store1(other.id, numberOf('0002', i), `theirs-${i}`, at(i));
      }
      const all = await repo.statusChangesForKiosk(kiosk.id, 0, 100);
      expect(all.map((c) => c.recordId)).toEqual(ours);
      expect(all.map((c) => c.seq)).toEqual([1, 3, 5, 7, 9]);
      expect(all.every((c) => c.kioskId === kiosk.id && c.state === 'received')).toBe(true);
      expect((await repo.statusChangesForKiosk(kiosk.id, 0, 2)).map((c) => c.seq)).toEqual([1, 3]);
      expect((await repo.statusChangesForKiosk(kiosk.id, 3, 2)).map((c) => c.seq)).toEqual([5, 7]);
      expect((await repo.statusChangesForKiosk(kiosk.id, 9, 2))).toEqual([]);
      expect((await repo.statusChangesForKiosk(other.id, 8, 100)).map((c) => c.recordId)).toEqual(['theirs-5']);
    });

    it('log a decision only against the latest change it was made on', async () => {
      const { recordId } = await store1(kiosk.id, numberOf('0001', 5));
      const change = { recordId, kioskId: kiosk.id, state: 'in-review' as const, reason: 'Second look at the portrait.', at: at(60) };
      expect(await repo.appendStatusChange(change, 1)).toEqual({ ...change, seq: 2, number: numberOf('0001', 5) });
      expect(await repo.appendStatusChange({ ...change, state: 'accepted', reason: null }, 1)).toBeUndefined();
      const decided = await repo.appendStatusChange({ ...change, state: 'rejected', reason: 'Blurred.', at: at(70) }, 2);
      expect(decided).toMatchObject({ seq: 3, state: 'rejected', reason: 'Blurred.', at: at(70) });
      expect((await repo.statusHistory(kiosk.id, recordId)).map((c) => c.state)).toEqual(['received', 'in-review', 'rejected']);
      expect(await repo.latestStatusChanges()).toEqual([decided]);
    });

    it('let one of many simultaneous decisions on a record be logged', async () => {
      const { recordId } = await store1(kiosk.id, numberOf('0001', 6));
      const results = await Promise.all((['accepted', 'rejected', 'in-review', 'accepted', 'rejected'] as const).map((state) =>
        repo.appendStatusChange({ recordId, kioskId: kiosk.id, state, reason: null, at: at(9) }, 1)));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect(await repo.statusHistory(kiosk.id, recordId)).toHaveLength(2);
    });

    it('cannot change or delete a logged change, even with SQL', async () => {
      const { recordId } = await store1(kiosk.id, numberOf('0001', 7));
      await expect(store.sql(`UPDATE record_status_changes SET state = 'accepted' WHERE record_id = '${recordId}'`)).rejects.toThrow(/permanent/);
      await expect(store.sql(`DELETE FROM record_status_changes WHERE record_id = '${recordId}'`)).rejects.toThrow(/permanent/);
      await expect(store.sql(`INSERT INTO record_status_changes (record_id, kiosk_id, state, reason, at)
        VALUES ('${recordId}', '${kiosk.id}', 'lost', NULL, '${T0}')`)).rejects.toThrow();
      expect(await repo.statusHistory(kiosk.id, recordId)).toHaveLength(1);
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

  it('remembers each nonce per key until a sweep passes it, each sweep done once', async () => {
    expect(await repo.rememberNonce(kiosk.id, 'n1', 1000)).toBe(true);
    expect(await repo.rememberNonce(kiosk.id, 'n1', 1000)).toBe(false);
    expect(await repo.rememberNonce('other', 'n1', 1000)).toBe(true);
    expect(await repo.sweepNonces(1000)).toBe(0);
    expect(await repo.rememberNonce(kiosk.id, 'n1', 1000)).toBe(false);
    expect(await repo.sweepNonces(1001)).toBe(2);
    expect(await repo.sweepNonces(1001)).toBeNull();
    expect(await repo.rememberNonce(kiosk.id, 'n1', 1000)).toBe(true);
  });

  describe('records', () => {
    it('store a record and list it', async () => {
      const envelope = randomBytes(3000);
      const row = recordRow(kiosk.id, envelope);
      expect(await repo.storeRecord(row)).toEqual({ row, created: true });
      expect(await repo.findRecord(kiosk.id, row.recordId)).toEqual(row);
      expect(await repo.listRecords()).toEqual([row]);
      expect(await repo.findRecord(kiosk.id, 'missing')).toBeUndefined();
    });

    it('keep the first record under an id forever: a second store returns it unchanged', async () => {
      const first = randomBytes(100);
      const row = recordRow(kiosk.id, first);
      await repo.storeRecord(row);
      const other = randomBytes(100);
      expect(await repo.storeRecord(recordRow(kiosk.id, other, row.recordId, at(50)))).toEqual({ row, created: false });
      expect(await repo.findRecord(kiosk.id, row.recordId)).toEqual(row);
      expect((await repo.counts()).records).toBe(1);
    });

    it('let one of many simultaneous stores under one id win, and answer all with the winner', async () => {
      const recordId = randomUUID();
      const envelopes = Array.from({ length: 8 }, () => randomBytes(64));
      const results = (await Promise.all(envelopes.map((e) => repo.storeRecord(recordRow(kiosk.id, e, recordId))))).map(held);
      expect(new Set(results.map((r) => r.row.digest)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect((await repo.findRecord(kiosk.id, recordId))?.digest).toBe(results[0]!.row.digest);
    });

    it('are known by kiosk and record id: the same id from two kiosks is two records', async () => {
      await repo.addToken({ hash: 'second', createdAt: T0, expiresAt: at(60) });
      const other = kioskRow();
      await repo.registerKiosk('second', T0, other);
      const [ours, theirs] = [randomBytes(20), randomBytes(20)];
      const recordId = randomUUID();
      expect(held(await repo.storeRecord(recordRow(kiosk.id, ours, recordId))).created).toBe(true);
      expect(held(await repo.storeRecord(recordRow(other.id, theirs, recordId))).created).toBe(true);
      expect((await repo.findRecord(kiosk.id, recordId))?.digest).toBe(sha256Hex(ours));
      expect((await repo.findRecord(other.id, recordId))?.digest).toBe(sha256Hex(theirs));
      expect(await repo.statusHistory(other.id, recordId)).toHaveLength(1);
      expect((await repo.latestStatusChanges()).map((c) => c.kioskId).sort()).toEqual([kiosk.id, other.id].sort());
    });

    it('cannot be changed or deleted, even with SQL', async () => {
      const envelope = randomBytes(10);
      const row = recordRow(kiosk.id, envelope);
      await repo.storeRecord(row);
      await expect(store.sql(`DELETE FROM records WHERE record_id = '${row.recordId}'`)).rejects.toThrow(/permanent/);
      await expect(store.sql(`UPDATE records SET digest = 'x' WHERE record_id = '${row.recordId}'`)).rejects.toThrow(/permanent/);
      expect(await repo.findRecord(kiosk.id, row.recordId)).toEqual(row);
    });
  });

  describe('uploads', () => {
    it('keep the same record id of two kiosks apart', async () => {
      await repo.addToken({ hash: 'second', createdAt: T0, expiresAt: at(60) });
      const other = kioskRow();
      await repo.registerKiosk('second', T0, other);
      const ours = uploadRow(kiosk.id, 'r-shared');
      const theirs = uploadRow(other.id, 'r-shared');
      expect(await repo.openUpload(ours, 10)).toBe('opened');
      expect(await repo.openUpload(theirs, 10)).toBe('opened');
      expect(await repo.findUploadForRecord(kiosk.id, 'r-shared')).toEqual(ours);
      expect(await repo.findUploadForRecord(other.id, 'r-shared')).toEqual(theirs);
    });

    it('open at most maxOpen uploads per kiosk, a replacement for the same record aside, even when opened at once', async () => {
      expect(await Promise.all(Array.from({ length: 5 }, (_, i) => repo.openUpload(uploadRow(kiosk.id, `r-${i}`), 3))))
        .toEqual(expect.arrayContaining(['opened', 'opened', 'opened', 'limit', 'limit']));
      expect((await repo.counts()).openUploads).toBe(3);
      const open = (await Promise.all(Array.from({ length: 5 }, (_, i) => repo.findUploadForRecord(kiosk.id, `r-${i}`)))).find((u) => u !== undefined)!;
      expect(await repo.openUpload(uploadRow(kiosk.id, open.recordId), 3)).toBe('opened');
      expect((await repo.counts()).openUploads).toBe(3);
    });

    it('delete the uploads idle since a time, with their chunks', async () => {
      const idle = uploadRow(kiosk.id, 'r-idle');
      const busy = uploadRow(kiosk.id, 'r-busy');
      await repo.openUpload(idle, 10);
      await repo.openUpload(busy, 10);
      await repo.appendChunk(idle.uploadId, 0, Buffer.from('abc'), at(10));
      await repo.appendChunk(busy.uploadId, 0, Buffer.from('abc'), at(100));
      expect(await repo.deleteUploadsIdleSince(at(50))).toBe(1);
      expect(await repo.findUpload(idle.uploadId)).toBeUndefined();
      expect(await repo.readUploadChunk(idle.uploadId, 0)).toBeUndefined();
      expect(await repo.findUpload(busy.uploadId)).toMatchObject({ offset: 3 });
    });

    it('append chunks only at the committed offset and read them back in order', async () => {
      const upload = uploadRow(kiosk.id, 'r-up', 10);
      await repo.openUpload(upload, 10);
      expect(await repo.appendChunk(upload.uploadId, 0, Buffer.from('hello'), at(1))).toMatchObject({ offset: 5, updatedAt: at(1) });
      expect(await repo.appendChunk(upload.uploadId, 0, Buffer.from('HELLO'), at(2))).toBeUndefined();
      expect(await repo.appendChunk(upload.uploadId, 5, Buffer.from('world'), at(3))).toMatchObject({ offset: 10 });
      expect((await uploadBytes(repo, upload.uploadId)).toString()).toBe('helloworld');
      expect(await repo.findUploadForRecord(kiosk.id, 'r-up')).toEqual({ ...upload, offset: 10, updatedAt: at(3) });
    });

    it('let one of two simultaneous chunks at the same offset commit', async () => {
      const upload = uploadRow(kiosk.id, 'r-race', 10);
      await repo.openUpload(upload, 10);
      const results = await Promise.all(['aaaaa', 'bbbbb'].map((text) => repo.appendChunk(upload.uploadId, 0, Buffer.from(text), at(1))));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect((await uploadBytes(repo, upload.uploadId)).length).toBe(5);
    });

    it('replace an open upload for the same record, chunks and all, and delete one', async () => {
      const first = uploadRow(kiosk.id, 'r-again');
      await repo.openUpload(first, 10);
      await repo.appendChunk(first.uploadId, 0, Buffer.from('abc'), at(1));
      const second = uploadRow(kiosk.id, 'r-again');
      await repo.openUpload(second, 10);
      expect(await repo.findUpload(first.uploadId)).toBeUndefined();
      expect(await repo.findUploadForRecord(kiosk.id, 'r-again')).toEqual(second);
      expect((await uploadBytes(repo, first.uploadId)).length).toBe(0);
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
