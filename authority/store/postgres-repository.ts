// The authority store on PostgreSQL (`--database postgres://…`), for deployments that outgrow one
// SQLite file or run on a managed Postgres-compatible engine. Same interface and schema as the
// SQLite store; concurrency is left to row locks and unique constraints, not to the process.
import pg from 'pg';
import { pendingMigrations } from './migrations/authority-migration.js';
import { nextKioskCode } from './kiosk-codes.js';
import { withTransaction } from './postgres-transaction.js';
import { DEFAULT_STORE_TUNING, type StoreTuning } from './store-tuning.js';
import type { EnvelopeRows } from '../envelopes/envelope-rows.js';
import { bufferView, postgresEnvelopeRows } from '../envelopes/postgres-envelope-rows.js';
import type {
  AuthorityKeyRow, AuthorityRepository, CheckpointRow, KioskRow, NewKiosk, NewStatusChange, PublishedDocument, PublishedKind, PublishedUpdateRow,
  RecordRow, Registration, StatusChangeRow, StoreCounts, Stored, TokenRow, UpdateStored, UploadRow,
} from './repository.js';
import {
  CHECKPOINT_COLUMNS, COUNTS_QUERY, KEY_TAKEN_QUERY, KIOSK_COLUMNS, KIOSK_STATUS_QUERY, LATEST_SEQ_QUERY,
  LATEST_STATUS_QUERY, OTHER_OPEN_UPLOADS_QUERY, PUBLISHED_COLUMNS, RECORD_COLUMNS, RECORD_INSERT, RECORD_QUERY, registrationRefusal,
  STATUS_CHANGE_QUERY, STATUS_HISTORY_QUERY, STATUS_INSERT, TOKEN_STATE_QUERY, UPLOAD_CHUNK_QUERY, UPLOAD_COLUMNS, UPLOAD_DELETE_FOR_RECORD,
  UPLOAD_FOR_RECORD_QUERY, UPLOAD_INSERT, UPLOAD_SWEEP, type TokenState,
  PUBLISHED_UPDATE_COLUMNS, UPDATE_INSERT, UPDATE_RENEW, UPDATE_VERSION_HOLDER, updateInsertParameters, updateRenewParameters,
  AUTHORITY_KEY_INSERT, AUTHORITY_KEYS_QUERY, authorityKeyParameters,
} from './sql-columns.js';

const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;
// pg_advisory_xact_lock keys, each held to the end of its transaction.
const MIGRATION_LOCK = 0x6761_7465; // one migrating process at a time
const REGISTRATION_LOCK = 0x6b69_6f73; // one registration at a time, so two kiosks never draw the same code
/**
 * Taken just before a status change is logged: changes then commit in the order of their seq, so a
 * kiosk that has read up to seq N can never later find a change below N appear (identity values
 * are drawn at insert, not at commit).
 */
const STATUS_LOG_LOCK = 0x7374_6174;
const UPDATE_LOCK = 0x7570_6474; // one update published at a time, so a version is never taken twice
const NONCE_SWEEP_LOCK = 0x6e6f_6e63; // tried, not awaited: a replica finding another sweeping skips its turn
const AUTHORITY_KEYS_LOCK = 0x6b65_7973; // one key generation added at a time, so a generation is never half-added twice

/** Counts and sizes as numbers and times as ISO 8601 strings, the shapes the SQLite store returns. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (text: string) => Number(text);
    if (oid === TIMESTAMPTZ_OID) {
      const parseDate = pg.types.getTypeParser(oid, 'text') as (text: string) => Date;
      return (text: string) => parseDate(text).toISOString();
    }
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

type Queryable = Pick<pg.PoolClient, 'query'>;


/** Connects to `url`, brings the schema up to date and returns the store. */
export async function openPostgresRepository(url: string, tuning: StoreTuning = DEFAULT_STORE_TUNING): Promise<AuthorityRepository> {
  const pool = new pg.Pool({
    connectionString: url, types, max: tuning.poolSize, statement_timeout: tuning.statementTimeoutMs, connectionTimeoutMillis: tuning.statementTimeoutMs,
  });
  const repository = new PostgresRepository(pool);
  try {
    await repository.transaction(async (client) => {
      // Waiting for another replica's migration, or migrating a large table, may take longer than a request should.
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)');
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
      for (const migration of pendingMigrations(rows[0]?.version ?? 0, describe(url))) {
        await client.query(migration.postgres);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [migration.version, migration.name]);
      }
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  return repository;
}

/** The database named without its credentials, for messages. */
function describe(url: string): string {
  const parsed = new URL(url);
  return `postgres://${parsed.host}${parsed.pathname}`;
}

class PostgresRepository implements AuthorityRepository {
  constructor(private readonly pool: pg.Pool) {}

  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }

  private async one<T>(sql: string, params: unknown[], on: Queryable = this.pool): Promise<T | undefined> {
    return (await on.query(sql, params)).rows[0] as T | undefined;
  }

  private async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  private async run(sql: string, params: unknown[], on: Queryable = this.pool): Promise<number> {
    return (await on.query(sql, params)).rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async addToken(token: TokenRow): Promise<void> {
    await this.run('INSERT INTO provisioning_tokens (hash, created_at, expires_at) VALUES ($1, $2, $3)', [token.hash, token.createdAt, token.expiresAt]);
  }

  async registerKiosk(tokenHash: string, now: string, kiosk: NewKiosk): Promise<Registration> {
    return this.transaction(async (client): Promise<Registration> => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [REGISTRATION_LOCK]);
      const token = await this.one<TokenState>(`${TOKEN_STATE_QUERY} FOR UPDATE`, [now, tokenHash], client);
      const refusal = registrationRefusal(token, (await this.one(KEY_TAKEN_QUERY, [kiosk.signingPublicKey], client)) !== undefined);
      if (refusal) return refusal;
      const code = nextKioskCode((await this.one<{ code: string | null }>('SELECT max(code COLLATE "C") AS code FROM kiosks', [], client))?.code);
      if (code === undefined) return 'codes-exhausted';
      await this.run('UPDATE provisioning_tokens SET used_at = $1, kiosk_id = $2 WHERE hash = $3', [now, kiosk.id, tokenHash], client);
      await this.run(
        'INSERT INTO kiosks (id, code, name, signing_public_key, sealing_public_key, registered_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [kiosk.id, code, kiosk.name, kiosk.signingPublicKey, kiosk.sealingPublicKey, kiosk.registeredAt], client,
      );
      return 'registered';
    });
  }

  async findKiosk(id: string): Promise<KioskRow | undefined> {
    return this.one<KioskRow>(`SELECT ${KIOSK_COLUMNS} FROM kiosks WHERE id = $1`, [id]);
  }

  async listKiosks(): Promise<KioskRow[]> {
    return this.all<KioskRow>(`SELECT ${KIOSK_COLUMNS} FROM kiosks ORDER BY registered_at, id`);
  }

  async revokeKiosk(id: string, at: string): Promise<boolean> {
    return (await this.run('UPDATE kiosks SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2', [at, id])) === 1;
  }

  async rememberNonce(keyId: string, nonce: string, created: number): Promise<boolean> {
    return (await this.run('INSERT INTO request_nonces (key_id, nonce, created) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [keyId, nonce, created])) === 1;
  }

  async sweepNonces(before: number): Promise<number | null> {
    return this.transaction(async (client): Promise<number | null> => {
      if (!(await this.one<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [NONCE_SWEEP_LOCK], client))!.locked) return null;
      if ((await this.run('UPDATE nonce_sweeps SET swept_before = $1 WHERE swept_before < $1', [before], client)) === 0) return null;
      return this.run('DELETE FROM request_nonces WHERE created < $1', [before], client);
    });
  }

  async storeRecord(row: RecordRow): Promise<Stored<RecordRow> | 'number-taken'> {
    return this.transaction(async (client): Promise<Stored<RecordRow> | 'number-taken'> => {
      const inserted = await this.run(
        RECORD_INSERT,
        [row.kioskId, row.recordId, row.digest, row.size, row.kind, row.createdAt, row.receivedAt, row.number, JSON.stringify(row.receipt)], client,
      );
      if (inserted === 1) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [STATUS_LOG_LOCK]);
        await client.query(STATUS_INSERT, [row.recordId, row.kioskId, 'received', null, row.receivedAt]);
      }
      const held = await this.one<RecordRow>(RECORD_QUERY, [row.kioskId, row.recordId], client);
      return held === undefined ? 'number-taken' : { row: held, created: inserted === 1 };
    });
  }

  async findRecord(kioskId: string, recordId: string): Promise<RecordRow | undefined> {
    return this.one<RecordRow>(RECORD_QUERY, [kioskId, recordId]);
  }

  async findRecordByNumber(number: string): Promise<RecordRow | undefined> {
    return this.one<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE number = $1`, [number]);
  }

  async statusHistory(kioskId: string, recordId: string): Promise<StatusChangeRow[]> {
    return this.all<StatusChangeRow>(STATUS_HISTORY_QUERY, [kioskId, recordId]);
  }

  async latestStatusChanges(): Promise<StatusChangeRow[]> {
    return this.all<StatusChangeRow>(LATEST_STATUS_QUERY);
  }

  async statusChangesForKiosk(kioskId: string, after: number, limit: number): Promise<StatusChangeRow[]> {
    return this.all<StatusChangeRow>(KIOSK_STATUS_QUERY, [kioskId, after, limit]);
  }

  async appendStatusChange(change: NewStatusChange, expectedLatestSeq: number): Promise<StatusChangeRow | undefined> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [STATUS_LOG_LOCK]);
      const latest = (await this.one<{ seq: number | null }>(LATEST_SEQ_QUERY, [change.kioskId, change.recordId], client))?.seq ?? 0;
      if (latest !== expectedLatestSeq) return undefined;
      const { seq } = (await this.one<{ seq: number }>(STATUS_INSERT, [change.recordId, change.kioskId, change.state, change.reason, change.at], client))!;
      return this.one<StatusChangeRow>(STATUS_CHANGE_QUERY, [seq], client);
    });
  }

  async listRecords(): Promise<RecordRow[]> {
    return this.all<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM records ORDER BY received_at, record_id`);
  }

  async openUpload(row: UploadRow, maxOpen: number): Promise<'opened' | 'limit'> {
    return this.transaction(async (client): Promise<'opened' | 'limit'> => {
      // The kiosk's row lock serializes its uploads being opened, so two at once cannot both take the last place.
      await client.query('SELECT 1 FROM kiosks WHERE id = $1 FOR UPDATE', [row.kioskId]);
      if ((await this.one<{ open: number }>(OTHER_OPEN_UPLOADS_QUERY, [row.kioskId, row.recordId], client))!.open >= maxOpen) return 'limit';
      await this.run(UPLOAD_DELETE_FOR_RECORD, [row.kioskId, row.recordId], client);
      await this.run(UPLOAD_INSERT, [row.uploadId, row.recordId, row.kioskId, row.size, row.digest, row.offset, row.createdAt, row.updatedAt], client);
      return 'opened';
    });
  }

  async findUpload(uploadId: string): Promise<UploadRow | undefined> {
    return this.one<UploadRow>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE upload_id = $1`, [uploadId]);
  }

  async findUploadForRecord(kioskId: string, recordId: string): Promise<UploadRow | undefined> {
    return this.one<UploadRow>(UPLOAD_FOR_RECORD_QUERY, [kioskId, recordId]);
  }

  async appendChunk(uploadId: string, offset: number, bytes: Uint8Array, at: string): Promise<UploadRow | undefined> {
    return this.transaction(async (client) => {
      const moved = await this.one<UploadRow>(
        `UPDATE uploads SET committed = committed + $1, updated_at = $2 WHERE upload_id = $3 AND committed = $4 RETURNING ${UPLOAD_COLUMNS}`,
        [bytes.length, at, uploadId, offset], client,
      );
      if (moved !== undefined) {
        await this.run('INSERT INTO upload_chunks (upload_id, start, bytes) VALUES ($1, $2, $3)', [uploadId, offset, bufferView(bytes)], client);
      }
      return moved;
    });
  }

  async readUploadChunk(uploadId: string, start: number): Promise<Uint8Array | undefined> {
    return (await this.one<{ bytes: Buffer }>(UPLOAD_CHUNK_QUERY, [uploadId, start]))?.bytes;
  }

  async deleteUpload(uploadId: string): Promise<void> {
    await this.run('DELETE FROM uploads WHERE upload_id = $1', [uploadId]);
  }

  async deleteUploadsIdleSince(before: string): Promise<number> {
    return this.run(UPLOAD_SWEEP, [before]);
  }

  async storeCheckpoint(row: CheckpointRow): Promise<Stored<CheckpointRow>> {
    return this.transaction(async (client) => {
      const inserted = await this.run(
        'INSERT INTO audit_checkpoints (kiosk_id, seq, head_hash, at, signature, received_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
        [row.kioskId, row.seq, row.headHash, row.at, row.signature, row.receivedAt], client,
      );
      const held = await this.one<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE kiosk_id = $1 AND seq = $2`, [row.kioskId, row.seq], client);
      return { row: held!, created: inserted === 1 };
    });
  }

  async listCheckpoints(kioskId: string): Promise<CheckpointRow[]> {
    return this.all<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE kiosk_id = $1 ORDER BY seq`, [kioskId]);
  }

  async publish(document: PublishedDocument): Promise<boolean> {
    return (await this.run(
      'INSERT INTO published_documents (kind, version, document, published_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [document.kind, document.version, JSON.stringify(document.document), document.publishedAt],
    )) === 1;
  }

  async latestPublished(kind: PublishedKind): Promise<PublishedDocument | undefined> {
    return this.one<PublishedDocument>(`SELECT ${PUBLISHED_COLUMNS} FROM published_documents WHERE kind = $1 ORDER BY version DESC LIMIT 1`, [kind]);
  }

  async storeUpdate(row: PublishedUpdateRow): Promise<UpdateStored> {
    return this.transaction(async (client): Promise<UpdateStored> => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [UPDATE_LOCK]);
      const holder = await this.one<{ sha256: string }>(UPDATE_VERSION_HOLDER, [row.version, row.architecture], client);
      if (holder !== undefined && holder.sha256 !== row.sha256) return 'version-taken';
      if (holder === undefined) {
        await this.run(UPDATE_INSERT, updateInsertParameters(row), client);
        return 'added';
      }
      await this.run(UPDATE_RENEW, updateRenewParameters(row), client);
      return 'renewed';
    });
  }

  async findUpdate(sha256: string): Promise<PublishedUpdateRow | undefined> {
    return this.one<PublishedUpdateRow>(`SELECT ${PUBLISHED_UPDATE_COLUMNS} FROM published_updates WHERE sha256 = $1`, [sha256]);
  }

  async listUpdates(): Promise<PublishedUpdateRow[]> {
    return this.all<PublishedUpdateRow>(`SELECT ${PUBLISHED_UPDATE_COLUMNS} FROM published_updates`);
  }

  async addAuthorityKeys(rows: readonly AuthorityKeyRow[]): Promise<boolean> {
    return this.transaction(async (client): Promise<boolean> => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [AUTHORITY_KEYS_LOCK]);
      if ((await this.one('SELECT 1 FROM authority_keys WHERE generation = $1', [rows[0]?.generation], client)) !== undefined) return false;
      for (const row of rows) await this.run(AUTHORITY_KEY_INSERT, authorityKeyParameters(row), client);
      return true;
    });
  }

  async listAuthorityKeys(): Promise<AuthorityKeyRow[]> {
    return this.all<AuthorityKeyRow>(AUTHORITY_KEYS_QUERY);
  }

  async counts(): Promise<StoreCounts> {
    return (await this.one<StoreCounts>(COUNTS_QUERY, []))!;
  }

  envelopeRows(): EnvelopeRows {
    return postgresEnvelopeRows(this.pool);
  }
}
