// The SQL both stores share: column lists aliased to the row field names (so SQLite and
// PostgreSQL hand back rows of the same shape) and the queries and rules of registration.
import type { AuthorityKeyRow, PublishedUpdateRow, Registration } from './repository.js';

export const KIOSK_COLUMNS = 'id, code, name, signing_public_key AS "signingPublicKey", sealing_public_key AS "sealingPublicKey", '
  + 'registered_at AS "registeredAt", revoked_at AS "revokedAt"';

export const RECORD_COLUMNS = 'record_id AS "recordId", kiosk_id AS "kioskId", digest, size, kind, created_at AS "createdAt", '
  + 'received_at AS "receivedAt", number, receipt';

/** The log joined with its records (for their numbers); alias c for the log, r for records. */
export const STATUS_CHANGE_SELECT = 'SELECT c.seq, c.record_id AS "recordId", c.kiosk_id AS "kioskId", r.number, c.state, c.reason, c.at '
  + 'FROM record_status_changes c JOIN records r ON r.kiosk_id = c.kiosk_id AND r.record_id = c.record_id';

/** Parameters: $1 the kiosk id, $2 the record id. */
export const STATUS_HISTORY_QUERY = `${STATUS_CHANGE_SELECT} WHERE c.kiosk_id = $1 AND c.record_id = $2 ORDER BY c.seq`;
export const LATEST_STATUS_QUERY = `${STATUS_CHANGE_SELECT} WHERE c.seq IN (SELECT max(seq) FROM record_status_changes GROUP BY kiosk_id, record_id) ORDER BY c.seq`;
/** Parameters: $1 the kiosk id, $2 the seq to start after, $3 the most rows. */
export const KIOSK_STATUS_QUERY = `${STATUS_CHANGE_SELECT} WHERE c.kiosk_id = $1 AND c.seq > $2 ORDER BY c.seq LIMIT $3`;
/** Parameters: $1 the seq. */
export const STATUS_CHANGE_QUERY = `${STATUS_CHANGE_SELECT} WHERE c.seq = $1`;

/** Parameters: $1 the kiosk id, $2 the record id. The latest seq of its log, null when it has none. */
export const LATEST_SEQ_QUERY = 'SELECT max(seq) AS seq FROM record_status_changes WHERE kiosk_id = $1 AND record_id = $2';

/** A record is known by its kiosk and its id together (migration 3). Parameters: $1 the kiosk id, $2 the record id. */
export const RECORD_QUERY = `SELECT ${RECORD_COLUMNS} FROM records WHERE kiosk_id = $1 AND record_id = $2`;
export const RECORD_INSERT = `INSERT INTO records (kiosk_id, record_id, digest, size, kind, created_at, received_at, number, receipt)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`;

export const STATUS_INSERT = 'INSERT INTO record_status_changes (record_id, kiosk_id, state, reason, at) VALUES ($1, $2, $3, $4, $5) RETURNING seq';

export const UPLOAD_COLUMNS = 'upload_id AS "uploadId", record_id AS "recordId", kiosk_id AS "kioskId", size, digest, '
  + 'committed AS "offset", created_at AS "createdAt", updated_at AS "updatedAt"';

/** Parameters: $1 the kiosk id, $2 the record id. */
export const UPLOAD_FOR_RECORD_QUERY = `SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE kiosk_id = $1 AND record_id = $2`;
/** Parameters: $1 the kiosk id, $2 the record id: the kiosk's open uploads other than the one for this record. */
export const OTHER_OPEN_UPLOADS_QUERY = 'SELECT count(*) AS open FROM uploads WHERE kiosk_id = $1 AND record_id <> $2';
export const UPLOAD_DELETE_FOR_RECORD = 'DELETE FROM uploads WHERE kiosk_id = $1 AND record_id = $2';
export const UPLOAD_INSERT = 'INSERT INTO uploads (upload_id, record_id, kiosk_id, size, digest, committed, created_at, updated_at) '
  + 'VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';
/** Parameters: $1 the upload id, $2 the offset the chunk starts at (chunks are contiguous: each starts where the last ended). */
export const UPLOAD_CHUNK_QUERY = 'SELECT bytes FROM upload_chunks WHERE upload_id = $1 AND start = $2';
/** Parameters: $1 the time before which an upload untouched since is abandoned. */
export const UPLOAD_SWEEP = 'DELETE FROM uploads WHERE updated_at < $1';

export const CHECKPOINT_COLUMNS = 'kiosk_id AS "kioskId", seq, head_hash AS "headHash", at, signature, received_at AS "receivedAt"';

export const AUTHORITY_KEY_COLUMNS = 'key_id AS "keyId", generation, purpose, public_key AS "publicKey", custody, '
  + 'protected_private_key AS "protectedPrivateKey", created_at AS "createdAt", active_from AS "activeFrom"';
export const AUTHORITY_KEY_INSERT = 'INSERT INTO authority_keys (key_id, generation, purpose, public_key, custody, protected_private_key, created_at, active_from) '
  + 'VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';
export const AUTHORITY_KEYS_QUERY = `SELECT ${AUTHORITY_KEY_COLUMNS} FROM authority_keys ORDER BY generation, purpose`;
export const authorityKeyParameters = (row: AuthorityKeyRow): unknown[] =>
  [row.keyId, row.generation, row.purpose, row.publicKey, row.custody, row.protectedPrivateKey, row.createdAt, row.activeFrom];

export const PUBLISHED_COLUMNS = 'kind, version, document, published_at AS "publishedAt"';

export const PUBLISHED_UPDATE_COLUMNS = 'sha256, version, architecture, size, minimum_version AS "minimumVersion", '
  + 'published_at AS "publishedAt", expires_at AS "expiresAt", manifest';
/** Parameters: $1 the version, $2 the architecture: the package that holds them. */
export const UPDATE_VERSION_HOLDER = 'SELECT sha256 FROM published_updates WHERE version = $1 AND architecture = $2';
export const UPDATE_INSERT = 'INSERT INTO published_updates (sha256, version, architecture, size, minimum_version, published_at, expires_at, manifest) '
  + 'VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';
/** Parameters: $1 minimum version, $2 published at, $3 expires at, $4 the manifest, $5 the package's sha256. */
export const UPDATE_RENEW = 'UPDATE published_updates SET minimum_version = $1, published_at = $2, expires_at = $3, manifest = $4 WHERE sha256 = $5';
export const updateInsertParameters = (row: PublishedUpdateRow): unknown[] =>
  [row.sha256, row.version, row.architecture, row.size, row.minimumVersion, row.publishedAt, row.expiresAt, JSON.stringify(row.manifest)];
export const updateRenewParameters = (row: PublishedUpdateRow): unknown[] =>
  [row.minimumVersion, row.publishedAt, row.expiresAt, JSON.stringify(row.manifest), row.sha256];

export const COUNTS_QUERY = `SELECT
  (SELECT count(*) FROM records) AS records,
  (SELECT count(*) FROM kiosks) AS kiosks,
  (SELECT count(*) FROM kiosks WHERE revoked_at IS NOT NULL) AS "revokedKiosks",
  (SELECT count(*) FROM uploads) AS "openUploads",
  (SELECT count(*) FROM audit_checkpoints) AS checkpoints`;

/** Parameters: $1 the time now, $2 the token hash. */
export const TOKEN_STATE_QUERY = 'SELECT used_at IS NOT NULL AS used, expires_at <= $1 AS expired FROM provisioning_tokens WHERE hash = $2';
export const KEY_TAKEN_QUERY = 'SELECT 1 AS taken FROM kiosks WHERE signing_public_key = $1';
/** SQLite answers booleans as 0 or 1, PostgreSQL as booleans. */
export interface TokenState { used: boolean | number; expired: boolean | number }

/** Why a registration must not go ahead, in the order a technician should hear it; undefined when it may. */
export function registrationRefusal(token: TokenState | undefined, keyTaken: boolean): Exclude<Registration, 'registered'> | undefined {
  if (token === undefined) return 'token-unknown';
  if (token.used) return 'token-used';
  if (token.expired) return 'token-expired';
  return keyTaken ? 'key-taken' : undefined;
}
