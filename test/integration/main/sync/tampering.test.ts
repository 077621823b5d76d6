// Tampering between the kiosk's disk and the authority: an altered ciphertext, swapped record
// ids, a wrong kiosk key and a replayed request are each refused and store nothing. A record the
// authority refuses for good stays sealed on the kiosk as rejected; a kiosk whose signature is refused
// ends its round, keeps its records queued and asks for a technician.

import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../../../protocol/keys.js';
import type { Harness } from '../../authority/authority-harness.js';
import { resign, withHeader } from '../../../unit/authority/sealing-fixtures.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { freshKioskPerTest, type KioskUnderTest } from './kiosk-under-test.js';

let h: Harness;
let k: KioskUnderTest;
freshKioskPerTest((fresh) => ({ h, k } = fresh));

/** What the authority holds of records: rows, envelopes and open uploads. */
async function heldRecords() {
  const { repository } = h.authority;
  return { records: await repository.listRecords(), uploads: (await repository.counts()).openUploads };
}

describe('tampered envelopes', () => {
  it('refuses an altered ciphertext, signed again with the kiosk key or not', async () => {
    const [resigned, unsigned] = k.seal(2);
    for (const id of [resigned!, unsigned!]) {
      const bytes = Buffer.from(k.envelope(id));
      bytes[bytes.length - 200]! ^= 0x01; // inside the ciphertext
      k.replaceEnvelope(id, id === resigned ? resign(bytes, k.credentials.keys.signing.privateKey) : bytes);
    }
    const before = await heldRecords();
    expect(await k.sync().runOnce()).toMatchObject({ delivered: 0, rejected: 2 });
    expect(k.outbox().find((r) => r.recordId === resigned)?.lastError).toMatch(/fails its authentication tag/);
    expect(k.outbox().find((r) => r.recordId === unsigned)?.lastError).toMatch(/not signed by the key of kiosk/);
    expect(await heldRecords()).toEqual(before);
  });

  it('refuses envelopes swapped between record ids', async () => {
    const [first, second] = k.seal(2);
    const firstEnvelope = k.envelope(first!);
    k.replaceEnvelope(first!, k.envelope(second!));
    k.replaceEnvelope(second!, firstEnvelope);
    const before = await heldRecords();
    expect(await k.sync().runOnce()).toMatchObject({ delivered: 0, rejected: 2 });
    for (const id of [first!, second!]) expect(k.outbox().find((r) => r.recordId === id)?.lastError).toMatch(/is sealed as record/);
    expect(await heldRecords()).toEqual(before);
  });

  it('refuses an envelope whose bound record id was rewritten, even signed again, and delivers the genuine one', async () => {
    const [id] = k.seal(1);
    const [other] = k.seal(1);
    // The header (bound as associated data) now names this outbox row's id; only the AEAD can tell.
    k.replaceEnvelope(id!, withHeader(k.envelope(other!), (header) => ({ ...header, recordId: id! }), k.credentials.keys.signing.privateKey));
    const before = await heldRecords();
    const round = await k.sync().runOnce();
    expect(round).toMatchObject({ delivered: 1, rejected: 1 });
    expect(k.outbox().find((r) => r.recordId === id)).toMatchObject({ state: 'rejected', lastError: expect.stringMatching(/fails its authentication tag/) });
    expect((await heldRecords()).records.map((r) => r.recordId)).toEqual([...before.records.map((r) => r.recordId), other]);
  });
});

describe('a wrong kiosk key', () => {
  it('is refused for every request, ends the round with the records queued for a technician, and stores nothing', async () => {
    k.seal(2);
    const impostor = { ...k.credentials, keys: { ...k.credentials.keys, signing: generateSigningKeyPair() } };
    const before = await heldRecords();
    const sync = k.sync({ credentials: () => impostor });
    const round = await sync.runOnce();
    expect(round).toMatchObject({ state: 'idle', delivered: 0, rejected: 0, failure: { kind: 'config', code: 'SIG_BAD', endsRound: true } });
    expect(sync.progress().lastError).toMatchObject({ code: 'SIG_BAD', kind: 'config' });
    expect(k.outbox().every((r) => r.state === 'queued')).toBe(true);
    expect(await heldRecords()).toEqual(before);
  });
});

describe('a replayed request', () => {
  it('is refused and changes nothing', async () => {
    const proxy = await startFaultProxy(h.url, { record: true });
    try {
      const [id] = k.seal(1);
      const sync = k.sync({ credentials: () => ({ ...k.credentials, identity: { ...k.credentials.identity, authorityUrl: proxy.url } }) });
      expect(await sync.runOnce()).toMatchObject({ delivered: 1 });
      const put = proxy.recorded.find((r) => r.method === 'PUT' && r.path === `/v1/records/${id}`)!;
      const before = await heldRecords();
      const answer = await sendRaw(h.url, put.raw);
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(answer).toContain('"code":"SIG_REPLAYED"');
      expect(await heldRecords()).toEqual(before);

      // The same bytes under a fresh record id in the path no longer match the signature.
      const moved = Buffer.from(put.raw.toString('latin1').replace(`/v1/records/${id}`, `/v1/records/${randomBytes(18).toString('hex').slice(0, 36)}`), 'latin1');
      expect(await sendRaw(h.url, moved)).toMatch(/^HTTP\/1\.1 401 [\s\S]*"code":"SIG_BAD"/);
      expect(await heldRecords()).toEqual(before);
    } finally {
      await proxy.close();
    }
  });
});

/** Sends `raw` over a fresh connection and returns the answer's text. */
function sendRaw(url: string, raw: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(raw));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      const headEnd = answer.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(answer)?.[1];
      if (headEnd !== -1 && length !== undefined && answer.length >= headEnd + 4 + Number(length)) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', reject);
  });
}
