// A real authority for the integration tests: opened on a temporary data directory (SQLite, or a
// PostgreSQL database when given), served on loopback, with a clock the test moves by hand and a
// snapshot of everything it holds, to show that a refused request changed nothing.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuthority, type Authority, type AuthorityLimits } from '../../../authority/authority.js';
import { initAuthorityKeys } from '../../../authority/keys/init-keys.js';
import { startAuthorityServer } from '../../../authority/http/server.js';
import { sha256Hex } from '../../../protocol/wire-fields.js';
import { createProvisioningToken } from '../../../authority/registration.js';
import { TestKiosk } from './test-kiosk.js';

export interface Harness {
  authority: Authority;
  url: string;
  dataDir: string;
  now(): Date;
  advance(seconds: number): void;
  token(ttlSeconds?: number): Promise<string>;
  kiosk(name?: string): Promise<TestKiosk>;
  /** Everything the authority holds, envelopes by digest. */
  snapshot(): Promise<unknown>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { database?: string; limits?: Partial<AuthorityLimits>; envelopes?: string } = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-authority-'));
  let now = new Date('2025-03-01T12:00:00.000Z');
  const clock = () => now;
  // `keys init` as an operator runs it: the key-encryption key in the data directory, so CLI subprocesses open the same keys.
  await initAuthorityKeys({ dataDir, database: options.database });
  const authority = await openAuthority({ dataDir, database: options.database, clock, limits: options.limits, envelopes: options.envelopes });
  const internalErrors: unknown[] = [];
  const server = await startAuthorityServer(authority, { port: 0, onInternalError: (error) => internalErrors.push(error) });
  const harness: Harness = {
    authority,
    url: server.url,
    dataDir,
    now: clock,
    advance(seconds) {
      now = new Date(now.getTime() + seconds * 1000);
    },
    token: async (ttlSeconds = 3600) => (await createProvisioningToken(authority, ttlSeconds)).token,
    kiosk: async (name) => TestKiosk.register(server.url, await harness.token(), clock, name),
    async snapshot() {
      const { repository } = authority;
      const records = await repository.listRecords();
      const kiosks = await repository.listKiosks();
      return {
        counts: await repository.counts(),
        kiosks,
        records,
        envelopes: await Promise.all(records.map(async (r) => sha256Hex(await authority.envelopes.get(r.digest)))),
        checkpoints: await Promise.all(kiosks.map((k) => repository.listCheckpoints(k.id))),
        statusLog: await Promise.all(records.map((r) => repository.statusHistory(r.kioskId, r.recordId))),
      };
    },
    async close() {
      await server.close();
      await authority.close();
      await rm(dataDir, { recursive: true, force: true });
      if (internalErrors.length > 0) throw new Error(`the authority failed internally: ${internalErrors.map(String).join('; ')}`);
    },
  };
  return harness;
}
