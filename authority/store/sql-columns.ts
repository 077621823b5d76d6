// The SQL both stores share: column lists aliased to the row field names (so SQLite and
// PostgreSQL hand back rows of the same shape) and the queries and rules of registration.
import type { Registration } from './repository.js';

export const KIOSK_COLUMNS = 'id, code, name, signing_public_key AS "signingPublicKey", sealing_public_key AS "sealingPublicKey", '
  + 'registered_at AS "registeredAt", revoked_at AS "revokedAt"';

export const RECORD_COLUMNS = 'record_id AS "recordId", kiosk_id AS "kioskId", digest, size, kind, created_at AS "createdAt", '
  + 'received_at AS "receivedAt", number, receipt';

/** The log joined with its records (for their numbers); alias c for the log, r for records. */
export const STATUS_CHANGE_SELECT = 'SELECT c.seq, c.record_id AS "recordId", c.kiosk_id AS "kioskId", r.number, c.state, c.reason, c.at '
  + 'FROM record_status_changes c JOIN records r ON r.record_id = c.record_id';

export const STATUS_HISTORY_QUERY = `${STATUS_CHANGE_SELECT} WHERE c.record_id = $1 ORDER BY c.seq`;
export const LATEST_STATUS_QUERY = `${STATUS_CHANGE_SELECT} WHERE c.seq IN (SELECT max(seq) FROM record_status_changes GROUP BY record_id) ORDER BY c.seq`;
/** Parameters: $1 the kiosk id, $2 the seq to start after, $3 the most rows. */
export const KIOSK_STATUS_QUERY = `${STATUS_CHANGE_SELECT} WHERE c.kiosk_id = $1 AND c.seq > $2 ORDER BY c.seq LIMIT $3`;
/** Parameters: $1 the seq. */
export const STATUS_CHANGE_QUERY = `${STATUS_CHANGE_SELECT} WHERE c.seq = $1`;

/** Parameters: $1 the record id. The latest seq of its log, null when it has none. */
export const LATEST_SEQ_QUERY = 'SELECT max(seq) AS seq FROM record_status_changes WHERE record_id = $1';

export const STATUS_INSERT = 'INSERT INTO record_status_changes (record_id, kiosk_id, state, reason, at) VALUES ($1, $2, $3, $4, $5) RETURNING seq';

export const UPLOAD_COLUMNS = 'upload_id AS "uploadId", record_id AS "recordId", kiosk_id AS "kioskId", size, digest, '
  + 'committed AS "offset", created_at AS "createdAt", updated_at AS "updatedAt"';

export const CHECKPOINT_COLUMNS = 'kiosk_id AS "kioskId", seq, head_hash AS "headHash", at, signature, received_at AS "receivedAt"';

export const PUBLISHED_COLUMNS = 'kind, version, document, published_at AS "publishedAt"';

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
