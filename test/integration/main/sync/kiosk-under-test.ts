// A kiosk store provisioned against the test authority (its clock, its one-time token), with the
// pieces sync tests drive: the database, the credentials and a SyncService with a quick retry
// policy, plus readers for what the kiosk holds (queue rows, envelopes, audit actions), and a
// record sealed to an authority key the authority does not hold.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAudit } from '../../../../main/audit/audit-log.js';
import { silentLog } from '../../../../main/log.js';
import { FileKeyVault } from '../../../../main/provisioning/key-vault.js';
import type { KioskCredentials } from '../../../../main/provisioning/kiosk-credentials.js';
import { Provisioning } from '../../../../main/provisioning/provisioning.js';
import { openKioskDatabase, type Db } from '../../../../main/store/database.js';
import { enqueueSealed, listOutbox, type OutboxEntry } from '../../../../main/store/outbox.js';
import { approveAndSeal, type EnrollmentRecord } from '../../../../main/sync/record-sealer.js';
import { SyncService, type SyncServiceOptions } from '../../../../main/sync/sync-service.js';
import { syntheticRecord } from '../../../../tools/records/synthetic-records.js';
import { afterEach, beforeEach } from 'vitest';
import { generateSealingKeyPair } from '../../../../protocol/keys.js';
import { sealRecord } from '../../../../protocol/sealed-record.js';
import type { AuthorityLimits } from '../../../../authority/authority.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';

export const QUICK_RETRY = { baseMs: 5, capMs: 40, maxRetryAfterMs: 60_000 };

export interface KioskUnderTest {
  dataDir: string;
  db: Db;
  vault: FileKeyVault;
  provisioning: Provisioning;
  credentials: KioskCredentials;
  /** Seals and queues `count` small synthetic records (or the given record). */
  seal(count?: number, record?: (index: number) => EnrollmentRecord): string[];
  sync(options?: Partial<SyncServiceOptions>): SyncService;
  outbox(): OutboxEntry[];
  envelope(recordId: string): Buffer;
  /** Replaces a stored envelope (tampering with the kiosk's disk). */
  replaceEnvelope(recordId: string, bytes: Uint8Array): void;
  auditActions(): string[];
  close(): void;
}

/** A kiosk registered at `authorityUrl` (the harness's own by default) with a token from `h`, on `h`'s clock. */
export async function provisionedKiosk(h: Pick<Harness, 'now' | 'token' | 'url'>, authorityUrl: string = h.url): Promise<KioskUnderTest> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-sync-'));
  const db = openKioskDatabase(dataDir);
  const vault = new FileKeyVault(dataDir);
  const provisioning = new Provisioning(db, vault, h.now);
  await provisioning.register({ authorityUrl, token: await h.token(), name: 'Kiosk under test' }, (store) =>
    db.transaction(() => {
      const identity = store();
      appendAudit(db, { actor: 'test', action: 'provisioning.register', details: { kioskId: identity.kioskId } });
      return identity;
    })());
  const credentials = provisioning.require();
  const services: SyncService[] = [];
  return {
    dataDir,
    db,
    vault,
    provisioning,
    credentials,
    seal: (count = 1, record = (index) => syntheticRecord(index, 'small')) =>
      Array.from({ length: count }, (_, index) => approveAndSeal(db, credentials, record(index), 'test', h.now()).recordId),
    sync(options = {}) {
      const service = new SyncService({
        db, credentials: () => provisioning.credentials, log: silentLog, now: h.now, policy: QUICK_RETRY, timeoutMs: 2_000, ...options,
      });
      services.push(service);
      return service;
    },
    outbox: () => listOutbox(db, { limit: 1_000_000 }),
    envelope: (recordId) => (db.prepare('SELECT envelope FROM sealed_payloads WHERE record_id = ?').get(recordId) as { envelope: Buffer }).envelope,
    replaceEnvelope(recordId, bytes) {
      db.prepare('UPDATE sealed_payloads SET envelope = ? WHERE record_id = ?').run(bytes, recordId);
    },
    auditActions: () => (db.prepare('SELECT action FROM audit ORDER BY seq').all() as Array<{ action: string }>).map((r) => r.action),
    close() {
      for (const service of services) void service.stop(); // drops pending progress at once
      db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh authority and a kiosk provisioned with it for every test of the calling file. */
export function freshKioskPerTest(use: (fresh: { h: Harness; k: KioskUnderTest }) => void, limits?: Partial<AuthorityLimits>): void {
  let fresh: { h: Harness; k: KioskUnderTest } | undefined;
  beforeEach(async () => {
    const h = await startHarness({ limits });
    fresh = { h, k: await provisionedKiosk(h) };
    use(fresh);
  });
  afterEach(async () => {
    fresh?.k.close();
    await fresh?.h.close();
  });
}

/**
 * Queues a small record sealed to a fresh X25519 key rather than the authority's (as if sealed for
 * a replica with keys of its own): signed by the kiosk, sound in form, refused with
 * ENVELOPE_WRONG_AUTHORITY_KEY. Returns its record id.
 */
export function queueSealedToForeignKey(db: Db, credentials: KioskCredentials, enrollmentId: string | null, at: Date): string {
  const recordId = randomUUID();
  const createdAt = at.toISOString();
  const envelope = sealRecord({
    recordId, kioskId: credentials.identity.kioskId, createdAt, kind: 'synthetic.person-enrollment', json: { synthetic: true }, parts: [],
    authoritySealingPublicKey: generateSealingKeyPair().publicKey, kioskSigningPrivateKey: credentials.keys.signing.privateKey,
  });
  db.transaction(() => enqueueSealed(db, { recordId, enrollmentId, number: null, createdAt, envelope })).immediate();
  return recordId;
}
