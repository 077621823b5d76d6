// The authority store on SQLite (better-sqlite3), the default: one file in the data directory,
// WAL with synchronous FULL, upload chunks (and, with `--envelopes db`, envelopes) as BLOBs in
// tables apart from the rows that list and dedup them. Each multi-row change is one synchronous transaction.
import Database from 'better-sqlite3-multiple-ciphers';
import { pendingMigrations } from './migrations/authority-migration.js';
import { nextKioskCode } from './kiosk-codes.js';
import { DEFAULT_STORE_TUNING } from './store-tuning.js';
import type { EnvelopeRows } from '../envelopes/envelope-rows.js';
import { sqliteEnvelopeRows } from '../envelopes/sqlite-envelope-rows.js';
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

type Db = Database.Database;

/** Opens (creating if needed) and migrates the SQLite store at `file`. */
export function openSqliteRepository(file: string, busyTimeoutMs = DEFAULT_STORE_TUNING.busyTimeoutMs): AuthorityRepository {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    for (const migration of pendingMigrations(db.pragma('user_version', { simple: true }) as number, file)) {
      db.transaction(() => {
        db.exec(migration.sqlite);
        db.pragma(`user_version = ${migration.version}`);
      })();
    }
    db.pragma('journal_mode = WAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteRepository(db);
}

/** A shared query's `$1, $2, …` (each once, in order) as SQLite's positional `?`. */
function positional(sql: string): string {
  let expected = 0;
  return sql.replace(/\$(\d+)/g, (_match, index: string) => {
    if (Number(index) !== ++expected) throw new Error(`Parameter $${index} is out of order in: ${sql}`);
    return '?';
  });
}

type RecordDbRow = Omit<RecordRow, 'receipt'> & { receipt: string };
const recordFrom = ({ receipt, ...row }: RecordDbRow): RecordRow => ({ ...row, receipt: JSON.parse(receipt) as RecordRow['receipt'] });
const publishedFrom = (row: { kind: PublishedKind; version: number; document: string; publishedAt: string }): PublishedDocument =>
  ({ ...row, document: JSON.parse(row.document) as unknown });

const updateFrom = ({ manifest, ...row }: Omit<PublishedUpdateRow, 'manifest'> & { manifest: string }): PublishedUpdateRow =>
  ({ ...row, manifest: JSON.parse(manifest) as PublishedUpdateRow['manifest'] });

class SqliteRepository implements AuthorityRepository {
  constructor(private readonly db: Db) {}

  private one<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  private run(sql: string, ...params: unknown[]): number {
    return this.db.prepare(sql).run(...params).changes;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async addToken(token: TokenRow): Promise<void> {
    this.run('INSERT INTO provisioning_tokens (hash, created_at, expires_at) VALUES (?, ?, ?)', token.hash, token.createdAt, token.expiresAt);
  }

  async registerKiosk(tokenHash: string, now: string, kiosk: NewKiosk): Promise<Registration> {
    return this.db.transaction((): Registration => {
      const token = this.one<TokenState>(positional(TOKEN_STATE_QUERY), now, tokenHash);
      const refusal = registrationRefusal(token, this.one(positional(KEY_TAKEN_QUERY), kiosk.signingPublicKey) !== undefined);
      if (refusal) return refusal;
      const code = nextKioskCode(this.one<{ code: string | null }>('SELECT max(code) AS code FROM kiosks')?.code);
      if (code === undefined) return 'codes-exhausted';
      this.run('UPDATE provisioning_tokens SET used_at = ?, kiosk_id = ? WHERE hash = ?', now, kiosk.id, tokenHash);
      this.run(
        'INSERT INTO kiosks (id, code, name, signing_public_key, sealing_public_key, registered_at) VALUES (?, ?, ?, ?, ?, ?)',
        kiosk.id, code, kiosk.name, kiosk.signingPublicKey, kiosk.sealingPublicKey, kiosk.registeredAt,
      );
      return 'registered';
    }).immediate();
  }

  async findKiosk(id: string): Promise<KioskRow | undefined> {
    return this.one<KioskRow>(`SELECT ${KIOSK_COLUMNS} FROM kiosks WHERE id = ?`, id);
  }

  async listKiosks(): Promise<KioskRow[]> {
    return this.all<KioskRow>(`SELECT ${KIOSK_COLUMNS} FROM kiosks ORDER BY registered_at, id`);
  }

  async revokeKiosk(id: string, at: string): Promise<boolean> {
    return this.run('UPDATE kiosks SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?', at, id) === 1;
  }

  async rememberNonce(keyId: string, nonce: string, created: number): Promise<boolean> {
    return this.run('INSERT INTO request_nonces (key_id, nonce, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', keyId, nonce, created) === 1;
  }

  async sweepNonces(before: number): Promise<number | null> {
    return this.db.transaction((): number | null => {
      if (this.run('UPDATE nonce_sweeps SET swept_before = ? WHERE swept_before < ?', before, before) === 0) return null;
      return this.run('DELETE FROM request_nonces WHERE created < ?', before);
    }).immediate();
  }

  async storeRecord(row: RecordRow): Promise<Stored<RecordRow> | 'number-taken'> {
    return this.db.transaction((): Stored<RecordRow> | 'number-taken' => {
      const inserted = this.run(
        positional(RECORD_INSERT),
        row.kioskId, row.recordId, row.digest, row.size, row.kind, row.createdAt, row.receivedAt, row.number, JSON.stringify(row.receipt),
      );
      if (inserted === 1) this.one(positional(STATUS_INSERT), row.recordId, row.kioskId, 'received', null, row.receivedAt);
      const held = this.one<RecordDbRow>(positional(RECORD_QUERY), row.kioskId, row.recordId);
      return held === undefined ? 'number-taken' : { row: recordFrom(held), created: inserted === 1 };
    }).immediate();
  }

  async findRecord(kioskId: string, recordId: string): Promise<RecordRow | undefined> {
    const row = this.one<RecordDbRow>(positional(RECORD_QUERY), kioskId, recordId);
    return row && recordFrom(row);
  }

  async findRecordByNumber(number: string): Promise<RecordRow | undefined> {
    const row = this.one<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE number = ?`, number);
    return row && recordFrom(row);
  }

  async statusHistory(kioskId: string, recordId: string): Promise<StatusChangeRow[]> {
    return this.all<StatusChangeRow>(positional(STATUS_HISTORY_QUERY), kioskId, recordId);
  }

  async latestStatusChanges(): Promise<StatusChangeRow[]> {
    return this.all<StatusChangeRow>(LATEST_STATUS_QUERY);
  }

  async statusChangesForKiosk(kioskId: string, after: number, limit: number): Promise<StatusChangeRow[]> {
    return this.all<StatusChangeRow>(positional(KIOSK_STATUS_QUERY), kioskId, after, limit);
  }

  async appendStatusChange(change: NewStatusChange, expectedLatestSeq: number): Promise<StatusChangeRow | undefined> {
    return this.db.transaction((): StatusChangeRow | undefined => {
      const latest = this.one<{ seq: number | null }>(positional(LATEST_SEQ_QUERY), change.kioskId, change.recordId)?.seq ?? 0;
      if (latest !== expectedLatestSeq) return undefined;
      const { seq } = this.one<{ seq: number }>(positional(STATUS_INSERT), change.recordId, change.kioskId, change.state, change.reason, change.at)!;
      return this.one<StatusChangeRow>(positional(STATUS_CHANGE_QUERY), seq);
    }).immediate();
  }

  async listRecords(): Promise<RecordRow[]> {
    return this.all<RecordDbRow>(`SELECT ${RECORD_COLUMNS} FROM records ORDER BY received_at, record_id`).map(recordFrom);
  }

  async openUpload(row: UploadRow, maxOpen: number): Promise<'opened' | 'limit'> {
    return this.db.transaction((): 'opened' | 'limit' => {
      if (this.one<{ open: number }>(positional(OTHER_OPEN_UPLOADS_QUERY), row.kioskId, row.recordId)!.open >= maxOpen) return 'limit';
      this.run(positional(UPLOAD_DELETE_FOR_RECORD), row.kioskId, row.recordId);
      this.run(positional(UPLOAD_INSERT), row.uploadId, row.recordId, row.kioskId, row.size, row.digest, row.offset, row.createdAt, row.updatedAt);
      return 'opened';
    }).immediate();
  }

  async findUpload(uploadId: string): Promise<UploadRow | undefined> {
    return this.one<UploadRow>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE upload_id = ?`, uploadId);
  }

  async findUploadForRecord(kioskId: string, recordId: string): Promise<UploadRow | undefined> {
    return this.one<UploadRow>(positional(UPLOAD_FOR_RECORD_QUERY), kioskId, recordId);
  }

  async appendChunk(uploadId: string, offset: number, bytes: Uint8Array, at: string): Promise<UploadRow | undefined> {
    return this.db.transaction(() => {
      const moved = this.one<UploadRow>(
        `UPDATE uploads SET committed = committed + ?, updated_at = ? WHERE upload_id = ? AND committed = ? RETURNING ${UPLOAD_COLUMNS}`,
        bytes.length, at, uploadId, offset,
      );
      if (moved !== undefined) this.run('INSERT INTO upload_chunks (upload_id, start, bytes) VALUES (?, ?, ?)', uploadId, offset, bytes);
      return moved;
    }).immediate();
  }

  async readUploadChunk(uploadId: string, start: number): Promise<Uint8Array | undefined> {
    return this.one<{ bytes: Buffer }>(positional(UPLOAD_CHUNK_QUERY), uploadId, start)?.bytes;
  }

  async deleteUpload(uploadId: string): Promise<void> {
    this.run('DELETE FROM uploads WHERE upload_id = ?', uploadId);
  }

  async deleteUploadsIdleSince(before: string): Promise<number> {
    return this.run(positional(UPLOAD_SWEEP), before);
  }

  async storeCheckpoint(row: CheckpointRow): Promise<Stored<CheckpointRow>> {
    return this.db.transaction(() => {
      const inserted = this.run(
        'INSERT INTO audit_checkpoints (kiosk_id, seq, head_hash, at, signature, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        row.kioskId, row.seq, row.headHash, row.at, row.signature, row.receivedAt,
      );
      const held = this.one<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE kiosk_id = ? AND seq = ?`, row.kioskId, row.seq)!;
      return { row: held, created: inserted === 1 };
    }).immediate();
  }

  async listCheckpoints(kioskId: string): Promise<CheckpointRow[]> {
    return this.all<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE kiosk_id = ? ORDER BY seq`, kioskId);
  }

  async publish(document: PublishedDocument): Promise<boolean> {
    return this.run(
      'INSERT INTO published_documents (kind, version, document, published_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      document.kind, document.version, JSON.stringify(document.document), document.publishedAt,
    ) === 1;
  }

  async latestPublished(kind: PublishedKind): Promise<PublishedDocument | undefined> {
    const row = this.one<Parameters<typeof publishedFrom>[0]>(
      `SELECT ${PUBLISHED_COLUMNS} FROM published_documents WHERE kind = ? ORDER BY version DESC LIMIT 1`, kind,
    );
    return row && publishedFrom(row);
  }

  async storeUpdate(row: PublishedUpdateRow): Promise<UpdateStored> {
    return this.db.transaction((): UpdateStored => {
      const holder = this.one<{ sha256: string }>(positional(UPDATE_VERSION_HOLDER), row.version, row.architecture);
      if (holder !== undefined && holder.sha256 !== row.sha256) return 'version-taken';
      if (holder === undefined) {
        this.run(positional(UPDATE_INSERT), ...updateInsertParameters(row));
        return 'added';
      }
      this.run(positional(UPDATE_RENEW), ...updateRenewParameters(row));
      return 'renewed';
    }).immediate();
  }

  async findUpdate(sha256: string): Promise<PublishedUpdateRow | undefined> {
    const row = this.one<Parameters<typeof updateFrom>[0]>(`SELECT ${PUBLISHED_UPDATE_COLUMNS} FROM published_updates WHERE sha256 = ?`, sha256);
    return row && updateFrom(row);
  }

  async listUpdates(): Promise<PublishedUpdateRow[]> {
    return this.all<Parameters<typeof updateFrom>[0]>(`SELECT ${PUBLISHED_UPDATE_COLUMNS} FROM published_updates`).map(updateFrom);
  }

  async addAuthorityKeys(rows: readonly AuthorityKeyRow[]): Promise<boolean> {
    return this.db.transaction((): boolean => {
      if (this.one('SELECT 1 FROM authority_keys WHERE generation = ?', rows[0]?.generation) !== undefined) return false;
      for (const row of rows) this.run(positional(AUTHORITY_KEY_INSERT), ...authorityKeyParameters(row));
      return true;
    }).immediate();
  }

  async listAuthorityKeys(): Promise<AuthorityKeyRow[]> {
    return this.all<AuthorityKeyRow>(AUTHORITY_KEYS_QUERY);
  }

  async counts(): Promise<StoreCounts> {
    return this.one<StoreCounts>(COUNTS_QUERY)!;
  }

  envelopeRows(): EnvelopeRows {
    return sqliteEnvelopeRows(this.db);
  }
}
