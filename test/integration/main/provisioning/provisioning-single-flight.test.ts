// Issue 12, finding 1: two technician screens (or a screen and `gatehouse provision` in another
// process) registering the kiosk at once. Before, both registered with the authority, the second
// overwrote the key file after the first had stored its identity, and the kiosk never signed
// again (KEY_VAULT_MISMATCH). Now one registers and the other is refused before the authority
// is asked, and the kiosk loads its credentials and syncs. Also: a lease left by a crashed
// registration lapses, and a registration whose lease was taken over commits nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../../main/log.js';
import { FileKeyVault } from '../../../../main/provisioning/key-vault.js';
import { loadCredentials, readIdentity, type KioskIdentity } from '../../../../main/provisioning/kiosk-credentials.js';
import { PROVISIONING_LEASE_MS, takeProvisioningLease } from '../../../../main/provisioning/provisioning-lease.js';
import { Provisioning } from '../../../../main/provisioning/provisioning.js';
import { openKioskDatabase, type Db } from '../../../../main/store/database.js';
import { listOutbox } from '../../../../main/store/outbox.js';
import { approveAndSeal } from '../../../../main/sync/record-sealer.js';
import { SyncService } from '../../../../main/sync/sync-service.js';
import { syntheticRecord } from '../../../../tools/records/synthetic-records.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';

let h: Harness;
let dataDir: string;
const open: Db[] = [];
beforeEach(async () => {
  h = await startHarness();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-single-flight-'));
});
afterEach(async () => {
  for (const db of open.splice(0)) db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  await h.close();
});

/** A connection of its own to the kiosk's files, as a screen's kiosk process or the CLI has. */
function connection(): { db: Db; provisioning: Provisioning; commit: (store: () => KioskIdentity) => KioskIdentity } {
  const db = openKioskDatabase(dataDir);
  open.push(db);
  return { db, provisioning: new Provisioning(db, new FileKeyVault(dataDir), h.now), commit: (store) => db.transaction(store).immediate() };
}

/** After a restart: the kiosk loads its credentials, seals a record and delivers it. */
async function restartsAndSyncs(): Promise<void> {
  const { db } = connection();
  const credentials = loadCredentials(db, new FileKeyVault(dataDir));
  expect(credentials?.identity.kioskId).toBe((await h.authority.repository.listKiosks())[0]!.id);
  const { recordId } = approveAndSeal(db, credentials!, syntheticRecord(0, 'small'), 'test', h.now());
  const sync = new SyncService({ db, credentials: () => credentials, log: silentLog, now: h.now, timeoutMs: 2_000 });
  try {
    expect(await sync.runOnce()).toMatchObject({ delivered: 1, failure: null });
  } finally {
    await sync.stop();
  }
  expect(listOutbox(db, { limit: 10 }).find((row) => row.recordId === recordId)).toMatchObject({ state: 'accepted' });
}

describe('provisioning is single-flight', () => {
  it('two screens registering at once on their own connections: one registers, the other is refused; the kiosk still signs and syncs', async () => {
    const [screenA, screenB] = [connection(), connection()];
    const [tokenA, tokenB] = [await h.token(), await h.token()];
    const results = await Promise.allSettled([
      screenA.provisioning.register({ authorityUrl: h.url, token: tokenA, name: 'Hall A' }, screenA.commit),
      screenB.provisioning.register({ authorityUrl: h.url, token: tokenB, name: 'Hall A' }, screenB.commit),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'PROVISIONING_IN_PROGRESS', details: { purpose: 'register' } });
    // The second was refused before the authority was asked: one kiosk there, its token unused.
    expect(await h.authority.repository.listKiosks()).toHaveLength(1);
    expect(screenB.db.prepare('SELECT count(*) FROM provisioning_lease').pluck().get()).toBe(0);
    await restartsAndSyncs();
  });

  it('two calls on one screen at once: the same', async () => {
    const screen = connection();
    const results = await Promise.allSettled([await h.token(), await h.token()].map((token) =>
      screen.provisioning.register({ authorityUrl: h.url, token, name: 'Hall A' }, screen.commit)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'PROVISIONING_IN_PROGRESS' });
    expect(screen.provisioning.credentials).not.toBeNull();
    await restartsAndSyncs();
  });

  it('a lease left by a registration that died lapses, and the next registration takes it over', async () => {
    const screen = connection();
    takeProvisioningLease(screen.db, 'register', h.now()); // a process that then crashed
    await expect(screen.provisioning.register({ authorityUrl: h.url, token: await h.token(), name: 'Hall A' }, screen.commit))
      .rejects.toMatchObject({ code: 'PROVISIONING_IN_PROGRESS', message: expect.stringContaining('lapses at') });
    h.advance(PROVISIONING_LEASE_MS / 1000 + 1);
    await screen.provisioning.register({ authorityUrl: h.url, token: await h.token(), name: 'Hall A' }, screen.commit);
    await restartsAndSyncs();
  });

  it('a registration whose lease was taken over meanwhile commits nothing', async () => {
    const slow = connection();
    const other = connection();
    const registering = slow.provisioning.register({ authorityUrl: h.url, token: await h.token(), name: 'Hall A' }, (store) => {
      // The lease lapsed while the authority answered, and another attempt took it.
      h.advance(PROVISIONING_LEASE_MS / 1000 + 1);
      takeProvisioningLease(other.db, 'register', h.now());
      return slow.commit(store);
    });
    await expect(registering).rejects.toMatchObject({ code: 'PROVISIONING_LEASE_LOST' });
    expect(readIdentity(slow.db)).toBeNull();
    expect(fs.existsSync(new FileKeyVault(dataDir).file)).toBe(false);
  });
});
