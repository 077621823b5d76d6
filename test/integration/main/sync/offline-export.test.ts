// Offline export through the supervisor's RPC: queued records go out as one signed bundle and
// stay queued; the authority imports it with its usual idempotency; the receipt file brought
// back takes exactly those records out of the queue. A forged or foreign receipt file changes nothing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importBundle } from '../../../../authority/bundle-import.js';
import { readBundle } from '../../../../protocol/bundle.js';
import type { ReceiptFile } from '../../../../protocol/receipt.js';
import { syntheticRecord } from '../../../../tools/records/synthetic-records.js';
import { auditRowsAfter, errorOf, openKioskHarness, outputOf, type KioskHarness } from '../../../fixtures/kiosk-harness.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';
import type { ScreenSession } from '../../../../main/auth/screen-session.js';

let h: Harness;
let kh: KioskHarness;
let usb: string;
let supervisor: ScreenSession;
beforeEach(async () => {
  h = await startHarness();
  kh = await openKioskHarness({ now: h.now, provisioned: false });
  usb = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-usb-'));
  const { screen: technician } = await kh.loggedIn('technician');
  outputOf(await kh.call(technician, 'provisioning.register', { authorityUrl: h.url, token: await h.token(), name: 'Hall C' }));
  ({ screen: supervisor } = await kh.loggedIn('supervisor'));
});
afterEach(async () => {
  await kh.kiosk.sync.stop();
  kh.close();
  fs.rmSync(usb, { recursive: true, force: true });
  await h.close();
});

const seal = (count: number) => Array.from({ length: count }, (_, i) => kh.kiosk.sealRecord(syntheticRecord(i, 'small'), 'operator:1').recordId);
const states = () => kh.kiosk.db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state ORDER BY state').all();

async function exportAndImport(): Promise<{ file: string; receiptsFile: string; receipts: ReceiptFile }> {
  const exported = outputOf<{ file: string; records: number }>(await kh.call(supervisor, 'sync.export', { directory: usb }));
  const imported = await importBundle(h.authority, exported.file);
  const receiptsFile = path.join(usb, 'receipts.json');
  fs.writeFileSync(receiptsFile, JSON.stringify(imported.receipts));
  return { file: exported.file, receiptsFile, receipts: imported.receipts };
}

describe('offline export and receipt import', () => {
  it('exports queued records as one signed bundle; they leave the queue only with their receipts', async () => {
    const ids = seal(4);
    const before = auditRowsAfter(kh.kiosk, 0).length;
    const exported = outputOf<{ bundleId: string; file: string; records: number; bytes: number }>(await kh.call(supervisor, 'sync.export', { directory: usb }));
    expect(exported).toMatchObject({ records: 4, file: expect.stringMatching(new RegExp(`^${usb}/gatehouse-.*\\.ghbundle$`)) });
    expect(fs.statSync(exported.file).size).toBe(exported.bytes);
    expect(fs.statSync(exported.file).mode & 0o777).toBe(0o600);
    expect(auditRowsAfter(kh.kiosk, before).map((r) => [r.action, JSON.parse(r.details)]))
      .toEqual([['records.exported', { bundleId: exported.bundleId, records: 4 }]]);
    expect(states()).toEqual([{ state: 'queued', n: 4 }]);
    expect(outputOf(await kh.call(supervisor, 'sync.status'))).toMatchObject({ queueDepth: 4, exported: 4 });

    const read = await readBundle(exported.file, { kioskSigningPublicKey: () => kh.kiosk.provisioning.require().keys.signing.publicKey, onRecord: () => undefined });
    expect(read.manifest.records.map((r) => r.recordId).sort()).toEqual([...ids].sort());

    const imported = await importBundle(h.authority, exported.file);
    expect(imported).toMatchObject({ stored: expect.any(Array), duplicates: [], refused: [] });
    expect(imported.stored).toHaveLength(4);
    const receiptsFile = path.join(usb, 'receipts.json');
    fs.writeFileSync(receiptsFile, JSON.stringify(imported.receipts));

    expect(outputOf(await kh.call(supervisor, 'sync.importReceipts', { file: receiptsFile }))).toEqual({ accepted: 4, alreadyAccepted: 0, unknown: 0 });
    expect(states()).toEqual([{ state: 'accepted', n: 4 }]);
    expect(outputOf(await kh.call(supervisor, 'sync.importReceipts', { file: receiptsFile }))).toEqual({ accepted: 0, alreadyAccepted: 4, unknown: 0 });

    // Sync finds nothing left to send, and the authority holds each record once.
    expect(await kh.kiosk.sync.runOnce()).toMatchObject({ delivered: 0, failure: null });
    expect((await h.authority.repository.counts()).records).toBe(4);
    expect(errorOf(await kh.call(supervisor, 'sync.export', { directory: usb }))).toMatchObject({ code: 'EXPORT_NOTHING_QUEUED' });
  });

  it('keeps records delivered by sync meanwhile, and ignores receipts for records it does not hold', async () => {
    seal(3);
    const { receiptsFile, receipts } = await exportAndImport();
    seal(1);
    await kh.kiosk.sync.runOnce(); // delivers all four: three are already held (same receipts), one is new
    expect(states()).toEqual([{ state: 'accepted', n: 4 }]);
    fs.writeFileSync(receiptsFile, JSON.stringify({ ...receipts, receipts: [...receipts.receipts, { ...receipts.receipts[0]!, recordId: 'not-on-this-kiosk' }] }));
    expect(outputOf(await kh.call(supervisor, 'sync.importReceipts', { file: receiptsFile }))).toEqual({ accepted: 0, alreadyAccepted: 3, unknown: 1 });
    expect((await h.authority.repository.counts()).records).toBe(4);
  });

  it('refuses a forged receipt file or one for another kiosk, storing none of its receipts', async () => {
    seal(2);
    const { receiptsFile, receipts } = await exportAndImport();
    const forged = { ...receipts, receipts: [receipts.receipts[0]!, { ...receipts.receipts[1]!, receivedAt: '2030-01-01T00:00:00.000Z' }] };
    fs.writeFileSync(receiptsFile, JSON.stringify(forged));
    expect(errorOf(await kh.call(supervisor, 'sync.importReceipts', { file: receiptsFile }))).toMatchObject({ code: 'RECEIPT_INVALID' });
    fs.writeFileSync(receiptsFile, JSON.stringify({ ...receipts, kioskId: '7d5e9f3c-1b2a-4c3d-8e9f-0a1b2c3d4e5f' }));
    expect(errorOf(await kh.call(supervisor, 'sync.importReceipts', { file: receiptsFile }))).toMatchObject({ code: 'RECEIPT_FILE_OTHER_KIOSK' });
    fs.writeFileSync(receiptsFile, 'not json');
    expect(errorOf(await kh.call(supervisor, 'sync.importReceipts', { file: receiptsFile }))).toMatchObject({ code: 'RECEIPT_FILE_INVALID' });
    expect(states()).toEqual([{ state: 'queued', n: 2 }]);
    expect(errorOf(await kh.call(supervisor, 'sync.export', { directory: path.join(usb, 'no-such-stick') }))).toMatchObject({ code: 'EXPORT_FOLDER_MISSING' });
  });
});
