// The `gatehouse-authority` command line, run in-process: `serve` prints `ready <url>` and serves
// until told to stop, tokens work once, kiosks are listed with their codes, revocation cuts a kiosk
// off, `records --json` lists what is held with numbers and states, `decide` and `status` work by
// enrollment number and the kiosk pulls the decision, `slip verify` tells a genuine slip from each
// kind of false one, documents publish as new versions, and `bundle import` is idempotent and
// writes receipts the kiosk can verify. The same on PostgreSQL with --database.

import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_KEK_FILE } from '../../../authority/keys/kek-source.js';
import { LEGACY_KEY_FILES, readLegacyKeyFiles } from '../../../authority/keys/legacy-key-files.js';
import { NEXT_KEYS_SETTING } from '../../../protocol/key-rotation.js';
import { decodePublicKey, generateSealingKeyPair, generateSigningKeyPair, keyIdOf } from '../../../protocol/keys.js';
import { main } from '../../../authority/cli/main.js';
import { apiPaths } from '../../../protocol/api.js';
import { writeBundle } from '../../../protocol/bundle.js';
import { ReceiptFile, verifyReceipt } from '../../../protocol/receipt.js';
import { recordStatusDocument } from '../../../protocol/record-status.js';
import { signSlip, type SlipFields } from '../../../protocol/slip-payload.js';
import { newKioskKeys, sealSample } from '../../unit/authority/sealing-fixtures.js';
import { POSTGRES_MISSING, startPostgres, STORAGE_BACKENDS, type TestPostgres } from '../../../tools/postgres/throwaway-postgres.js';
import { TestKiosk } from './test-kiosk.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-authority-cli-'));
  delete process.env.GATEHOUSE_AUTHORITY_DATA;
  delete process.env.GATEHOUSE_AUTHORITY_DATABASE;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs one command to its end. */
async function cli(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(['node', 'gatehouse-authority', ...args], {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    untilStopped: () => Promise.reject(new Error('only serve waits to be stopped')),
  });
  return { code, out, err };
}

/** Starts `serve`; resolves once it printed `ready <url>`. */
async function serve(...args: string[]): Promise<{ url: string; stop(): Promise<Run> }> {
  let out = '';
  let err = '';
  let stop!: () => void;
  let ready!: (url: string) => void;
  const readyUrl = new Promise<string>((resolve) => (ready = resolve));
  const exited = main(['node', 'gatehouse-authority', 'serve', '--port', '0', ...args], {
    out(text) {
      out += text;
      const match = /^ready (\S+)$/m.exec(out);
      if (match) ready(match[1]!);
    },
    err: (text) => void (err += text),
    untilStopped: () => new Promise((resolve) => (stop = resolve)),
  });
  const url = await Promise.race([readyUrl, exited.then((code) => Promise.reject(new Error(`serve exited ${code}: ${err}`)))]);
  return { url, stop: async () => (stop(), { code: await exited, out, err }) };
}

const realClock = () => new Date();

describe.each(STORAGE_BACKENDS)('gatehouse-authority on $backend', ({ backend, available }) => {
  if (!available) {
    it.skip(POSTGRES_MISSING, () => {});
    return;
  }

  let postgres: TestPostgres | undefined;
  afterAll(async () => postgres?.stop());
  /** The global options naming this test's store. */
  let store: string[];
  beforeEach(async () => {
    store = ['--data', dir];
    if (backend === 'PostgreSQL') {
      postgres ??= await startPostgres();
      store.push('--database', await postgres.createDatabase());
    }
    expect((await cli(...store, 'keys', 'init')).code).toBe(0);
  });

  it('serves on loopback after printing ready, registers with a one-time token and stops when told', async () => {
    const server = await serve(...store);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await cli(...store, 'token', 'create', '--ttl', '600', '--json');
    const { token, expiresAt } = JSON.parse(created.out) as { token: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(590_000);
    const kiosk = await TestKiosk.register(server.url, token, realClock);
    await expect(TestKiosk.register(server.url, token, realClock)).rejects.toThrow(/401.*TOKEN_USED/);
    const sealed = kiosk.seal();
    expect((await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes)).status).toBe(201);
    const stopped = await server.stop();
    expect(stopped.code).toBe(0);
    // Standard error holds the request log (authority-tls.test.ts), and no failure.
    expect(stopped.err.trim().split('\n').map((line) => (JSON.parse(line) as { level: string }).level)).not.toContain('error');
    await expect(fetch(`${server.url}${apiPaths.kiosks}`)).rejects.toThrow();
  });

  it('keeps its key-encryption key in a 0600 file and refuses one others can read', async () => {
    expect((await cli(...store, 'token', 'create')).out).toMatch(/^ght_[A-Za-z0-9_-]{32}\n$/);
    expect((await stat(join(dir, DEFAULT_KEK_FILE))).mode & 0o777).toBe(0o600);
    await chmod(join(dir, DEFAULT_KEK_FILE), 0o644);
    const refused = await cli(...store, 'records', '--json');
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.err)).toMatchObject({ error: { code: 'KEY_FILE_EXPOSED' } });
  });

  it('creates its keys once, shows their public halves, and opens them with its key-encryption key only', async () => {
    expect(await cli(...store, 'keys', 'init')).toMatchObject({ code: 2, err: expect.stringContaining('(AUTHORITY_KEYS_EXIST)') });
    const shown = JSON.parse((await cli(...store, 'keys', 'show', '--json')).out) as { purpose: string; generation: number; keyId: string }[];
    expect(shown.map((key) => [key.generation, key.purpose]).sort()).toEqual([[1, 'sealing'], [1, 'signing'], [1, 'update']]);
    expect(JSON.stringify(shown)).not.toMatch(/protected|private/i);
    const other = join(dir, 'other-kek');
    await writeFile(other, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const refused = await cli(...store, '--kek-file', other, 'token', 'create', '--json');
    expect(JSON.parse(refused.err)).toMatchObject({ error: { code: 'AUTHORITY_KEK_WRONG' } });
    const server = await serve(...store);
    const kiosk = await TestKiosk.register(server.url, (await cli(...store, 'token', 'create')).out.trim(), realClock);
    expect(kiosk.pinned.signingKeyId).toBe(shown.find((key) => key.purpose === 'signing')!.keyId);
    await server.stop();
  });

  it('rotates: the station configuration announces the next keys, which take over after the overlap; envelopes sealed to either open', async () => {
    const server = await serve(...store);
    const kiosk = await TestKiosk.register(server.url, (await cli(...store, 'token', 'create')).out.trim(), realClock);
    expect(await cli(...store, 'keys', 'rotate', '--overlap', '0')).toMatchObject({ code: 2, err: expect.stringContaining('(CLI_INVALID_OPTIONS)') });
    const rotated = JSON.parse((await cli(...store, 'keys', 'rotate', '--overlap', '7', '--json')).out) as { keys: { purpose: string; keyId: string; publicKey: string; activeFrom: string }[] };
    expect(await cli(...store, 'keys', 'rotate', '--overlap', '7')).toMatchObject({ code: 2, err: expect.stringContaining('(AUTHORITY_ROTATION_PENDING)') });
    const next = Object.fromEntries(rotated.keys.map((key) => [key.purpose, key]));
    const config = (await kiosk.send('GET', apiPaths.stationConfig)).body as { authorityKeyId: string; settings: Record<string, unknown> };
    expect(config.authorityKeyId).toBe(kiosk.pinned.signingKeyId);
    expect(config.settings[NEXT_KEYS_SETTING]).toEqual({
      signingKeyId: next.signing!.keyId, signingPublicKey: next.signing!.publicKey,
      sealingKeyId: next.sealing!.keyId, sealingPublicKey: next.sealing!.publicKey, takesOverAt: next.signing!.activeFrom,
    });
    expect(Date.parse(next.signing!.activeFrom) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const file = join(dir, 'settings.json');
    await writeFile(file, JSON.stringify({ [NEXT_KEYS_SETTING]: {} }));
    expect(await cli(...store, 'config', 'set', file)).toMatchObject({ code: 2, err: expect.stringContaining('(SETTING_RESERVED)') });
    // The running replica opens envelopes sealed to the old key and to the announced one.
    const toOld = kiosk.seal();
    const toNext = sealSample(kiosk.keys, decodePublicKey('x25519', next.sealing!.publicKey));
    expect((await kiosk.send('PUT', apiPaths.record(toOld.recordId), toOld.bytes)).status).toBe(201);
    expect((await kiosk.send('PUT', apiPaths.record(toNext.recordId), toNext.bytes)).status).toBe(201);
    await server.stop();
  });

  it('revokes a kiosk, lists what is held, and publishes documents', async () => {
    const server = await serve(...store);
    const kiosk = await TestKiosk.register(server.url, (await cli(...store, 'token', 'create')).out.trim(), realClock);
    const sealed = kiosk.seal();
    await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes);

    const listed = JSON.parse((await cli(...store, 'records', '--json')).out);
    expect(listed).toEqual({
      records: [expect.objectContaining({ recordId: sealed.recordId, kioskId: kiosk.keys.id, digest: sealed.digest, size: sealed.size, kind: 'person-enrollment' })],
      counts: { records: 1, kiosks: 1, revokedKiosks: 0, openUploads: 0, checkpoints: 0 },
    });

    await writeFile(join(dir, 'operators.json'), JSON.stringify([{ name: 'Officer Krause', role: 'officer', active: true }]));
    expect((await cli(...store, 'operators', 'set', join(dir, 'operators.json'))).out).toBe('published operator list version 2\n');
    expect((await kiosk.send('GET', apiPaths.operators)).body).toMatchObject({ version: 2, operators: [{ name: 'Officer Krause' }] });
    await writeFile(join(dir, 'config.json'), '{"idleTimeoutSeconds": "soon"');
    expect(await cli(...store, 'config', 'set', join(dir, 'config.json'))).toMatchObject({ code: 2, err: expect.stringContaining('CLI_FILE_UNREADABLE') });

    expect(await cli(...store, 'kiosk', 'revoke', kiosk.keys.id)).toMatchObject({ code: 0, out: `revoked kiosk ${kiosk.keys.id}\n` });
    expect((await kiosk.send('GET', apiPaths.record(sealed.recordId))).status).toBe(403);
    expect((await cli(...store, 'kiosk', 'list')).out).toContain(`${kiosk.keys.id}`);
    const unknown = await cli(...store, 'kiosk', 'revoke', randomUUID());
    expect(unknown).toMatchObject({ code: 2, err: expect.stringMatching(/^gatehouse-authority: No kiosk .* \(KIOSK_NOT_FOUND\)\n$/) });
    await server.stop();
  });

  it('lists kiosks with their codes, decides on a record by its number, and the kiosk pulls the decision', async () => {
    const server = await serve(...store);
    const kiosk = await TestKiosk.register(server.url, (await cli(...store, 'token', 'create')).out.trim(), realClock, 'Town Hall 1');
    expect((await cli(...store, 'kiosk', 'list')).out).toMatch(new RegExp(`^0001  ${kiosk.keys.id}  \\S+  active  Town Hall 1\n$`));
    expect(JSON.parse((await cli(...store, 'kiosk', 'list', '--json')).out)).toEqual([expect.objectContaining({ id: kiosk.keys.id, code: '0001' })]);
    const number = kiosk.number(1);
    const sealed = kiosk.seal({ number });
    expect((await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes)).status).toBe(201);
    const unnumbered = kiosk.seal();
    await kiosk.send('PUT', apiPaths.record(unnumbered.recordId), unnumbered.bytes);
    expect(JSON.parse((await cli(...store, 'records', '--json')).out).records).toEqual([
      expect.objectContaining({ recordId: sealed.recordId, number, state: 'received' }),
      expect.objectContaining({ recordId: unnumbered.recordId, number: null, state: 'received' }),
    ]);

    const status = JSON.parse((await cli(...store, 'status', number, '--json')).out);
    expect(status).toEqual({
      number, recordId: sealed.recordId, kioskId: kiosk.keys.id, kioskCode: '0001', kioskName: 'Town Hall 1', kind: 'person-enrollment',
      receivedAt: expect.any(String), state: 'received', reason: null, decidedAt: null,
      history: [{ seq: 1, state: 'received', reason: null, at: status.receivedAt }],
    });
    const mistyped = `${number.slice(0, 15)}${number[15] === '7' ? '8' : '7'}${number.slice(16)}`;
    expect(await cli(...store, 'status', mistyped)).toMatchObject({ code: 2, err: expect.stringMatching(/mistyped.*\(NUMBER_CHECK_FAILED\)\n$/) });
    expect(await cli(...store, 'decide', mistyped, 'accepted')).toMatchObject({ code: 2, err: expect.stringContaining('(NUMBER_CHECK_FAILED)') });
    const unknown = await cli(...store, 'decide', kiosk.number(9), 'accepted', '--json');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.err)).toMatchObject({ error: { code: 'RECORD_NUMBER_UNKNOWN', details: { number: kiosk.number(9) } } });
    expect(await cli(...store, 'decide', number, 'rejected')).toMatchObject({ code: 2, err: expect.stringContaining('(DECISION_REASON_REQUIRED)') });
    expect(await cli(...store, 'decide', number, 'accepted', '--reason', 'fine')).toMatchObject({ code: 2, err: expect.stringContaining('(DECISION_REASON_UNEXPECTED)') });
    expect((await cli(...store, 'decide', number, 'received')).code).toBe(2);
    expect((await cli(...store, 'decide', number)).code).toBe(2);

    const typedLoosely = number.toLowerCase().replace(/-/g, ' ');
    expect(await cli(...store, 'decide', typedLoosely, 'in-review', '--reason', 'Second look at the portrait')).toMatchObject({ code: 0, out: `${number}: in-review (Second look at the portrait)\n` });
    expect(await cli(...store, 'decide', number, 'accepted')).toMatchObject({ code: 0, out: `${number}: accepted\n` });
    expect(await cli(...store, 'decide', number, 'accepted')).toMatchObject({ code: 0, out: `${number}: already accepted; nothing changed\n` });
    expect(await cli(...store, 'decide', number, 'in-review')).toMatchObject({ code: 2, err: expect.stringContaining('(DECISION_NOT_ALLOWED)') });
    const corrected = await cli(...store, 'decide', number, 'rejected', '--reason', 'The document is not genuine.', '--json');
    expect(JSON.parse(corrected.out)).toMatchObject({ changed: true, state: 'rejected', reason: 'The document is not genuine.' });

    const decided = JSON.parse((await cli(...store, 'status', number, '--json')).out);
    expect(decided.history.map((c: { state: string }) => c.state)).toEqual(['received', 'in-review', 'accepted', 'rejected']);
    expect(decided.decidedAt).toBe(decided.history[3].at);
    expect((await cli(...store, 'status', number)).out).toContain('rejected: The document is not genuine. (decided ');
    expect(JSON.parse((await cli(...store, 'records', '--json')).out).records[0]).toMatchObject({ number, state: 'rejected' });

    const pulled = recordStatusDocument.verify((await kiosk.send('GET', apiPaths.recordStatus(1))).body, kiosk.authoritySigningKey);
    expect(pulled.ok && pulled.document.changes.map((c) => [c.number, c.state, c.reason])).toEqual([
      [null, 'received', null],
      [number, 'in-review', 'Second look at the portrait'], [number, 'accepted', null], [number, 'rejected', 'The document is not genuine.'],
    ]);
    const help = await cli(...store, 'decide', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('never goes back to in-review');
    await server.stop();
  });

  it('verifies a slip only when a registered, unrevoked kiosk signed it for a record held with that digest', async () => {
    const server = await serve(...store);
    const token = async () => (await cli(...store, 'token', 'create')).out.trim();
    const kiosk = await TestKiosk.register(server.url, await token(), realClock, 'Town Hall 1');
    const other = await TestKiosk.register(server.url, await token(), realClock, 'Town Hall 2');
    const sealed = kiosk.seal({ number: kiosk.number(1) });
    await kiosk.send('PUT', apiPaths.record(sealed.recordId), sealed.bytes);
    const theirs = other.seal({ number: other.number(1) });
    await other.send('PUT', apiPaths.record(theirs.recordId), theirs.bytes);
    await server.stop();

    const fields: SlipFields = { n: kiosk.number(1), d: sealed.digest, k: kiosk.keys.id, t: '2025-03-01T12:00:00.000Z' };
    const slip = signSlip(fields, kiosk.keys.signing.privateKey);
    const genuine = await cli(...store, 'slip', 'verify', slip, '--json');
    expect(genuine.code).toBe(0);
    expect(JSON.parse(genuine.out)).toEqual({
      genuine: true, number: fields.n, digest: sealed.digest, kioskId: kiosk.keys.id, sealedAt: fields.t,
      recordId: sealed.recordId, kioskCode: '0001', kioskName: 'Town Hall 1', state: 'received', checkedAt: expect.any(String),
    });
    expect(await cli(...store, 'slip', 'verify', slip)).toMatchObject({ code: 0, out: expect.stringMatching(/^genuine: .* kiosk 0001 \(Town Hall 1\); record .* is received\n$/) });

    const document = JSON.parse(Buffer.from(slip.slice(5), 'base64url').toString('utf8'));
    const tampered = `GHS1:${Buffer.from(JSON.stringify({ ...document, t: '2025-03-02T12:00:00.000Z' })).toString('base64url')}`;
    const stranger = newKioskKeys();
    const notGenuine: Array<[string, string]> = [
      ['hello', 'SLIP_MALFORMED'],
      [tampered, 'SLIP_SIGNATURE_INVALID'],
      [signSlip(fields, other.keys.signing.privateKey), 'SLIP_SIGNATURE_INVALID'],
      [signSlip({ ...fields, k: stranger.id }, stranger.signing.privateKey), 'SLIP_KIOSK_UNKNOWN'],
      [signSlip({ ...fields, n: kiosk.number(2) }, kiosk.keys.signing.privateKey), 'SLIP_NUMBER_UNKNOWN'],
      [signSlip({ ...fields, n: other.number(1), d: theirs.digest }, kiosk.keys.signing.privateKey), 'SLIP_NUMBER_UNKNOWN'],
      [signSlip({ ...fields, d: theirs.digest }, kiosk.keys.signing.privateKey), 'SLIP_DIGEST_MISMATCH'],
    ];
    for (const [payload, code] of notGenuine) {
      const verdict = await cli(...store, 'slip', 'verify', payload, '--json');
      expect({ code: verdict.code, verdict: JSON.parse(verdict.out) }, code).toMatchObject({ code: 1, verdict: { genuine: false, code, message: expect.any(String) } });
    }
    expect(JSON.parse((await cli(...store, 'slip', 'verify', tampered, '--json')).out).slip).toEqual({ number: fields.n, digest: sealed.digest, kioskId: kiosk.keys.id, sealedAt: '2025-03-02T12:00:00.000Z' });
    expect(await cli(...store, 'slip', 'verify', tampered)).toMatchObject({ code: 1, out: expect.stringMatching(/^NOT genuine: .*\(SLIP_SIGNATURE_INVALID\)\n$/) });

    expect((await cli(...store, 'kiosk', 'revoke', kiosk.keys.id)).code).toBe(0);
    const revoked = await cli(...store, 'slip', 'verify', slip, '--json');
    expect({ code: revoked.code, verdict: JSON.parse(revoked.out) }).toMatchObject({ code: 1, verdict: { genuine: false, code: 'SLIP_KIOSK_REVOKED' } });

    expect((await cli(...store, 'slip', 'verify')).code).toBe(2);
    expect((await cli(...store, 'slip', 'verify', slip, '--bogus')).code).toBe(2);
  });

  it('takes enrollment numbers in with a bundle and refuses a number of another kiosk', async () => {
    const server = await serve(...store);
    const kiosk = await TestKiosk.register(server.url, (await cli(...store, 'token', 'create')).out.trim(), realClock);
    await server.stop();
    const own = kiosk.seal({ number: kiosk.number(1) });
    const foreign = kiosk.seal({ number: new TestKiosk(server.url, kiosk.keys, kiosk.pinned, realClock, '0002').number(1) });
    const file = join(dir, 'numbers.ghbundle');
    await writeBundle(file, {
      bundleId: randomUUID(), kioskId: kiosk.keys.id, createdAt: new Date().toISOString(), kioskSigningPrivateKey: kiosk.keys.signing.privateKey,
      records: [own, foreign].map(({ recordId, size, digest }) => ({ recordId, size, digest })),
      readEnvelope: (id) => [own, foreign].find((s) => s.recordId === id)!.bytes,
    });
    const imported = await cli(...store, 'bundle', 'import', file, '--json');
    expect(imported.code).toBe(1);
    expect(JSON.parse(imported.out)).toMatchObject({ stored: 1, refused: [{ recordId: foreign.recordId, code: 'RECORD_NUMBER_FOREIGN' }] });
    expect(JSON.parse((await cli(...store, 'status', kiosk.number(1), '--json')).out)).toMatchObject({ recordId: own.recordId, state: 'received' });
  });

  it('imports a bundle idempotently and writes receipts the kiosk verifies', async () => {
    const server = await serve(...store);
    const kiosk = await TestKiosk.register(server.url, (await cli(...store, 'token', 'create')).out.trim(), realClock);
    const sealed = [0, 1, 2].map(() => kiosk.seal({ partBytes: 2000 }));
    await kiosk.send('PUT', apiPaths.record(sealed[0]!.recordId), sealed[0]!.bytes); // already delivered online
    await server.stop();

    const file = join(dir, 'export.ghbundle');
    const exported = { bundleId: randomUUID(), kioskId: kiosk.keys.id, createdAt: new Date().toISOString(), kioskSigningPrivateKey: kiosk.keys.signing.privateKey };
    await writeBundle(file, {
      ...exported,
      records: sealed.map(({ recordId, size, digest }) => ({ recordId, size, digest })),
      readEnvelope: (id) => sealed.find((s) => s.recordId === id)!.bytes,
    });
    const receiptsFile = join(dir, 'receipts.json');
    const first = await cli(...store, 'bundle', 'import', file, '--receipts', receiptsFile, '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ bundleId: exported.bundleId, stored: 2, duplicates: 1, refused: [] });
    const receipts = ReceiptFile.parse(JSON.parse(await readFile(receiptsFile, 'utf8')));
    expect(receipts.bundleId).toBe(exported.bundleId);
    expect(receipts.receipts.map((receipt) => {
      const record = sealed.find((s) => s.recordId === receipt.recordId)!;
      return verifyReceipt(receipt, kiosk.authoritySigningKey, { recordId: record.recordId, digest: record.digest, kioskId: kiosk.keys.id }).ok;
    })).toEqual([true, true, true]);

    const again = await cli(...store, 'bundle', 'import', file);
    expect(again).toMatchObject({ code: 0, out: `bundle ${exported.bundleId} from kiosk ${kiosk.keys.id}: 0 stored, 3 already held, 0 refused\n` });
    expect(JSON.parse((await cli(...store, 'records', '--json')).out).counts.records).toBe(3);

    const forged = sealSample({ ...newKioskKeys(kiosk.keys.id) }, kiosk.authoritySealingKey);
    await writeBundle(file, {
      ...exported,
      bundleId: randomUUID(),
      records: [{ recordId: forged.recordId, size: forged.size, digest: forged.digest }],
      readEnvelope: () => forged.bytes,
    });
    const refused = await cli(...store, 'bundle', 'import', file, '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toMatchObject({ stored: 0, refused: [{ recordId: forged.recordId, code: 'ENVELOPE_SIGNATURE_INVALID' }] });

    const stranger = newKioskKeys();
    await writeBundle(file, { ...exported, kioskId: stranger.id, kioskSigningPrivateKey: stranger.signing.privateKey, records: [], readEnvelope: () => new Uint8Array() });
    expect(await cli(...store, 'bundle', 'import', file)).toMatchObject({ code: 2, err: expect.stringContaining('(KIOSK_UNKNOWN)') });
    expect(JSON.parse((await cli(...store, 'records', '--json')).out).counts.records).toBe(3);
  });
});

describe('gatehouse-authority keys', () => {
  const legacyKeyFiles = async (folder: string) => {
    const pairs = { signing: generateSigningKeyPair(), sealing: generateSealingKeyPair(), update: generateSigningKeyPair() };
    for (const [purpose, pair] of Object.entries(pairs)) {
      await writeFile(join(folder, LEGACY_KEY_FILES[purpose as keyof typeof LEGACY_KEY_FILES]), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    }
    return keyIdOf(pairs.signing.publicKey);
  };

  it('never makes keys implicitly: serve and token create on a store without keys say to run keys init', async () => {
    for (const command of [['serve', '--port', '0'], ['token', 'create']]) {
      expect(await cli('--data', dir, ...command)).toMatchObject({ code: 2, err: expect.stringMatching(/run "gatehouse-authority keys init" once.*\(AUTHORITY_KEYS_MISSING\)/) });
    }
    expect(JSON.parse((await cli('--data', dir, 'keys', 'show', '--json')).out)).toEqual([]);
  });

  it('moves the key files of an older authority into the store once; a folder holding other key files is refused with both key ids', async () => {
    const signingKeyId = await legacyKeyFiles(dir);
    expect(await cli('--data', dir, 'keys', 'init')).toMatchObject({ code: 2, err: expect.stringContaining('(AUTHORITY_KEY_FILES_PRESENT)') });
    const imported = JSON.parse((await cli('--data', dir, 'keys', 'import', '--json')).out) as { keys: { purpose: string; keyId: string }[]; kekFile: string };
    expect(imported.keys.find((key) => key.purpose === 'signing')!.keyId).toBe(signingKeyId);
    expect(imported.kekFile).toBe(join(dir, DEFAULT_KEK_FILE));
    expect(Object.keys(await readLegacyKeyFiles(dir))).toEqual([]);
    expect(await cli('--data', dir, 'keys', 'import')).toMatchObject({ code: 2, err: expect.stringContaining('(AUTHORITY_KEYS_EXIST)') });
    expect(await cli('--data', join(dir, 'fresh'), 'keys', 'import', '--from', dir)).toMatchObject({ code: 2, err: expect.stringContaining('(AUTHORITY_KEY_FILES_INCOMPLETE)') });

    const stray = await legacyKeyFiles(dir);
    const refused = await cli('--data', dir, 'token', 'create', '--json');
    expect(JSON.parse(refused.err)).toMatchObject({ error: { code: 'AUTHORITY_KEYS_MISMATCH', details: { purpose: 'signing', folderKeyId: stray, storeKeyId: signingKeyId } } });
    expect(refused.err).toContain(stray);
    expect(refused.err).toContain(signingKeyId);
  });
});

describe('gatehouse-authority options', () => {
  it('asks for a data directory', async () => {
    expect(await cli('records')).toMatchObject({ code: 2, err: expect.stringContaining('--data DIR') });
  });

  it('refuses a --database that is not a postgres:// URL, and a bad port or ttl', async () => {
    expect(await cli('--data', dir, '--database', 'mysql://x', 'records')).toMatchObject({ code: 2, err: expect.stringContaining('DATABASE_URL_INVALID') });
    expect(await cli('--data', dir, 'serve', '--port', '70000')).toMatchObject({ code: 2, err: expect.stringContaining('CLI_INVALID_OPTIONS') });
    expect(await cli('--data', dir, 'token', 'create', '--ttl', '0')).toMatchObject({ code: 2, err: expect.stringContaining('CLI_INVALID_OPTIONS') });
  });
});
