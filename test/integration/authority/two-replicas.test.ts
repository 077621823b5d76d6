// Two authority replicas (two `serve` processes from different data folders) on one PostgreSQL.
// A replica whose folder holds keys of its own, or whose key-encryption key is another, refuses to
// start and names the keys; given the shared identity (the KEK `keys init` wrote) both serve.
// Kiosks syncing through a round-robin balancer, so consecutive requests (and the chunks of one
// upload) alternate between replicas, deliver every record exactly once, and a replica killed
// with SIGKILL mid-run and restarted costs no record and rejects none. Spawns
// bin/gatehouse-authority.js, so it needs `npm run build` first.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEK_FILE } from '../../../authority/keys/kek-source.js';
import { LEGACY_KEY_FILES } from '../../../authority/keys/legacy-key-files.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../../tools/fleet/round-robin-proxy.js';
import { generateSealingKeyPair, generateSigningKeyPair, keyIdOf } from '../../../protocol/keys.js';
import { syntheticRecord } from '../../../tools/records/synthetic-records.js';
import { provisionedKiosk, type KioskUnderTest } from '../main/sync/kiosk-under-test.js';
import { POSTGRES_MISSING, postgresBinDir, startPostgres, type TestPostgres } from '../../../tools/postgres/throwaway-postgres.js';

const BIN = join(import.meta.dirname, '../../../bin/gatehouse-authority.js');
const BUILT = existsSync(join(import.meta.dirname, '../../../dist/authority/cli/main.js'));
const KIOSKS = 3;
const RECORDS_PER_KIOSK = 24;
const LARGE_EVERY = 6; // these go in chunks, which alternate between replicas too

/** The environment without any authority settings of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GATEHOUSE_AUTHORITY_')));
  return { ...env, ...extra };
}

interface Finished {
  code: number | null;
  out: string;
  err: string;
}

function authority(args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
}

function finished(child: ChildProcessWithoutNullStreams): Promise<Finished> {
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (err += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

interface Replica {
  url: string;
  port: number;
  child: ChildProcessWithoutNullStreams;
}

/** `serve` on `port` (0: any); its URL once it printed `ready`, or how it ended when it refused to start. */
function serve(dataDir: string, database: string, env: NodeJS.ProcessEnv, port = 0): Promise<Replica | Finished> {
  const child = authority(['--data', dataDir, '--database', database, 'serve', '--port', String(port)], env);
  const ended = finished(child);
  return new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const ready = /^ready (\S+)$/m.exec(out);
      if (ready) resolve({ url: ready[1]!, port: Number(new URL(ready[1]!).port), child });
    });
    void ended.then(resolve);
  });
}

async function started(replica: Promise<Replica | Finished>): Promise<Replica> {
  const result = await replica;
  if (!('url' in result)) throw new Error(`a replica did not start: ${result.err}`);
  return result;
}

/** The refusal of a replica that did not start: its one line `gatehouse-authority: MESSAGE (CODE)`. */
async function refused(replica: Promise<Replica | Finished>): Promise<{ code: string; message: string }> {
  const result = await replica;
  if ('url' in result) {
    result.child.kill('SIGKILL');
    throw new Error(`the replica started at ${result.url} instead of refusing`);
  }
  expect(result.code).toBe(2);
  const line = /^gatehouse-authority: (.*) \(([A-Z_]+)\)\n$/.exec(result.err);
  if (line === null) throw new Error(`not a refusal: ${result.err}`);
  return { message: line[1]!, code: line[2]! };
}

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await finished(authority(args, env));
  if (result.code !== 0) throw new Error(`gatehouse-authority ${args.join(' ')} exited ${result.code}: ${result.err}`);
  return result.out;
}

const stopped = (child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): Promise<unknown> => {
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill(signal);
  return closed;
};

describe.skipIf(!BUILT)('two authority replicas on one PostgreSQL', () => {
  if (postgresBinDir === undefined) {
    it.skip(POSTGRES_MISSING, () => {});
    return;
  }

  let postgres: TestPostgres;
  let database: string;
  let folderA: string;
  let folderB: string;
  let kek: string;
  const replicas: Replica[] = [];
  let proxy: RoundRobinProxy | undefined;
  const kiosks: KioskUnderTest[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
    database = await postgres.createDatabase();
    folderA = await mkdtemp(join(tmpdir(), 'gatehouse-replica-a-'));
    folderB = await mkdtemp(join(tmpdir(), 'gatehouse-replica-b-'));
    await run(['--data', folderA, '--database', database, 'keys', 'init'], cleanEnv());
    kek = (await readFile(join(folderA, DEFAULT_KEK_FILE), 'utf8')).trim();
  }, 120_000);

  afterAll(async () => {
    for (const kiosk of kiosks) kiosk.close();
    await proxy?.close();
    for (const replica of replicas) if (replica.child.exitCode === null) await stopped(replica.child, 'SIGTERM');
    await postgres?.stop();
    for (const folder of [folderA, folderB]) if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('refuses a second replica whose folder has keys of its own, naming both keys, or that has another key-encryption key', async () => {
    const keys = JSON.parse(await run(['--data', folderA, '--database', database, 'keys', 'show', '--json'], cleanEnv())) as { purpose: string; keyId: string }[];
    const storeSigningKeyId = keys.find((key) => key.purpose === 'signing')!.keyId;

    // A folder from the time each replica made its own keys.
    const own = { signing: generateSigningKeyPair(), sealing: generateSealingKeyPair(), update: generateSigningKeyPair() };
    for (const [purpose, pair] of Object.entries(own)) {
      await writeFile(join(folderB, LEGACY_KEY_FILES[purpose as keyof typeof own]), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    }
    const mismatch = await refused(serve(folderB, database, cleanEnv({ GATEHOUSE_AUTHORITY_KEK: kek })));
    expect(mismatch.code).toBe('AUTHORITY_KEYS_MISMATCH');
    expect(mismatch.message).toContain(keyIdOf(own.signing.publicKey));
    expect(mismatch.message).toContain(storeSigningKeyId);
    for (const file of Object.values(LEGACY_KEY_FILES)) await rm(join(folderB, file));

    // `keys init` from the second folder is refused before it writes a KEK of its own there.
    const again = await finished(authority(['--data', folderB, '--database', database, 'keys', 'init'], cleanEnv()));
    expect(again).toMatchObject({ code: 2, err: expect.stringContaining('(AUTHORITY_KEYS_EXIST)') });
    expect(existsSync(join(folderB, DEFAULT_KEK_FILE))).toBe(false);
    // No KEK at all, then a KEK of its own: neither opens the authority's keys, and nothing makes new ones.
    expect(await refused(serve(folderB, database, cleanEnv()))).toMatchObject({ code: 'AUTHORITY_KEK_MISSING' });
    const otherKek = Buffer.alloc(32, 7).toString('base64');
    expect(await refused(serve(folderB, database, cleanEnv({ GATEHOUSE_AUTHORITY_KEK: otherKek })))).toMatchObject({ code: 'AUTHORITY_KEK_WRONG' });
    expect(JSON.parse(await run(['--data', folderB, '--database', database, 'keys', 'show', '--json'], cleanEnv()))).toHaveLength(3);
  }, 120_000);

  it('with the shared identity, kiosks alternating between replicas deliver every record once, through a replica killed mid-run', async () => {
    replicas.push(await started(serve(folderA, database, cleanEnv())));
    replicas.push(await started(serve(folderB, database, cleanEnv({ GATEHOUSE_AUTHORITY_KEK: kek }))));
    proxy = await startRoundRobinProxy(replicas.map((replica) => replica.url));
    const token = async () => JSON.parse(await run(['--data', folderA, '--database', database, 'token', 'create', '--json'], cleanEnv())) as { token: string };
    const fleet = { url: proxy.url, now: () => new Date(), token: async () => (await token()).token };
    for (let i = 0; i < KIOSKS; i += 1) kiosks.push(await provisionedKiosk(fleet));
    const pinned = new Set(kiosks.map((kiosk) => kiosk.credentials.identity.authority.signingKeyId));
    expect(pinned.size).toBe(1);

    const large = (index: number) => ({ ...syntheticRecord(index, 'small'), parts: [{ name: 'portrait-live.jpg', bytes: Buffer.alloc(40_000, index % 251) }] });
    const sealed = kiosks.flatMap((kiosk) => kiosk.seal(RECORDS_PER_KIOSK, (index) => (index % LARGE_EVERY === 0 ? large(index) : syntheticRecord(index, 'small'))));
    const syncs = kiosks.map((kiosk) => kiosk.sync({ timeoutMs: 5_000, limits: { singleRequestMaxBytes: 16 * 1024, chunkBytes: 8 * 1024 } }));
    const delivered = () => kiosks.reduce((sum, kiosk) => sum + kiosk.outbox().filter((entry) => entry.state === 'accepted').length, 0);

    // Mid-run: once the first record is in, replica B dies with requests in flight and comes back on its port.
    const killAndRestart = (async () => {
      while (delivered() === 0) await sleep(2);
      const b = replicas[1]!;
      await stopped(b.child, 'SIGKILL');
      replicas[1] = await started(serve(folderB, database, cleanEnv({ GATEHOUSE_AUTHORITY_KEK: kek }), b.port));
      return delivered();
    })();
    let retried = 0;
    for (let round = 0; delivered() < sealed.length; round += 1) {
      expect(round).toBeLessThan(2_000);
      for (const result of await Promise.all(syncs.map((sync) => sync.runOnce()))) {
        retried += result.retried;
        expect(result.rejected).toBe(0);
        expect(result.failure?.kind ?? 'none').not.toBe('halt');
      }
      if (delivered() < sealed.length) await sleep(20);
    }
    expect(await killAndRestart).toBeLessThan(sealed.length);
    expect(retried).toBeGreaterThan(0); // the kiosks did meet the dead replica
    expect(kiosks.flatMap((kiosk) => kiosk.outbox().filter((entry) => entry.state === 'rejected'))).toEqual([]);
    expect(kiosks.every((kiosk) => kiosk.outbox().every((entry) => entry.acceptedAt !== null))).toBe(true);

    const held = JSON.parse(await run(['--data', folderA, '--database', database, 'records', '--json'], cleanEnv())) as {
      counts: { records: number }; records: { recordId: string }[];
    };
    expect(held.counts.records).toBe(sealed.length);
    expect(held.records.map((record) => record.recordId).sort()).toEqual([...sealed].sort());
  }, 600_000);
});
