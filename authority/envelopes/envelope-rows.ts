// What the envelope stores need from the authority database (migration 6): the database store's
// own tables — `envelopes` (one row per digest, naming the write whose chunks are its bytes) and
// `envelope_chunks` — and, for every store, whether a record names a digest (to find orphans).
// A write's chunks are added one statement at a time under a fresh write id and become the
// envelope only when its row commits, so no transaction spans a stream and two writes of one
// digest at once never mix their chunks: the first to commit is kept, the other's chunks dropped.

export interface EnvelopeRows {
  addChunk(writeId: string, start: number, bytes: Uint8Array): Promise<void>;
  /** Makes the write's chunks the envelope `digest` unless one is held already (then drops them); whether this write was kept. */
  commit(digest: string, size: number, writeId: string, at: string): Promise<boolean>;
  /** Drops the chunks of a write that did not finish. */
  dropWrite(writeId: string): Promise<void>;
  find(digest: string): Promise<{ size: number; writeId: string } | undefined>;
  /** The chunks of a write, in order. */
  readChunks(writeId: string): Promise<Uint8Array[]>;
  /** The digests held after `after` (in hex order), at most `limit`. */
  digestsAfter(after: string, limit: number): Promise<string[]>;
  /** Whether some record names this digest. */
  recordNames(digest: string): Promise<boolean>;
}
