// The envelope rows on PostgreSQL, through the repository's pool: each statement on its own, the
// commit (row in, or the losing write's chunks out) in one transaction.
import type pg from 'pg';
import { withTransaction } from '../store/postgres-transaction.js';
import type { EnvelopeRows } from './envelope-rows.js';

/** The bytes as a Buffer without copying them (pg sends a Buffer parameter as binary). */
export const bufferView = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function postgresEnvelopeRows(pool: pg.Pool): EnvelopeRows {
  return {
    async addChunk(writeId, start, bytes) {
      await pool.query('INSERT INTO envelope_chunks (write_id, start, bytes) VALUES ($1, $2, $3)', [writeId, start, bufferView(bytes)]);
    },
    commit(digest, size, writeId, at) {
      return withTransaction(pool, async (client) => {
        const inserted = await client.query(
          'INSERT INTO envelopes (digest, size, write_id, stored_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [digest, size, writeId, at]);
        const kept = inserted.rowCount === 1;
        if (!kept) await client.query('DELETE FROM envelope_chunks WHERE write_id = $1', [writeId]);
        return kept;
      });
    },
    async dropWrite(writeId) {
      await pool.query('DELETE FROM envelope_chunks WHERE write_id = $1', [writeId]);
    },
    async find(digest) {
      return (await pool.query<{ size: number; writeId: string }>('SELECT size, write_id AS "writeId" FROM envelopes WHERE digest = $1', [digest])).rows[0];
    },
    async readChunks(writeId) {
      return (await pool.query<{ bytes: Buffer }>('SELECT bytes FROM envelope_chunks WHERE write_id = $1 ORDER BY start', [writeId])).rows.map((row) => row.bytes);
    },
    async digestsAfter(after, limit) {
      return (await pool.query<{ digest: string }>('SELECT digest FROM envelopes WHERE digest > $1 ORDER BY digest LIMIT $2', [after, limit])).rows
        .map((row) => row.digest);
    },
    async recordNames(digest) {
      return (await pool.query('SELECT 1 FROM records WHERE digest = $1 LIMIT 1', [digest])).rowCount === 1;
    },
  };
}
