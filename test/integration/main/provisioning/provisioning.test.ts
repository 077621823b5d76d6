// Provisioning against the real authority: keys generated on the kiosk, registration with a
// one-time token, the authority keys pinned, keys and identity committed together in the
// encrypted store; refusals store nothing; two registrations at once are one registration
// (issue 12, finding 1); a key file from an older build is imported, a swapped or missing one
// refuses to sign; a running kiosk picks up an identity another process (the CLI) stored in its
// files. Also through the technician's RPC.

import { once } from 'node:events';
import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePublicKey, generateSealingKeyPair, generateSigningKeyPair, keyIdOf } from '../../../../protocol/keys.js';
import { FileKeyVault, type KioskKeys } from '../../../../main/provisioning/key-vault.js';
import {
  insertIdentity, loadCredentials, readIdentity, type KioskCredentials, type KioskIdentity,
} from '../../../../main/provisioning/kiosk-credentials.js';
import { Provisioning, registerWithAuthority } from '../../../../main/provisioning/provisioning.js';
import { openKioskDatabase, type Db } from '../../../../main/store/database.js';
import { auditRowsAfter, openKioskHarness, outputOf, type KioskHarness } from '../../../fixtures/kiosk-harness.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';

let h: Harness;
let dataDir: string;
let db: Db;
beforeEach(async () => {
  h = await startHarness();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-provision-'));
  db = openKioskDatabase(dataDir);
});
afterEach(async () => {
  db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  await h.close();
});

const commitPlain = (store: () => KioskIdentity) => db.transaction(store)();

/** An identity and its keys registered with the authority by another store (nothing stored here). */
async function registeredElsewhere(): Promise<{ identity: KioskIdentity; keys: KioskKeys }> {
  return registerWithAuthority({ authorityUrl: h.url, token: await h.token(), name: 'Hall A' }, h.now);
}

describe('Provisioning', () => {
  it('registers keys generated here and pins the authority keys', async () => {
    const vault = new FileKeyVault(dataDir);
    const provisioning = new Provisioning(db, vault, h.now);
    expect(provisioning.status()).toMatchObject({ provisioned: false, kioskId: null, fingerprints: null });
    const status = await provisioning.register({ authorityUrl: `${h.url}/`, token: await h.token(), name: 'Hall A' }, commitPlain);

    const published = h.authority.keys.published;
    const kiosk = (await h.authority.repository.listKiosks())[0]!;
    const credentials = provisioning.require();
    expect(status).toEqual({
      provisioned: true, kioskId: kiosk.id, name: 'Hall A', authorityUrl: h.url, registeredAt: kiosk.registeredAt,
      fingerprints: {
        kioskSigning: keyIdOf(credentials.keys.signing.publicKey), kioskSealing: keyIdOf(credentials.keys.sealing.publicKey),
        authoritySigning: published.signingKeyId, authoritySealing: published.sealingKeyId,
      },
    });
    expect(kiosk.signingPublicKey).toBe(encodePublicKey(credentials.keys.signing.publicKey));
    expect(kiosk.sealingPublicKey).toBe(encodePublicKey(credentials.keys.sealing.publicKey));
    expect(readIdentity(db)?.authority).toEqual(published);
    // The private keys are in the store, beside the identity, and no longer in a key file;
    // the store is encrypted, so neither its file nor its WAL shows them.
    expect(fs.existsSync(vault.file)).toBe(false);
    const pem = credentials.keys.signing.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(db.prepare('SELECT signing_private_key FROM kiosk_identity').pluck().get()).toBe(pem);
    const privateBytes = credentials.keys.signing.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
    for (const file of ['gatehouse.sqlite', 'gatehouse.sqlite-wal']) {
      const bytes = fs.readFileSync(path.join(dataDir, file));
      expect(bytes.includes(privateBytes) || bytes.includes(Buffer.from(pem.split('\n')[1]!))).toBe(false);
    }
    expect(loadCredentials(db, vault)?.identity.kioskId).toBe(kiosk.id);
  });

  it('registers once: a second attempt is refused before the authority is asked', async () => {
    const provisioning = new Provisioning(db, new FileKeyVault(dataDir), h.now);
    await provisioning.register({ authorityUrl: h.url, token: await h.token(), name: 'Hall A' }, commitPlain);
    const token = await h.token();
    await expect(provisioning.register({ authorityUrl: h.url, token, name: 'Hall A' }, commitPlain))
      .rejects.toMatchObject({ code: 'PROVISIONING_ALREADY_DONE' });
    expect(await h.authority.repository.listKiosks()).toHaveLength(1);
  });

  it('stores nothing when the authority refuses the token or the address is wrong', async () => {
    const vault = new FileKeyVault(dataDir);
    const provisioning = new Provisioning(db, vault, h.now);
    await expect(provisioning.register({ authorityUrl: h.url, token: 'ght_unknown', name: 'Hall A' }, commitPlain))
      .rejects.toMatchObject({ code: 'TOKEN_UNKNOWN', status: 401, message: expect.stringContaining('not known here') });
    await expect(provisioning.register({ authorityUrl: 'ftp://authority', token: 't', name: 'Hall A' }, commitPlain))
      .rejects.toMatchObject({ code: 'PROVISIONING_URL_INVALID' });
    await expect(provisioning.register({ authorityUrl: 'http://127.0.0.1:9', token: 't', name: 'Hall A' }, commitPlain))
      .rejects.toMatchObject({ code: 'AUTHORITY_UNREACHABLE' });
    expect(readIdentity(db)).toBeNull();
    expect(fs.existsSync(vault.file)).toBe(false);
    expect(db.prepare('SELECT count(*) FROM provisioning_lease').pluck().get()).toBe(0);
    // The lease was given back: a good token registers at once.
    await provisioning.register({ authorityUrl: h.url, token: await h.token(), name: 'Hall A' }, commitPlain);
    expect(provisioning.credentials).not.toBeNull();
  });

  it('refuses an answer whose keys do not match their ids', async () => {
    const signing = generateSigningKeyPair().publicKey;
    const sealing = generateSealingKeyPair().publicKey;
    const impostor = createServer((_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({
        kioskId: '7d5e9f3c-1b2a-4c3d-8e9f-0a1b2c3d4e5f', code: 'HALA', name: 'Hall A', registeredAt: '2025-03-01T12:00:00.000Z',
        authority: { signingKeyId: keyIdOf(sealing), signingPublicKey: encodePublicKey(signing), sealingKeyId: keyIdOf(sealing), sealingPublicKey: encodePublicKey(sealing) },
      }));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const provisioning = new Provisioning(db, new FileKeyVault(dataDir), h.now);
      await expect(provisioning.register({ authorityUrl: `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`, token: 't', name: 'Hall A' }, commitPlain))
        .rejects.toMatchObject({ code: 'AUTHORITY_KEYS_INCONSISTENT' });
      expect(readIdentity(db)).toBeNull();
    } finally {
      impostor.close();
    }
  });

  it('imports the key file of a kiosk provisioned before the keys moved into the store, once, and deletes it', async () => {
    const vault = new FileKeyVault(dataDir);
    const { identity, keys } = await registeredElsewhere();
    insertIdentity(db, identity); // what schema 12 finds: an identity row without keys
    vault.save(keys);
    const credentials = new Provisioning(db, vault, h.now).require();
    expect(credentials.identity.kioskId).toBe(identity.kioskId);
    expect(fs.existsSync(vault.file)).toBe(false);
    expect(new Provisioning(db, vault, h.now).require().identity.kioskId).toBe(identity.kioskId);
  });

  it('will not sign with a key file that is missing or belongs to another kiosk', async () => {
    const vault = new FileKeyVault(dataDir);
    const { identity } = await registeredElsewhere();
    insertIdentity(db, identity);
    vault.save({ signing: generateSigningKeyPair(), sealing: generateSealingKeyPair() });
    expect(() => new Provisioning(db, vault)).toThrow(expect.objectContaining({ code: 'KEY_VAULT_MISMATCH', message: expect.stringContaining('provision --recover') }));
    expect(fs.existsSync(vault.file)).toBe(true); // a file that does not fit is never deleted
    fs.rmSync(vault.file);
    expect(() => new Provisioning(db, vault)).toThrow(expect.objectContaining({ code: 'KEY_VAULT_EMPTY' }));
  });

  describe('an identity stored by another process on the same files (`gatehouse provision` while the kiosk runs)', () => {
    let cliDb: Db;
    beforeEach(() => { cliDb = openKioskDatabase(dataDir); });
    afterEach(() => cliDb.close());

    const registerElsewhere = async () => new Provisioning(cliDb, new FileKeyVault(dataDir), h.now)
      .register({ authorityUrl: h.url, token: await h.token(), name: 'Hall A' }, (store) => cliDb.transaction(store)());

    it('is picked up by refresh(), which announces it once with "provisioned"', async () => {
      const running = new Provisioning(db, new FileKeyVault(dataDir), h.now);
      const announced: KioskCredentials[] = [];
      running.on('provisioned', (credentials) => announced.push(credentials));
      expect(running.refresh()).toBeNull();
      expect(announced).toEqual([]);

      const stored = await registerElsewhere();
      expect(running.credentials).toBeNull();
      const credentials = running.refresh();
      expect(credentials?.identity.kioskId).toBe(stored.kioskId);
      expect(announced).toEqual([credentials]);
      expect(running.require()).toBe(credentials);
      expect(running.status()).toEqual(stored);

      expect(running.refresh()).toBe(credentials);
      expect(announced).toHaveLength(1);
    });

    it('is picked up by watch() on its own', async () => {
      const running = new Provisioning(db, new FileKeyVault(dataDir), h.now);
      const errors: unknown[] = [];
      const timer = running.watch(5, (error) => errors.push(error));
      try {
        const announced = once(running, 'provisioned');
        const stored = await registerElsewhere();
        const [credentials] = (await announced) as [KioskCredentials];
        expect(credentials.identity.kioskId).toBe(stored.kioskId);
        expect(errors).toEqual([]);
      } finally {
        clearInterval(timer);
      }
    });
  });
});

describe('provisioning over RPC', () => {
  let kh: KioskHarness;
  beforeEach(async () => { kh = await openKioskHarness({ now: h.now, provisioned: false }); });
  afterEach(() => kh.close());

  it('lets a technician register the kiosk and audits it; the status shows the fingerprints to compare', async () => {
    const { screen } = await kh.loggedIn('technician');
    const before = auditRowsAfter(kh.kiosk, 0).length;
    expect(outputOf(await kh.call(screen, 'system.status'))).toMatchObject({ enrollmentBlocked: 'not-provisioned' });
    const status = outputOf<{ kioskId: string; fingerprints: { authoritySigning: string } }>(
      await kh.call(screen, 'provisioning.register', { authorityUrl: h.url, token: await h.token(), name: 'Hall B' }));
    expect(status.fingerprints.authoritySigning).toBe(h.authority.keys.published.signingKeyId);
    const written = auditRowsAfter(kh.kiosk, before);
    expect(written.map((r) => [r.action, JSON.parse(r.details)])).toEqual([['provisioning.register', { kioskId: status.kioskId, name: 'Hall B' }]]);
    expect(outputOf(await kh.call(screen, 'provisioning.status'))).toEqual(status);
    expect(kh.kiosk.provisioning.credentials?.identity.kioskId).toBe(status.kioskId);
    expect(outputOf(await kh.call(screen, 'system.status'))).toMatchObject({ enrollmentBlocked: null });
    const { screen: supervisor } = await kh.loggedIn('supervisor');
    expect(outputOf(await kh.call(supervisor, 'sync.status'))).toMatchObject({ state: 'idle', queueDepth: 0 });
  });
});
