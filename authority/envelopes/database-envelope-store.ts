// The envelope store in the authority's own database (`--envelopes db`, the default): for small
// sites, one thing to back up. Envelopes sit in their own tables keyed by digest, apart from the
// record rows; a chunked upload is written chunk by chunk as it is read, never joined in memory.
import { randomUUID } from 'node:crypto';
import { checkedDigest, chunksOf, DigestCheck, envelopeMissing, verifiedEnvelope, type EnvelopeSource, type EnvelopeStore } from './envelope-store.js';
import type { EnvelopeRows } from './envelope-rows.js';

/** Digests listed per query while walking the store. */
const PAGE = 1000;

export class DatabaseEnvelopeStore implements EnvelopeStore {
  readonly location = 'db';

  /** `clock` dates each envelope (for telling an orphan from a record still being stored). */
  constructor(private readonly rows: EnvelopeRows, private readonly clock: () => Date) {}

  async put(digest: string, source: EnvelopeSource): Promise<void> {
    if (await this.has(digest)) return;
    const writeId = randomUUID();
    const check = new DigestCheck(digest, this.location);
    try {
      for await (const chunk of chunksOf(source)) {
        await this.rows.addChunk(writeId, check.size, chunk);
        check.add(chunk);
      }
      check.finish();
      await this.rows.commit(digest, check.size, writeId, this.clock().toISOString());
    } catch (error) {
      await this.rows.dropWrite(writeId);
      throw error;
    }
  }

  async get(digest: string): Promise<Uint8Array> {
    const held = await this.rows.find(checkedDigest(digest));
    if (held === undefined) throw envelopeMissing(digest, this.location);
    return verifiedEnvelope(digest, Buffer.concat(await this.rows.readChunks(held.writeId)), this.location);
  }

  async has(digest: string): Promise<boolean> {
    return (await this.rows.find(checkedDigest(digest))) !== undefined;
  }

  async *digests(): AsyncIterable<string> {
    for (let page = await this.rows.digestsAfter('', PAGE); page.length > 0; page = await this.rows.digestsAfter(page.at(-1)!, PAGE)) {
      yield* page;
    }
  }

  /** The database is the repository's; closing the authority closes it. */
  async close(): Promise<void> {}
}
