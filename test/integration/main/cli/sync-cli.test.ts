// The provisioning and sync commands of the built `gatehouse` CLI against the real authority on
// loopback: provision, enroll --synthetic, queue (with the enrollments held for review), sync
// --once, export and receipts import, each printing JSON a script can rely on, and clear
// one-line errors when the kiosk is not ready.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundle } from '../../../../authority/bundle-import.js';
import { createOperator } from '../../../../main/auth/operator-repository.js';
import { hashPin } from '../../../../main/auth/pin-hash.js';
import { openKioskDatabase } from '../../../../main/store/database.js';
import { insertHeldEnrollment, STAND_IN_ENVELOPE } from '../../../fixtures/held-enrollments.js';
import { CHEAP_SCRYPT } from '../../../fixtures/kiosk-harness.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';
import { runCli, tempDataDir } from './run-cli.js';

let h: Harness;
let dataDir: string;
beforeAll(async () => {
  h = await startHarness();
  // The CLI signs with the real clock; bring the authority's to it.
  h.advance((Date.now() - h.now().getTime()) / 1000);
  dataDir = tempDataDir();
});
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await h.close();
});

const gatehouse = async (...args: string[]) => {
  const run = await runCli(['--data', dataDir, ...args]);
  return { ...run, json: run.stdout.trim() === '' ? undefined : JSON.parse(run.stdout) };
};

describe('gatehouse provisioning and sync commands', () => {
  it('refuses to seal or sync before provisioning, in one line', async () => {
    const enroll = await runCli(['--data', dataDir, 'enroll', '--synthetic', '2']);
    expect(enroll).toMatchObject({ code: 2, stdout: '' });
    expect(enroll.stderr).toBe('gatehouse: Records are sealed to the authority, so provision the kiosk first ("gatehouse provision"). (KIOSK_NOT_PROVISIONED)\n');
    expect(await gatehouse('sync', '--once', '--json')).toMatchObject({ code: 2, json: { error: { code: 'KIOSK_NOT_PROVISIONED' } } });
    expect(await gatehouse('sync', '--json')).toMatchObject({ code: 2, json: { error: { code: 'CLI_INVALID_OPTIONS' } } });
  });

  it('provisions, seals, shows the queue, syncs, exports and imports receipts', async () => {
    const provisioned = await gatehouse('provision', '--authority', h.url, '--token', await h.token(), '--name', 'Hall D', '--json');
    expect(provisioned).toMatchObject({ code: 0, json: { provisioned: true, name: 'Hall D', authorityUrl: h.url } });
    // The kiosk keys are in the encrypted store; the key file beside it holds the store's key.
    expect(fs.existsSync(path.join(dataDir, 'keys', 'kiosk-keys.json'))).toBe(false);
    expect(fs.statSync(path.join(dataDir, 'keys', 'database.key')).mode & 0o777).toBe(0o600);
    expect(await gatehouse('provision', '--authority', h.url, '--token', await h.token(), '--json'))
      .toMatchObject({ code: 2, json: { error: { code: 'PROVISIONING_ALREADY_DONE' } } });

    const enrolled = await gatehouse('enroll', '--synthetic', '3', '--json');
    expect(enrolled).toMatchObject({ code: 0, json: { queued: 3 } });
    expect(enrolled.json.bytes / 3).toBeGreaterThan(290_000);
    expect(enrolled.json.bytes / 3).toBeLessThan(310_000);
    const queue = await gatehouse('queue', '--json');
    expect(queue.json.summary).toMatchObject({ queued: 3, accepted: 0, rejected: 0 });
    expect(queue.json.records).toHaveLength(3);
    expect(queue.json.held).toEqual([]);
    expect(Object.keys(queue.json.records[0]).sort()).toEqual([
      'acceptedAt', 'attempts', 'bundleId', 'createdAt', 'digest', 'exportedAt', 'lastError', 'lastErrorCode', 'nextAttemptAt', 'number', 'purgeAfter', 'purgedAt',
      'recordId', 'size', 'state',
    ]);

    const synced = await gatehouse('sync', '--once', '--json');
    expect(synced).toMatchObject({ code: 0, json: { state: 'idle', delivered: 3, retried: 0, rejected: 0, failure: null, queue: { queued: 0, accepted: 3 } } });
    expect((await h.authority.repository.counts()).records).toBe(3);

    await gatehouse('enroll', '--synthetic', '2', '--small', '--json');
    const usb = tempDataDir();
    const exported = await gatehouse('export', '--to', usb, '--json');
    expect(exported).toMatchObject({ code: 0, json: { records: 2 } });
    const imported = await importBundle(h.authority, exported.json.file);
    const receipts = path.join(usb, 'receipts.json');
    fs.writeFileSync(receipts, JSON.stringify(imported.receipts));
    expect(await gatehouse('receipts', 'import', receipts, '--json'))
      .toMatchObject({ code: 0, json: { accepted: 2, alreadyAccepted: 0, unknown: 0 } });
    expect((await gatehouse('queue', '--state', 'accepted', '--json')).json.records).toHaveLength(5);
    expect((await gatehouse('audit', 'verify', '--json')).json).toMatchObject({ ok: true });
    fs.rmSync(usb, { recursive: true, force: true });
  });

  it('lists the enrollments held for a supervisor\'s review with the queue: ids, times and reasons, never their content', async () => {
    const db = openKioskDatabase(dataDir);
    let officerId: number;
    let held: string[];
    try {
      officerId = createOperator(db, { name: 'Olga Officer', role: 'officer', pinHash: await hashPin('482913', CHEAP_SCRYPT) }, new Date()).id;
      held = [
        insertHeldEnrollment(db, { by: officerId, at: new Date('2026-03-02T09:00:00.000Z'), reasons: ['face-exception', 'finger-duplicate'] }),
        insertHeldEnrollment(db, { by: officerId, at: new Date('2026-03-02T10:30:00.000Z'), flow: 'company' }),
      ];
    } finally {
      db.close();
    }

    const queue = await gatehouse('queue', '--json');
    expect(queue.code).toBe(0);
    expect(queue.json.held).toEqual([
      { id: held[0], flow: 'person', ranBy: officerId, heldAt: '2026-03-02T09:00:00.000Z', heldBy: officerId, reasons: ['face-exception', 'finger-duplicate'] },
      { id: held[1], flow: 'company', ranBy: officerId, heldAt: '2026-03-02T10:30:00.000Z', heldBy: officerId, reasons: ['face-exception'] },
    ]);
    const text = await runCli(['--data', dataDir, 'queue']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('held for review 2\n');
    expect(text.stdout).toContain(`${held[0]}  person   held 2026-03-02T09:00:00.000Z  face-exception, finger-duplicate\n`);
    for (const output of [queue.stdout, text.stdout]) {
      expect(output).not.toContain(STAND_IN_ENVELOPE.toString('utf8'));
      expect(output).not.toContain(STAND_IN_ENVELOPE.toString('base64'));
    }
  });
});
