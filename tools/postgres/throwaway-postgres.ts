// A throwaway PostgreSQL for the tests and the authority benchmark: initdb into a temporary
// directory, then a server on 127.0.0.1 at a free port with its socket in that directory, stopped and deleted afterwards.
// Run as root (as in CI containers), the server runs as the `postgres` user, as it must.

import { execFile, execFileSync } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const POSTGRES_MISSING =
  'PostgreSQL tests skipped: no initdb/pg_ctl in $PG_BIN or /usr/lib/postgresql/<version>/bin (install the Debian package "postgresql")';

/** The directory with initdb and pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
export const postgresBinDir: string | undefined = (() => {
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : [];
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join('/usr/lib/postgresql', v, 'bin')));
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
})();

/** The stores every authority suite runs against; PostgreSQL only where its binaries are installed. */
export const STORAGE_BACKENDS = [
  { backend: 'SQLite', available: true },
  { backend: 'PostgreSQL', available: postgresBinDir !== undefined },
] as const;

export interface TestPostgres {
  /** A fresh, empty database; its postgres:// URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  if (postgresBinDir === undefined) throw new Error(POSTGRES_MISSING);
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-pg-'));
  const asUser = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (asUser) await chown(dir, asUser.uid, asUser.gid);
  const data = join(dir, 'data');
  const options = { ...asUser, cwd: dir };
  const bin = (name: string) => join(postgresBinDir!, name);
  await run(bin('initdb'), ['-D', data, '-U', 'gatehouse', '-A', 'trust', '-E', 'UTF8', '--no-sync'], options);
  const port = await freePort();
  await run(bin('pg_ctl'), [
    '-D', data, '-l', join(dir, 'server.log'), '-w', 'start',
    '-o', `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`,
  ], options);

  const admin = new pg.Client({ connectionString: `postgres://gatehouse@127.0.0.1:${port}/postgres` });
  await admin.connect();
  let databases = 0;
  return {
    async createDatabase() {
      const name = `authority_test_${++databases}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return `postgres://gatehouse@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await admin.end();
      await run(bin('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], options);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
