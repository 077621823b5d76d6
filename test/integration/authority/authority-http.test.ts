// The reference authority over loopback HTTP with real kiosks, on SQLite and on PostgreSQL:
// registration with kiosk codes, upload with verified receipts, permanent dedup, enrollment
// numbers at intake, resumable chunked uploads with an interrupted chunk, the signed record status
// feed, published documents, audit checkpoints, and every tampered, replayed, unsigned, oversized
// or revoked request refused with its 4xx while nothing changes.

import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiPaths, CreateUploadResponse, RecordStored, UploadState } from '../../../protocol/api.js';
import { signAuditCheckpoint } from '../../../protocol/audit-checkpoint.js';
import { signRequest } from '../../../protocol/http-signature.js';
import { encodePublicKey, generateSealingKeyPair, generateSigningKeyPair, keyIdOf } from '../../../protocol/keys.js';
import { verifyReceipt } from '../../../protocol/receipt.js';
import { recordStatusDocument, type RecordStatusPage } from '../../../protocol/record-status.js';
import { decideRecord } from '../../../authority/record-processing.js';
import { sha256Hex } from '../../../protocol/wire-fields.js';
import { operatorListDocument, stationConfigDocument } from '../../../protocol/station-documents.js';
import { publish } from '../../../authority/published-documents.js';
import { revokeKiosk } from '../../../authority/registration.js';
import { newKioskKeys, resign, sealSample, withHeader } from '../../unit/authority/sealing-fixtures.js';
import { startHarness, type Harness } from './authority-harness.js';
import { POSTGRES_MISSING, startPostgres, STORAGE_BACKENDS, type TestPostgres } from '../../../tools/postgres/throwaway-postgres.js';
import { TestKiosk } from './test-kiosk.js';

const LIMITS = { recordBodyBytes: 64 * 1024, chunkBytes: 16 * 1024, uploadBytes: 1024 * 1024, statusPageSize: 3 };

let postgres: TestPostgres | undefined;
afterAll(async () => postgres?.stop());

describe.each(STORAGE_BACKENDS)('authority over HTTP on $backend', ({ backend, available }) => {
  if (!available) {
    it.skip(POSTGRES_MISSING, () => {});
    return;
  }

  let h: Harness;
  let kiosk: TestKiosk;
  beforeEach(async () => {
    let database: string | undefined;
    if (backend === 'PostgreSQL') {
      postgres ??= await startPostgres();
      database = await postgres.createDatabase();
    }
    h = await startHarness({ database, limits: LIMITS });
    kiosk = await h.kiosk();
  });
  afterEach(() => h.close());

  /** Runs `refused`, expects its status and code, and that the authority holds exactly what it held before. */
  async function expectRefusedWithoutChange(refused: () => Promise<{ status: number; body: { code?: string } }>, status: number, code: string) {
    const before = await h.snapshot();
    const reply = await refused();
    expect({ status: reply.status, code: reply.body.code }).toEqual({ status, code });
    expect(await h.snapshot()).toEqual(before);
  }

  it('answers the unsigned health probe with its signing key id, changing nothing', async () => {
    const before = await h.snapshot();
    const reply = await fetch(`${h.url}/v1/health`);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ service: 'gatehouse-authority', signingKeyId: h.authority.keys.published.signingKeyId });
    expect(await h.snapshot()).toEqual(before);
  });

  describe('registration', () => {
    it('gives the kiosk an id, its kiosk code and the authority keys to pin', async () => {
      expect(kiosk.pinned).toEqual(h.authority.keys.published);
      expect(kiosk.pinned.signingKeyId).toBe(keyIdOf(h.authority.keys.signing.publicKey));
      expect(kiosk.code).toBe('0001');
      expect(await h.authority.repository.findKiosk(kiosk.keys.id)).toMatchObject({ code: '0001', name: 'Kiosk Hall A', revokedAt: null });
      const second = await h.kiosk('Kiosk B');
      expect(second.code).toBe('0002');
    });

    it('refuses a used, expired or unknown token and a malformed request, registering nothing', async () => {
      const token = await h.token(60);
      const keys = newKioskKeys();
      const body = (t: string) => ({ token: t, name: 'Kiosk B', signingPublicKey: encodePublicKey(keys.signing.publicKey), sealingPublicKey: encodePublicKey(keys.sealing.publicKey) });
      const register = (payload: object) => kiosk.send('POST', apiPaths.kiosks, payload, { unsigned: true });
      expect((await register(body(token))).status).toBe(201);
      await expectRefusedWithoutChange(() => register({ ...body(token), signingPublicKey: encodePublicKey(generateSigningKeyPair().publicKey) }), 401, 'TOKEN_USED');
      const expiring = await h.token(60);
      h.advance(61);
      await expectRefusedWithoutChange(() => register(body(expiring)), 401, 'TOKEN_EXPIRED');
      await expectRefusedWithoutChange(() => register(body('ght_not-a-token')), 401, 'TOKEN_UNKNOWN');
      await expectRefusedWithoutChange(() => register({ ...body(expiring), sealingPublicKey: 'short' }), 400, 'REQUEST_INVALID');
    });
  });

  describe('record upload', () => {
    it('stores the envelope and answers with a receipt that verifies with the pinned key', async () => {
      const sealed = kiosk.seal();
      const reply = await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes);
      expect(reply.status).toBe(201);
      const stored = RecordStored.parse(reply.body);
      expect(verifyReceipt(stored.receipt, kiosk.authoritySigningKey, { recordId: sealed.recordId, digest: sealed.digest, kioskId: kiosk.keys.id }))
        .toMatchObject({ ok: true });
      expect(stored.receipt.receivedAt).toBe(h.now().toISOString());
      expect(Buffer.from(await h.authority.envelopes.get(sealed.digest)).equals(Buffer.from(sealed.bytes))).toBe(true);
      const status = await kiosk.send('GET', apiPaths.record(sealed.recordId));
      expect(status).toMatchObject({ status: 200, body: stored });
    });

    it('answers the same record again with the original receipt, however much later', async () => {
      const sealed = kiosk.seal();
      const first = await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes);
      h.advance(30 * 24 * 3600);
      const before = await h.snapshot();
      expect(await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes)).toMatchObject({ status: 200, body: first.body });
      expect(await h.snapshot()).toEqual(before);
    });

    it('refuses different content under a record id already held, with 422, keeping the first', async () => {
      const sealed = kiosk.seal();
      await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes);
      const other = kiosk.seal({ recordId: sealed.recordId });
      await expectRefusedWithoutChange(() => kiosk.send('PUT', apiPaths.record(sealed.recordId), other.bytes), 422, 'RECORD_CONFLICT');
    });

    it('keeps another kiosk from reading a record status', async () => {
      const sealed = kiosk.seal();
      await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes);
      const other = await h.kiosk('Kiosk B');
      expect(await other.send('GET', apiPaths.record(sealed.recordId))).toMatchObject({ status: 404, body: { code: 'RECORD_NOT_FOUND' } });
    });
  });

  describe('enrollment numbers at intake', () => {
    const put = (k: TestKiosk, sealed: { recordId: string; bytes: Uint8Array }) => k.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes);

    it('keeps the number with the record and logs the record received', async () => {
      const number = kiosk.number(1);
      const sealed = kiosk.seal({ number });
      expect((await put(kiosk, sealed)).status).toBe(201);
      expect(await h.authority.repository.findRecordByNumber(number)).toMatchObject({ recordId: sealed.recordId, digest: sealed.digest, number });
      expect(await h.authority.repository.statusHistory(kiosk.keys.id, sealed.recordId)).toEqual([
        { seq: 1, recordId: sealed.recordId, kioskId: kiosk.keys.id, number, state: 'received', reason: null, at: h.now().toISOString() },
      ]);
      h.advance(60);
      expect((await put(kiosk, sealed)).status).toBe(200);
      expect(await h.authority.repository.statusHistory(kiosk.keys.id, sealed.recordId)).toHaveLength(1);
    });

    it('takes the number from a record sent in chunks', async () => {
      const number = kiosk.number(2);
      const sealed = kiosk.seal({ number, partBytes: 12_000 });
      const upload = UploadState.parse((await kiosk.send('POST', apiPaths.recordUploads(sealed.recordId), { size: sealed.size, digest: sealed.digest })).body);
      let offset = 0;
      for (; offset < sealed.size; offset += upload.maxChunkBytes) {
        await kiosk.send('PUT', apiPaths.uploadChunk(upload.uploadId, offset), sealed.bytes.subarray(offset, offset + upload.maxChunkBytes));
      }
      expect((await kiosk.send('POST', apiPaths.uploadComplete(upload.uploadId), { digest: sealed.digest })).status).toBe(201);
      expect((await h.authority.repository.findRecordByNumber(number))?.recordId).toBe(sealed.recordId);
    });

    it('refuses a number of another kiosk\'s code, or of a code no kiosk has', async () => {
      const other = await h.kiosk('Kiosk B');
      const theirs = kiosk.seal({ number: other.number(1) });
      await expectRefusedWithoutChange(() => put(kiosk, theirs), 422, 'RECORD_NUMBER_FOREIGN');
      const refused = await put(kiosk, theirs);
      expect(refused.body).toMatchObject({ details: { recordId: theirs.recordId, number: other.number(1), kioskCode: '0001' } });
      const nobodys = kiosk.seal({ number: new TestKiosk(h.url, kiosk.keys, kiosk.pinned, h.now, 'ZZZZ').number(1) });
      await expectRefusedWithoutChange(() => put(kiosk, nobodys), 422, 'RECORD_NUMBER_FOREIGN');
    });

    it('refuses a second record under a number already held, keeping the first', async () => {
      const number = kiosk.number(3);
      const first = kiosk.seal({ number });
      await put(kiosk, first);
      await expectRefusedWithoutChange(() => put(kiosk, kiosk.seal({ number })), 422, 'RECORD_NUMBER_TAKEN');
      expect((await h.authority.repository.findRecordByNumber(number))?.recordId).toBe(first.recordId);
    });
  });

  describe('record status feed', () => {
    /** Pulls one page and checks it is signed by the pinned authority key. */
    async function pull(k: TestKiosk, after: number): Promise<RecordStatusPage> {
      const reply = await k.send('GET', apiPaths.recordStatus(after));
      expect(reply.status).toBe(200);
      const verified = recordStatusDocument.verify(reply.body, k.authoritySigningKey);
      if (!verified.ok) throw new Error(`the page does not verify: ${verified.message}`);
      return verified.document;
    }

    it('answers a kiosk with nothing to report with an empty page, signed by the authority', async () => {
      const before = await h.snapshot();
      expect(await pull(kiosk, 0)).toMatchObject({ kioskId: kiosk.keys.id, after: 0, changes: [], next: 0, more: false, issuedAt: h.now().toISOString() });
      expect(await pull(kiosk, 42)).toMatchObject({ after: 42, changes: [], next: 42, more: false });
      expect(await h.snapshot()).toEqual(before);
    });

    it('pages through the kiosk\'s own changes, oldest first, and never another kiosk\'s', async () => {
      const other = await h.kiosk('Kiosk B');
      const ours = [1, 2, 3, 4].map((n) => kiosk.seal({ number: kiosk.number(n) }));
      const theirs = [1, 2].map((n) => other.seal({ number: other.number(n) }));
      for (const [k, sealed] of [[kiosk, ours[0]], [other, theirs[0]], [kiosk, ours[1]], [kiosk, ours[2]], [other, theirs[1]], [kiosk, ours[3]]] as const) {
        expect((await k.send('PUT', apiPaths.record(sealed!.recordId), sealed!.bytes)).status).toBe(201);
        h.advance(1);
      }
      await decideRecord(h.authority, kiosk.number(2), 'rejected', 'The portrait is blurred; come back for a new one.');
      await decideRecord(h.authority, other.number(1), 'accepted');

      const first = await pull(kiosk, 0);
      expect(first).toMatchObject({ after: 0, more: true });
      expect(first.changes.map((c) => [c.number, c.state])).toEqual([[kiosk.number(1), 'received'], [kiosk.number(2), 'received'], [kiosk.number(3), 'received']]);
      expect(first.next).toBe(first.changes[2]!.seq);
      const second = await pull(kiosk, first.next);
      expect(second).toMatchObject({ after: first.next, more: false });
      expect(second.changes).toEqual([
        expect.objectContaining({ recordId: ours[3]!.recordId, number: kiosk.number(4), state: 'received', reason: null }),
        { seq: second.next, recordId: ours[1]!.recordId, number: kiosk.number(2), state: 'rejected',
          reason: 'The portrait is blurred; come back for a new one.', at: h.now().toISOString() },
      ]);
      expect(await pull(kiosk, second.next)).toMatchObject({ changes: [], next: second.next, more: false });

      const seqs = [...first.changes, ...second.changes].map((c) => c.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      const theirPage = await pull(other, 0);
      expect(theirPage.changes.map((c) => [c.number, c.state])).toEqual([[other.number(1), 'received'], [other.number(2), 'received'], [other.number(1), 'accepted']]);
      expect(theirPage.changes.some((c) => ours.some((o) => o.recordId === c.recordId))).toBe(false);
    });

    it('refuses a malformed position, an unsigned request and a revoked kiosk', async () => {
      for (const path of ['/v1/record-status', '/v1/record-status?after=-1', '/v1/record-status?after=x', '/v1/record-status?after=1&after=2', '/v1/record-status?after=1&kiosk=x']) {
        await expectRefusedWithoutChange(() => kiosk.send('GET', path), 400, 'REQUEST_INVALID');
      }
      await expectRefusedWithoutChange(() => kiosk.send('GET', apiPaths.recordStatus(0), undefined, { unsigned: true }), 401, 'SIG_MISSING');
      await revokeKiosk(h.authority, kiosk.keys.id);
      await expectRefusedWithoutChange(() => kiosk.send('GET', apiPaths.recordStatus(0)), 403, 'KEY_REVOKED');
    });
  });

  describe('chunked upload', () => {
    const chunksOf = (bytes: Uint8Array, size: number) =>
      Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

    /** Sends the headers and half the body of a signed chunk, then drops the connection. */
    function interruptedChunk(path: string, chunk: Uint8Array): Promise<void> {
      const headers = { ...kiosk.signedHeaders('PUT', path, chunk), 'content-type': 'application/octet-stream', 'content-length': String(chunk.length) };
      return new Promise((resolve) => {
        const request = httpRequest(`${h.url}${path}`, { method: 'PUT', headers });
        request.on('error', () => resolve());
        request.write(chunk.subarray(0, chunk.length >> 1), () => {
          request.destroy();
          resolve();
        });
      });
    }

    it('resumes after an interrupted chunk and ends with the same receipt as a single upload would', async () => {
      const sealed = kiosk.seal({ partBytes: 20_000 }); // ~40 KB: three chunks of 16 KiB
      const created = await kiosk.send('POST', apiPaths.recordUploads(sealed.recordId), { size: sealed.size, digest: sealed.digest });
      expect(created.status).toBe(201);
      const upload = UploadState.parse(created.body);
      expect(upload).toMatchObject({ offset: 0, size: sealed.size, maxChunkBytes: LIMITS.chunkBytes });
      const [first, second, third] = chunksOf(sealed.bytes, upload.maxChunkBytes);

      expect((await kiosk.send('PUT', apiPaths.uploadChunk(upload.uploadId, 0), first!)).body).toMatchObject({ offset: first!.length });
      await interruptedChunk(apiPaths.uploadChunk(upload.uploadId, first!.length), second!);

      const state = await kiosk.send('GET', apiPaths.upload(upload.uploadId));
      expect(state.body).toMatchObject({ status: 'uploading', offset: first!.length });
      const resumed = await kiosk.send('POST', apiPaths.recordUploads(sealed.recordId), { size: sealed.size, digest: sealed.digest });
      expect(resumed).toMatchObject({ status: 200, body: { uploadId: upload.uploadId, offset: first!.length } });

      const wrongOffset = await kiosk.send('PUT', apiPaths.uploadChunk(upload.uploadId, 0), second!);
      expect(wrongOffset).toMatchObject({ status: 409, body: { code: 'UPLOAD_OFFSET_MISMATCH', details: { offset: first!.length } } });
      const incomplete = await kiosk.send('POST', apiPaths.uploadComplete(upload.uploadId), { digest: sealed.digest });
      expect(incomplete).toMatchObject({ status: 409, body: { code: 'UPLOAD_INCOMPLETE' } });

      let offset = first!.length;
      for (const chunk of [second!, third!]) {
        const reply = await kiosk.send('PUT', apiPaths.uploadChunk(upload.uploadId, offset), chunk);
        offset += chunk.length;
        expect(reply).toMatchObject({ status: 200, body: { offset } });
      }
      const completed = await kiosk.send('POST', apiPaths.uploadComplete(upload.uploadId), { digest: sealed.digest });
      expect(completed.status).toBe(201);
      expect(verifyReceipt(RecordStored.parse(completed.body).receipt, kiosk.authoritySigningKey, { recordId: sealed.recordId, digest: sealed.digest }))
        .toMatchObject({ ok: true });
      expect((await h.authority.repository.findRecord(kiosk.keys.id, sealed.recordId))?.digest).toBe(sealed.digest);
      expect(sha256Hex(await h.authority.envelopes.get(sealed.digest))).toBe(sealed.digest);
      expect((await h.authority.repository.counts()).openUploads).toBe(0);

      // The response to complete was lost: the upload is gone, the record answers with its receipt.
      expect(await kiosk.send('POST', apiPaths.uploadComplete(upload.uploadId), { digest: sealed.digest }))
        .toMatchObject({ status: 404, body: { code: 'UPLOAD_NOT_FOUND' } });
      const again = await kiosk.send('POST', apiPaths.recordUploads(sealed.recordId), { size: sealed.size, digest: sealed.digest });
      expect(again.status).toBe(200);
      expect(CreateUploadResponse.parse(again.body)).toEqual(completed.body);
    });

    it('refuses chunks past the declared size, oversized chunks and replayed chunks without committing them', async () => {
      const sealed = kiosk.seal({ partBytes: 4_000 }); // ~8 KB: less than one chunk
      const upload = UploadState.parse((await kiosk.send('POST', apiPaths.recordUploads(sealed.recordId), { size: sealed.size, digest: sealed.digest })).body);
      const path = apiPaths.uploadChunk(upload.uploadId, 0);
      const chunk = sealed.bytes.subarray(0, 1000);
      const first = await kiosk.send('PUT', path, chunk);
      expect(first.body).toMatchObject({ offset: 1000 });
      await expectRefusedWithoutChange(() => kiosk.sendRaw('PUT', path, chunk, first.sent), 401, 'SIG_REPLAYED');
      const tooMuch = new Uint8Array(LIMITS.chunkBytes + 1);
      expect(await kiosk.send('PUT', apiPaths.uploadChunk(upload.uploadId, 1000), tooMuch.subarray(0, LIMITS.chunkBytes + 1)))
        .toMatchObject({ status: 413, body: { code: 'BODY_TOO_LARGE' } });
      expect(await kiosk.send('PUT', apiPaths.uploadChunk(upload.uploadId, 1000), tooMuch.subarray(0, sealed.size - 999)))
        .toMatchObject({ status: 422, body: { code: 'UPLOAD_OVERFLOW' } });
      expect((await kiosk.send('GET', apiPaths.upload(upload.uploadId))).body).toMatchObject({ offset: 1000 });
      expect(await kiosk.send('POST', apiPaths.recordUploads(randomUUID()), { size: LIMITS.uploadBytes + 1, digest: sealed.digest }))
        .toMatchObject({ status: 413, body: { code: 'UPLOAD_TOO_LARGE' } });
    });

    it('refuses an envelope that does not open, keeping the upload for inspection', async () => {
      const sealed = kiosk.seal({ partBytes: 100 });
      const forged = resign(flipByte(sealed.bytes, sealed.size - 90), kiosk.keys.signing.privateKey);
      const digest = sha256Hex(forged);
      const upload = UploadState.parse((await kiosk.send('POST', apiPaths.recordUploads(sealed.recordId), { size: forged.length, digest })).body);
      await kiosk.send('PUT', apiPaths.uploadChunk(upload.uploadId, 0), forged);
      await expectRefusedWithoutChange(() => kiosk.send('POST', apiPaths.uploadComplete(upload.uploadId), { digest }), 422, 'ENVELOPE_DECRYPT_FAILED');
      expect(await h.authority.repository.findRecord(kiosk.keys.id, sealed.recordId)).toBeUndefined();
    });
  });

  describe('refuses and stores nothing for', () => {
    const put = (k: TestKiosk, recordId: string, bytes: Uint8Array, options = {}) => k.send('PUT', apiPaths.record(recordId), bytes, options);

    it('altered ciphertext, whether or not the kiosk key re-signed it', async () => {
      const sealed = kiosk.seal();
      const altered = flipByte(sealed.bytes, sealed.size - 90);
      await expectRefusedWithoutChange(() => put(kiosk, sealed.recordId, altered), 422, 'ENVELOPE_SIGNATURE_INVALID');
      await expectRefusedWithoutChange(() => put(kiosk, sealed.recordId, resign(altered, kiosk.keys.signing.privateKey)), 422, 'ENVELOPE_DECRYPT_FAILED');
    });

    it('a swapped record id, in the URL or in a re-signed header', async () => {
      const sealed = kiosk.seal();
      const otherId = randomUUID();
      await expectRefusedWithoutChange(() => put(kiosk, otherId, sealed.bytes), 422, 'RECORD_ID_MISMATCH');
      const swapped = withHeader(sealed.bytes, (header) => ({ ...header, recordId: otherId }), kiosk.keys.signing.privateKey);
      await expectRefusedWithoutChange(() => put(kiosk, otherId, swapped), 422, 'ENVELOPE_DECRYPT_FAILED');
    });

    it('an envelope signed with a key other than the kiosk\'s, or sealed by another kiosk', async () => {
      const impostor = newKioskKeys(kiosk.keys.id);
      const forged = sealSample(impostor, kiosk.authoritySealingKey);
      await expectRefusedWithoutChange(() => put(kiosk, forged.recordId, forged.bytes), 422, 'ENVELOPE_SIGNATURE_INVALID');
      const other = await h.kiosk('Kiosk B');
      const theirs = other.seal();
      await expectRefusedWithoutChange(() => put(kiosk, theirs.recordId, theirs.bytes), 422, 'ENVELOPE_KIOSK_MISMATCH');
    });

    it('an envelope sealed to another authority', async () => {
      const sealed = sealSample(kiosk.keys, generateSealingKeyPair().publicKey);
      await expectRefusedWithoutChange(() => put(kiosk, sealed.recordId, sealed.bytes), 422, 'ENVELOPE_WRONG_AUTHORITY_KEY');
    });

    it('a replayed request', async () => {
      const sealed = kiosk.seal();
      const first = await put(kiosk, sealed.recordId, sealed.bytes);
      expect(first.status).toBe(201);
      await expectRefusedWithoutChange(() => kiosk.sendRaw('PUT', apiPaths.record(sealed.recordId), sealed.bytes, first.sent), 401, 'SIG_REPLAYED');
      const checkpoint = signAuditCheckpoint({ kioskId: kiosk.keys.id, seq: 1, headHash: 'a'.repeat(64), at: h.now().toISOString() }, kiosk.keys.signing.privateKey);
      const stored = await kiosk.send('POST', apiPaths.auditCheckpoints, checkpoint);
      await expectRefusedWithoutChange(() => kiosk.sendRaw('POST', apiPaths.auditCheckpoints, Buffer.from(JSON.stringify(checkpoint)), stored.sent), 401, 'SIG_REPLAYED');
    });

    it('an unsigned request, a mis-signed one, or one with a swapped body', async () => {
      const sealed = kiosk.seal();
      await expectRefusedWithoutChange(() => put(kiosk, sealed.recordId, sealed.bytes, { unsigned: true }), 401, 'SIG_MISSING');
      const stranger = generateSigningKeyPair().privateKey;
      const misSigned = { alter: () => signRequest({ method: 'PUT', path: apiPaths.record(sealed.recordId), body: sealed.bytes, keyId: kiosk.keys.id, privateKey: stranger, now: h.now() }) };
      await expectRefusedWithoutChange(() => put(kiosk, sealed.recordId, sealed.bytes, misSigned), 401, 'SIG_BAD');
      const headers = kiosk.signedHeaders('PUT', apiPaths.record(sealed.recordId), kiosk.seal().bytes);
      await expectRefusedWithoutChange(
        () => kiosk.sendRaw('PUT', apiPaths.record(sealed.recordId), sealed.bytes, { ...headers, 'content-type': 'application/octet-stream' }), 401, 'DIGEST_MISMATCH');
      await expectRefusedWithoutChange(() => put(kiosk, sealed.recordId, sealed.bytes, { now: new Date(h.now().getTime() - 301_000) }), 401, 'SIG_EXPIRED');
    });

    it('an oversized request', async () => {
      const sealed = kiosk.seal({ partBytes: LIMITS.recordBodyBytes });
      await expectRefusedWithoutChange(() => put(kiosk, sealed.recordId, sealed.bytes), 413, 'BODY_TOO_LARGE');
    });

    it('a revoked kiosk, which gets 403', async () => {
      const sealed = kiosk.seal();
      await revokeKiosk(h.authority, kiosk.keys.id);
      await expectRefusedWithoutChange(() => put(kiosk, sealed.recordId, sealed.bytes), 403, 'KEY_REVOKED');
      await expectRefusedWithoutChange(() => kiosk.send('GET', apiPaths.stationConfig), 403, 'KEY_REVOKED');
    });

    it('a kiosk that is not registered, and a route or media type that does not exist', async () => {
      const unregistered = new TestKiosk(h.url, newKioskKeys(), kiosk.pinned, h.now);
      const sealed = unregistered.seal();
      await expectRefusedWithoutChange(() => put(unregistered, sealed.recordId, sealed.bytes), 401, 'KEY_UNKNOWN');
      await expectRefusedWithoutChange(() => kiosk.send('DELETE', apiPaths.record(sealed.recordId)), 404, 'NOT_FOUND');
      const signedText = { ...kiosk.signedHeaders('POST', apiPaths.auditCheckpoints, Buffer.from('x')), 'content-type': 'text/plain' };
      await expectRefusedWithoutChange(() => kiosk.sendRaw('POST', apiPaths.auditCheckpoints, Buffer.from('x'), signedText), 415, 'UNSUPPORTED_MEDIA_TYPE');
      // Unsigned, it is refused for that before anything about its body.
      await expectRefusedWithoutChange(
        () => kiosk.sendRaw('POST', apiPaths.auditCheckpoints, Buffer.from('x'), { 'content-type': 'text/plain' }), 401, 'SIG_MISSING');
    });
  });

  describe('published documents', () => {
    it('serves station configuration and operators signed by the pinned key, newest version first', async () => {
      const config = await kiosk.send('GET', apiPaths.stationConfig);
      expect(stationConfigDocument.verify(config.body, kiosk.authoritySigningKey)).toMatchObject({ ok: true, document: { version: 1, settings: {} } });
      await publish(h.authority, { kind: 'operators', operators: [{ name: 'Officer Krause', role: 'officer', active: true }] });
      const operators = await kiosk.send('GET', apiPaths.operators);
      expect(operatorListDocument.verify(operators.body, kiosk.authoritySigningKey))
        .toMatchObject({ ok: true, document: { version: 2, operators: [{ name: 'Officer Krause' }] } });
      expect(await kiosk.send('GET', apiPaths.operators, undefined, { unsigned: true })).toMatchObject({ status: 401, body: { code: 'SIG_MISSING' } });
    });
  });

  describe('audit checkpoints', () => {
    it('stores a kiosk-signed checkpoint once and refuses a rewritten head or a forged signature', async () => {
      const fields = { kioskId: kiosk.keys.id, seq: 12, headHash: 'a'.repeat(64), at: h.now().toISOString() };
      const checkpoint = signAuditCheckpoint(fields, kiosk.keys.signing.privateKey);
      expect(await kiosk.send('POST', apiPaths.auditCheckpoints, checkpoint)).toMatchObject({ status: 201, body: { status: 'stored', seq: 12 } });
      expect(await kiosk.send('POST', apiPaths.auditCheckpoints, checkpoint)).toMatchObject({ status: 200, body: { seq: 12 } });
      const rewritten = signAuditCheckpoint({ ...fields, headHash: 'b'.repeat(64) }, kiosk.keys.signing.privateKey);
      await expectRefusedWithoutChange(() => kiosk.send('POST', apiPaths.auditCheckpoints, rewritten), 422, 'CHECKPOINT_CONFLICT');
      const forged = signAuditCheckpoint({ ...fields, seq: 13 }, generateSigningKeyPair().privateKey);
      await expectRefusedWithoutChange(() => kiosk.send('POST', apiPaths.auditCheckpoints, forged), 422, 'CHECKPOINT_SIGNATURE_INVALID');
      expect(await h.authority.repository.listCheckpoints(kiosk.keys.id)).toEqual([{ ...checkpoint, receivedAt: h.now().toISOString() }]);
    });
  });
});

function flipByte(bytes: Uint8Array, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at]! ^= 0x01;
  return copy;
}
