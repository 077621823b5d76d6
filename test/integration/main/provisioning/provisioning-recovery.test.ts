// Recovering a kiosk whose keys and registration disagree (the state issue 12's finding 1 left
// kiosks in: identity of one registration, key file of another). A key file that matches — a
// backup — restores everything; without one a new registration makes the kiosk work again, the
// records the old identity never delivered written out sealed and kept. Through the API and
// through `gatehouse provision` (built CLI), which is also refused while another registers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePublicKey, generateSealingKeyPair, generateSigningKeyPair } from '../../../../protocol/keys.js';
import { openSealedRecord } from '../../../../protocol/sealed-record.js';
import { appendAudit } from '../../../../main/audit/audit-log.js';
import { silentLog } from '../../../../main/log.js';
import { FileKeyVault, type KioskKeys } from '../../../../main/provisioning/key-vault.js';
import { loadCredentials, readIdentity, type KioskIdentity } from '../../../../main/provisioning/kiosk-credentials.js';
import { takeProvisioningLease } from '../../../../main/provisioning/provisioning-lease.js';
import { recoverProvisioning, type RecoverInput, type RecoveryOutcome } from '../../../../main/provisioning/provisioning-recovery.js';
import { Provisioning } from '../../../../main/provisioning/provisioning.js';
import { openKioskDatabase, type Db } from '../../../../main/store/database.js';
import { listOutbox } from '../../../../main/store/outbox.js';
import { approveAndSeal } from '../../../../main/sync/record-sealer.js';
import { SyncService } from '../../../../main/sync/sync-service.js';
import { syntheticRecord } from '../../../../tools/records/synthetic-records.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';
import { runCli } from '../cli/run-cli.js';

let h: Harness;
let dataDir: string;
let db: Db;
let vault: FileKeyVault;
beforeEach(async () => {
  h = await startHarness();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-recover-'));
  db = openKioskDatabase(dataDir);
  vault = new FileKeyVault(dataDir);
});
afterEach(async () => {
  db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  await h.close();
});

const commit = (change: () => RecoveryOutcome) => db.transaction(() => {
  const done = change();
  appendAudit(db, { actor: 'test', action: 'provisioning.recover', details: { ...done } });
  return done;
}).immediate();
const recover = (input: RecoverInput) => recoverProvisioning(db, vault, input, commit, h.now);

/** A registered kiosk that sealed `records` records, then lost its keys: what finding 1 left (another kiosk's key file beside it). */
async function kioskThatLostItsKeys(records: number): Promise<{ identity: KioskIdentity; keys: KioskKeys; recordIds: string[] }> {
  const provisioning = new Provisioning(db, vault, h.now);
  await provisioning.register({ authorityUrl: h.url, token: await h.token(), name: 'Hall A' }, (store) => db.transaction(store)());
  const credentials = provisioning.require();
  const recordIds = Array.from({ length: records }, (_, i) => approveAndSeal(db, credentials, syntheticRecord(i, 'small'), 'test', h.now()).recordId);
  db.prepare('UPDATE kiosk_identity SET signing_private_key = NULL, sealing_private_key = NULL').run();
  vault.save({ signing: generateSigningKeyPair(), sealing: generateSealingKeyPair() });
  expect(() => new Provisioning(db, vault)).toThrow(expect.objectContaining({ code: 'KEY_VAULT_MISMATCH' }));
  return { identity: credentials.identity, keys: credentials.keys, recordIds };
}

async function syncsAll(): Promise<void> {
  const credentials = loadCredentials(db, vault)!;
  const sync = new SyncService({ db, credentials: () => credentials, log: silentLog, now: h.now, timeoutMs: 2_000 });
  try {
    await sync.runOnce();
  } finally {
    await sync.stop();
  }
}

describe('gatehouse provision --recover', () => {
  it('says what is possible when no key file matches, and refuses a backup of another kiosk', async () => {
    const { identity } = await kioskThatLostItsKeys(0);
    await expect(recover({})).rejects.toMatchObject({ code: 'RECOVERY_NEEDS_KEYS', details: { kioskId: identity.kioskId, undelivered: 0 } });
    const foreign = path.join(dataDir, 'foreign.json');
    fs.copyFileSync(vault.file, foreign);
    await expect(recover({ keyFile: foreign })).rejects.toMatchObject({ code: 'KEY_FILE_NOT_THIS_KIOSK' });
  });

  it('restores the keys from a matching backup: nothing is lost, the queued records are delivered', async () => {
    const { identity, keys, recordIds } = await kioskThatLostItsKeys(2);
    const backup = path.join(dataDir, 'backup.json');
    const backupVault = new FileKeyVault(fs.mkdtempSync(path.join(dataDir, 'backup-')));
    backupVault.save(keys);
    fs.copyFileSync(backupVault.file, backup);
    expect(await recover({ keyFile: backup })).toEqual({ how: 'key-file', kioskId: identity.kioskId, retiredKioskId: null, undelivered: 0, heldUnreadable: 0 });
    expect(loadCredentials(db, vault)?.identity.kioskId).toBe(identity.kioskId);
    await syncsAll();
    expect(listOutbox(db, { limit: 10 }).filter((row) => recordIds.includes(row.recordId)).map((row) => row.state)).toEqual(['accepted', 'accepted']);
    expect(await recover({})).toMatchObject({ how: 'nothing-to-recover' });
  });

  it('registers anew only when told where the undelivered records go; they are written sealed and stay on the kiosk', async () => {
    const { identity, recordIds } = await kioskThatLostItsKeys(2);
    const registration = { authorityUrl: h.url, token: await h.token(), name: 'Hall A' };
    await expect(recover({ newRegistration: registration })).rejects.toMatchObject({ code: 'RECOVERY_UNDELIVERED_RECORDS', details: { undelivered: 2 } });
    expect(await h.authority.repository.listKiosks()).toHaveLength(1); // refused before the authority was asked

    const usb = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-usb-'));
    const outcome = await recover({ newRegistration: { ...registration, undeliveredTo: usb } });
    expect(outcome).toMatchObject({ how: 'new-registration', retiredKioskId: identity.kioskId, undelivered: 2, heldUnreadable: 0 });
    expect(outcome.kioskId).not.toBe(identity.kioskId);
    expect(readIdentity(db)?.kioskId).toBe(outcome.kioskId);
    expect(db.prepare('SELECT kiosk_id, replaced_by FROM retired_kiosk_identities').get()).toEqual({ kiosk_id: identity.kioskId, replaced_by: outcome.kioskId });
    expect(db.prepare("SELECT action FROM audit ORDER BY seq DESC LIMIT 1").pluck().get()).toBe('provisioning.recover');
    // Each written envelope is the stored one, sealed to the authority and signed by the old kiosk key.
    for (const recordId of recordIds) {
      const written = fs.readFileSync(path.join(usb, identity.kioskId, `${recordId}.ghsealed`));
      expect(written.equals(db.prepare('SELECT envelope FROM sealed_payloads WHERE record_id = ?').pluck().get(recordId) as Buffer)).toBe(true);
      const opened = openSealedRecord(written, {
        authoritySealingPrivateKey: h.authority.keys.sealing.privateKey,
        kioskSigningPublicKey: decodePublicKey('ed25519', identity.signingPublicKey),
      });
      expect(opened.header).toMatchObject({ recordId, kioskId: identity.kioskId });
    }
    expect(listOutbox(db, { limit: 10 }).map((row) => row.recordId).sort()).toEqual([...recordIds].sort());
    fs.rmSync(usb, { recursive: true, force: true });
    // The kiosk works again under its new identity.
    const credentials = loadCredentials(db, vault)!;
    approveAndSeal(db, credentials, syntheticRecord(9, 'small'), 'test', h.now());
  });

  it('through the CLI: `provision` is refused while the kiosk registers, `provision --recover` restores a backup key file', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-fresh-'));
    const kiosk = openKioskDatabase(fresh);
    try {
      takeProvisioningLease(kiosk, 'register', new Date()); // a technician screen waiting for the authority
      const refused = await runCli(['--data', fresh, 'provision', '--authority', h.url, '--token', await h.token(), '--json']);
      expect(refused.code).toBe(2);
      expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'PROVISIONING_IN_PROGRESS' } });
      expect(await h.authority.repository.listKiosks()).toHaveLength(0);
    } finally {
      kiosk.close();
      fs.rmSync(fresh, { recursive: true, force: true });
    }

    const { identity, keys } = await kioskThatLostItsKeys(0);
    const backupVault = new FileKeyVault(fs.mkdtempSync(path.join(dataDir, 'backup-')));
    backupVault.save(keys);
    const run = await runCli(['--data', dataDir, 'provision', '--recover', '--key-file', backupVault.file, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ how: 'key-file', kioskId: identity.kioskId });
    expect(loadCredentials(db, vault)?.identity.kioskId).toBe(identity.kioskId);
  });
});
