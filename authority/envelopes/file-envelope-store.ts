// The envelope store in a directory (`--envelopes file:DIR`), e.g. a mounted volume shared by the
// replicas: one file per envelope at DIR/ab/cd/<digest> (two levels of fan-out by the digest's
// first hex digits keep directories small), mode 0600. A put writes DIR/.partial/<digest>.<uuid>,
// fsyncs it, checks its digest, renames it into place (atomic; a racing put of the same digest
// renames identical bytes) and fsyncs the directory, so a file under its digest is always whole.
import { randomUUID } from 'node:crypto';
import { mkdir, open, opendir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { checkedDigest, chunksOf, DigestCheck, envelopeMissing, isDigest, verifiedEnvelope, type EnvelopeSource, type EnvelopeStore } from './envelope-store.js';

const PARTIAL = '.partial';
const FAN_OUT = /^[0-9a-f]{2}$/;

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Opens (creating, mode 0700) the store in `dir`. */
export async function openFileEnvelopeStore(dir: string): Promise<FileEnvelopeStore> {
  await mkdir(join(dir, PARTIAL), { recursive: true, mode: 0o700 });
  return new FileEnvelopeStore(dir);
}

export class FileEnvelopeStore implements EnvelopeStore {
  readonly location: string;

  constructor(private readonly dir: string) {
    this.location = `file:${dir}`;
  }

  private folderOf(digest: string): string {
    return join(this.dir, digest.slice(0, 2), digest.slice(2, 4));
  }

  private pathOf(digest: string): string {
    return join(this.folderOf(checkedDigest(digest)), digest);
  }

  async put(digest: string, source: EnvelopeSource): Promise<void> {
    if (await this.has(digest)) return;
    const partial = join(this.dir, PARTIAL, `${digest}.${randomUUID()}`);
    const check = new DigestCheck(digest, this.location);
    try {
      const file = await open(partial, 'wx', 0o600);
      try {
        for await (const chunk of chunksOf(source)) {
          await file.write(chunk);
          check.add(chunk);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      check.finish();
      const folder = this.folderOf(digest);
      const created = await mkdir(folder, { recursive: true, mode: 0o700 });
      await rename(partial, join(folder, digest));
      await fsyncDirectory(folder);
      // New fan-out folders are entries of their parents: make those durable too.
      if (created !== undefined) {
        await fsyncDirectory(join(this.dir, digest.slice(0, 2)));
        await fsyncDirectory(this.dir);
      }
    } catch (error) {
      await unlink(partial).catch((unlinkError: unknown) => {
        if (!isMissing(unlinkError)) throw unlinkError;
      });
      throw error;
    }
  }

  async get(digest: string): Promise<Uint8Array> {
    try {
      return verifiedEnvelope(digest, await readFile(this.pathOf(digest)), this.location);
    } catch (error) {
      if (isMissing(error)) throw envelopeMissing(digest, this.location);
      throw error;
    }
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(digest))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async *digests(): AsyncIterable<string> {
    for await (const first of await opendir(this.dir)) {
      if (!first.isDirectory() || !FAN_OUT.test(first.name)) continue;
      for await (const second of await opendir(join(this.dir, first.name))) {
        if (!second.isDirectory() || !FAN_OUT.test(second.name)) continue;
        for await (const entry of await opendir(join(this.dir, first.name, second.name))) {
          if (entry.isFile() && isDigest(entry.name)) yield entry.name;
        }
      }
    }
  }

  async close(): Promise<void> {}
}
