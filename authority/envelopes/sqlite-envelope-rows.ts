// The envelope rows on SQLite: short synchronous statements on the store's own connection (a
// transaction held across a stream would block the event loop of every other request).
import type Database from 'better-sqlite3-multiple-ciphers';
import type { EnvelopeRows } from './envelope-rows.js';

export function sqliteEnvelopeRows(db: Database.Database): EnvelopeRows {
  const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params).changes;
  return {
    async addChunk(writeId, start, bytes) {
      run('INSERT INTO envelope_chunks (write_id, start, bytes) VALUES (?, ?, ?)', writeId, start, bytes);
    },
    async commit(digest, size, writeId, at) {
      return db.transaction(() => {
        const kept = run('INSERT INTO envelopes (digest, size, write_id, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', digest, size, writeId, at) === 1;
        if (!kept) run('DELETE FROM envelope_chunks WHERE write_id = ?', writeId);
        return kept;
      }).immediate();
    },
    async dropWrite(writeId) {
      run('DELETE FROM envelope_chunks WHERE write_id = ?', writeId);
    },
    async find(digest) {
      return db.prepare('SELECT size, write_id AS "writeId" FROM envelopes WHERE digest = ?').get(digest) as { size: number; writeId: string } | undefined;
    },
    async readChunks(writeId) {
      return (db.prepare('SELECT bytes FROM envelope_chunks WHERE write_id = ? ORDER BY start').all(writeId) as Array<{ bytes: Buffer }>).map((row) => row.bytes);
    },
    async digestsAfter(after, limit) {
      return (db.prepare('SELECT digest FROM envelopes WHERE digest > ? ORDER BY digest LIMIT ?').all(after, limit) as Array<{ digest: string }>)
        .map((row) => row.digest);
    },
    async recordNames(digest) {
      return db.prepare('SELECT 1 FROM records WHERE digest = ? LIMIT 1').get(digest) !== undefined;
    },
  };
}
