// The sync service against the real authority on loopback: delivery with verified receipts
// and their audit entries, documents and audit checkpoints, resumable chunked uploads,
// exported records looked up before they are sent, retention before purge, and the
// stop-and-alert on a refused kiosk.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBundle } from '../../../../authority/bundle-import.js';
import { openSealedRecord } from '../../../../protocol/sealed-record.js';
import { verifyReceipt } from '../../../../protocol/receipt.js';
import { decodePublicKey, generateSigningKeyPair } from '../../../../protocol/keys.js';
import { publish } from '../../../../authority/published-documents.js';
import { revokeKiosk } from '../../../../authority/registration.js';
import { auditHead } from '../../../../main/audit/audit-log.js';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import { markExported } from '../../../../main/store/outbox.js';
import { AuthorityClient } from '../../../../main/sync/authority-client.js';
import { heldVersion } from '../../../../main/sync/authority-documents.js';
import { writeExportBundle } from '../../../../main/sync/bundle-export.js';
import type { SyncProgressView } from '../../../../main/sync/sync-service.js';
import { syntheticRecord } from '../../../../tools/records/synthetic-records.js';
import type { Harness } from '../../authority/authority-harness.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { freshKioskPerTest, type KioskUnderTest } from './kiosk-under-test.js';

const LIMITS = { recordBodyBytes: 64 * 1024, chunkBytes: 16 * 1024, uploadBytes: 1024 * 1024 };

let h: Harness;
let k: KioskUnderTest;
freshKioskPerTest((fresh) => ({ h, k } = fresh), LIMITS);

const payloadCount = () => (k.db.prepare('SELECT count(*) AS n FROM sealed_payloads').get() as { n: number }).n;

describe('delivery', () => {
  it('delivers every queued record once, keeps each verified receipt and audits it', async () => {
    const ids = k.seal(5);
    const sync = k.sync();
    const round = await sync.runOnce();
    expect(round).toMatchObject({ state: 'idle', delivered: 5, retried: 0, rejected: 0, failure: null });

    const held = await h.authority.repository.listRecords();
    expect(held.map((r) => r.recordId).sort()).toEqual([...ids].sort());
    for (const row of k.outbox()) {
      expect(row).toMatchObject({ state: 'accepted', acceptedAt: h.now().toISOString(), purgedAt: null });
      expect(held.find((r) => r.recordId === row.recordId)?.digest).toBe(row.digest);
      const receipt = JSON.parse((k.db.prepare('SELECT receipt FROM outbox WHERE record_id = ?').get(row.recordId) as { receipt: string }).receipt);
      expect(verifyReceipt(receipt, k.credentials.authoritySigningKey, { recordId: row.recordId, digest: row.digest, kioskId: k.credentials.identity.kioskId }))
        .toMatchObject({ ok: true });
    }
    expect(k.auditActions().filter((a) => a === 'record.delivered')).toHaveLength(5);
    expect(verifyAudit(k.db).ok).toBe(true);

    // What the authority received opens with its key, as sealed.
    const delivered = await h.authority.repository.findRecord(k.credentials.identity.kioskId, ids[0]!);
    const opened = openSealedRecord(await h.authority.envelopes.get(delivered!.digest), {
      authoritySealingPrivateKey: h.authority.keys.sealing.privateKey,
      kioskSigningPublicKey: decodePublicKey('ed25519', k.credentials.identity.signingPublicKey),
    });
    expect(opened.json).toMatchObject({ synthetic: true, index: 0 });
    expect(opened.parts.map((p) => p.name)).toContain('portrait-live.jpg');

    expect(sync.progress()).toMatchObject({ state: 'idle', queueDepth: 0, lastSuccessAt: h.now().toISOString(), lastError: null, transfer: null });
    expect(await sync.runOnce()).toMatchObject({ delivered: 0, failure: null });
    expect((await h.authority.repository.counts()).records).toBe(5);
  });

  it('pulls the signed documents, keeping only newer versions, and pushes a signed checkpoint of the audit head', async () => {
    k.seal(2);
    const sync = k.sync({ documentsEveryMs: 0 });
    const round = await sync.runOnce();
    expect(heldVersion(k.db, 'station-config')).toBe(1);
    expect(heldVersion(k.db, 'operators')).toBe(1);
    const head = auditHead(k.db)!;
    expect(round.checkpointSeq).toBe(head.seq);
    const checkpoints = await h.authority.repository.listCheckpoints(k.credentials.identity.kioskId);
    expect(checkpoints.at(-1)).toMatchObject({ seq: head.seq, headHash: head.hash });

    await publish(h.authority, { kind: 'operators', operators: [{ name: 'Olga Officer', role: 'officer', active: true }] });
    expect(await sync.runOnce()).toMatchObject({ checkpointSeq: null, failure: null }); // the head did not move
    expect(heldVersion(k.db, 'operators')).toBe(2);
  });

  it('sends large records in chunks and resumes an upload the authority already holds part of', async () => {
    const big = () => ({ ...syntheticRecord(1, 'small'), parts: [{ name: 'portrait-live.jpg', bytes: Buffer.alloc(40_000, 7) }] });
    const [id] = k.seal(1, big);
    const row = k.outbox()[0]!;
    const client = new AuthorityClient({ baseUrl: h.url, signer: { keyId: k.credentials.identity.kioskId, privateKey: k.credentials.keys.signing.privateKey }, now: h.now });
    const created = await client.createUpload(id!, row.size, row.digest);
    if (created.status !== 'uploading') throw new Error('expected a new upload');
    await client.uploadChunk(created.uploadId, 0, k.envelope(id!).subarray(0, 8192));

    const sync = k.sync({ limits: { singleRequestMaxBytes: 16 * 1024, chunkBytes: 8192 } });
    const transfers: number[] = [];
    sync.on('progress', (p: SyncProgressView) => { if (p.transfer) transfers.push(p.transfer.bytes); });
    expect(await sync.runOnce()).toMatchObject({ delivered: 1, failure: null });
    expect(transfers.every((bytes) => bytes === 0 || bytes >= 8192)).toBe(true);
    expect(k.outbox()[0]).toMatchObject({ state: 'accepted' });
    expect((await h.authority.repository.counts()).openUploads).toBe(0);
    expect((await h.authority.repository.findRecord(k.credentials.identity.kioskId, id!))?.digest).toBe(row.digest);
  });
});

describe('records carried out in an export bundle', () => {
  it('are looked up first, and sent only if the authority does not hold them yet', async () => {
    const exported = k.seal(3);
    const usb = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-usb-'));
    const bundle = await writeExportBundle(k.db, k.credentials, usb, h.now());
    markExported(k.db, bundle.recordIds, bundle.bundleId, h.now().toISOString());
    await importBundle(h.authority, bundle.file);
    const [fresh] = k.seal(1);
    const [stillOut] = k.seal(1);
    markExported(k.db, [stillOut!], bundle.bundleId, h.now().toISOString()); // exported, but the stick never reached the authority

    const proxy = await startFaultProxy(h.url, { record: true });
    try {
      const sync = k.sync({ credentials: () => ({ ...k.credentials, identity: { ...k.credentials.identity, authorityUrl: proxy.url } }) });
      expect(await sync.runOnce()).toMatchObject({ delivered: 5, failure: null });
      const records = proxy.recorded.filter((r) => r.path.startsWith('/v1/records/')).map((r) => `${r.method} ${r.path.slice(12)}`).sort();
      expect(records).toEqual([...exported.map((id) => `GET ${id}`), `GET ${stillOut}`, `PUT ${fresh}`, `PUT ${stillOut}`].sort());
      expect(k.outbox().every((r) => r.state === 'accepted')).toBe(true);
    } finally {
      await proxy.close();
      fs.rmSync(usb, { recursive: true, force: true });
    }
  });
});

describe('retention', () => {
  it('purges an envelope only once its receipt is older than the configured retention, and never one without a receipt', async () => {
    await publish(h.authority, { kind: 'station-config', settings: { sealedRetentionHours: 1 } });
    const [delivered, refused] = k.seal(2);
    // Spoil one envelope in the store: the authority refuses it for good, so it never gets a receipt.
    const spoiled = Buffer.from(k.envelope(refused!));
    spoiled[spoiled.length - 1]! ^= 0xff;
    k.replaceEnvelope(refused!, spoiled);
    const sync = k.sync();
    expect(await sync.runOnce()).toMatchObject({ delivered: 1, rejected: 1 });
    expect(k.outbox().find((r) => r.recordId === delivered)).toMatchObject({ purgeAfter: new Date(h.now().getTime() + 3_600_000).toISOString() });
    expect(k.outbox().find((r) => r.recordId === refused)).toMatchObject({ state: 'rejected', purgeAfter: null });

    h.advance(59 * 60);
    expect((await sync.runOnce()).purged).toBe(0);
    expect(payloadCount()).toBe(2);
    h.advance(2 * 60);
    expect((await sync.runOnce()).purged).toBe(1);
    expect(k.outbox().find((r) => r.recordId === delivered)).toMatchObject({ purgedAt: h.now().toISOString() });
    h.advance(365 * 24 * 3600);
    expect((await sync.runOnce()).purged).toBe(0);
    expect(k.db.prepare('SELECT record_id AS id FROM sealed_payloads').all()).toEqual([{ id: refused }]);
  });
});

describe('refusals', () => {
  it('stops and alerts, without retrying, when the authority refuses the kiosk; "sync now" tries again', async () => {
    k.seal(3);
    await revokeKiosk(h.authority, k.credentials.identity.kioskId);
    const sync = k.sync();
    const seen: SyncProgressView[] = [];
    sync.on('progress', (p) => seen.push(p));
    const round = await sync.runOnce();
    expect(round).toMatchObject({ state: 'halted', delivered: 0, failure: { kind: 'halt', code: 'KEY_REVOKED' } });
    expect(sync.progress()).toMatchObject({ state: 'halted', queueDepth: 3, nextAttemptAt: null, lastError: { code: 'KEY_REVOKED' } });
    expect(sync.progress().lastError?.message).toMatch(/refused this kiosk's credentials.*stopped until a technician/);
    expect(seen.some((p) => p.state === 'halted')).toBe(true);

    const nonces = (await h.authority.repository.counts());
    expect(await sync.runOnce()).toMatchObject({ state: 'halted', delivered: 0, failure: null });
    expect(await h.authority.repository.counts()).toEqual(nonces);
    expect(k.outbox().every((r) => r.state === 'queued')).toBe(true);

    expect(sync.syncNow()).toMatchObject({ state: 'idle' });
    expect(await sync.runOnce()).toMatchObject({ state: 'halted', failure: { code: 'KEY_REVOKED' } });
  });

  it('halts when a receipt or document does not verify against the pinned key, accepting nothing', async () => {
    let credentials = k.credentials;
    const sync = k.sync({ credentials: () => credentials });
    expect(await sync.runOnce()).toMatchObject({ state: 'idle' }); // documents pulled with the right key
    const [id] = k.seal(1);
    const foreign = generateSigningKeyPair().publicKey;
    credentials = { ...k.credentials, authoritySigningKey: foreign, authorityKeyFor: () => foreign };
    expect(await sync.runOnce()).toMatchObject({ state: 'halted', delivered: 0, failure: { kind: 'halt', code: 'RECEIPT_INVALID' } });
    expect(k.outbox()).toEqual([expect.objectContaining({ recordId: id, state: 'queued', acceptedAt: null })]);
    expect(k.auditActions()).not.toContain('record.delivered');

    const fresh = k.sync({ credentials: () => credentials });
    expect(await fresh.runOnce()).toMatchObject({ state: 'halted', failure: { code: 'AUTHORITY_DOCUMENT_INVALID' } });
    expect(heldVersion(k.db, 'station-config')).toBe(1);
  });
});
