// The support bundle of a real kiosk that holds what must never leave it: sealed enrollments of
// a person, the kiosk's private keys, the database key, operators' PIN hashes, a fingerprint
// module password, and log lines that carelessly name a document number and an MRZ. The bundle
// is written through the technician's RPC, audited, and its bytes contain none of them.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevicesConfig } from '../../../../main/devices/device-config.js';
import { createLog } from '../../../../main/log.js';
import { setSetting } from '../../../../main/store/settings.js';
import { approveAndSeal } from '../../../../main/sync/record-sealer.js';
import { MRZ_LINES } from '../../../fixtures/enrollment-on-review.js';
import { auditHeadSeq, auditRowsAfter, errorOf, openKioskHarness, outputOf, type KioskHarness } from '../../../fixtures/kiosk-harness.js';

const PERSON = { surname: 'ZWIEBELFISCH', givenNames: 'HELGARD MARIT', documentNumber: 'X4RT9K2Q7', idNumber: '11010519491231002X', birthDate: '1949-12-31' };
const MODULE_PASSWORD = 0x5ec2e7a1;

let h: KioskHarness;
let stick: string;
beforeAll(async () => {
  h = await openKioskHarness();
  stick = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-stick-'));
  const { db } = h.kiosk;
  setSetting(db, 'devices', {
    ...readDevicesConfig(db),
    fingerprint: { kind: 'r30x', path: '/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0', baud: 57600, address: 0xffffffff, password: MODULE_PASSWORD },
  });
  for (const index of [1, 2]) {
    approveAndSeal(db, h.kiosk.provisioning.require(), {
      kind: 'person-enrollment',
      enrollmentId: null,
      json: { person: PERSON, document: { type: 'TD3', number: PERSON.documentNumber, mrzLines: MRZ_LINES }, index },
      parts: [{ name: 'portrait-live.jpg', bytes: Buffer.from(`JPEG of ${PERSON.surname} ${index}`.repeat(50)) }],
    }, 'operator:1');
  }
  // What a careless log call would leave in the kiosk's recent lines.
  createLog('document-reader', () => {}).warn('read refused', { documentNumber: PERSON.documentNumber, detail: `MRZ ${MRZ_LINES[1]} of ${PERSON.idNumber}` });
});
afterAll(() => {
  h?.close();
  if (stick) fs.rmSync(stick, { recursive: true, force: true });
});

/** Every secret and personal value this kiosk holds, as text that must not appear in the bundle. */
function forbiddenStrings(): string[] {
  const { db } = h.kiosk;
  const databaseKey = fs.readFileSync(path.join(h.dataDir, 'keys', 'database.key'));
  const { keys } = h.kiosk.provisioning.require();
  const privateKeys = [keys.signing.privateKey, keys.sealing.privateKey].flatMap((key) => {
    const der = key.export({ format: 'der', type: 'pkcs8' });
    const raw = der.subarray(-32);
    return [raw.toString('hex'), raw.toString('base64').slice(0, 40), der.toString('base64').slice(16, 56)];
  });
  const pinHashes = (db.prepare('SELECT pin_hash FROM operators').all() as Array<{ pin_hash: string }>).flatMap(({ pin_hash }) => [pin_hash, pin_hash.split('$').at(-1)!]);
  const envelopes = (db.prepare('SELECT envelope FROM sealed_payloads').all() as Array<{ envelope: Buffer | null }>)
    .flatMap(({ envelope }) => (envelope ? [envelope.subarray(100, 124).toString('base64'), envelope.subarray(100, 124).toString('hex')] : []));
  return [
    databaseKey.toString('hex'), databaseKey.toString('base64'),
    ...privateKeys, ...pinHashes, ...envelopes,
    ...Object.values(h.operators).map((operator) => operator!.pin),
    String(MODULE_PASSWORD), MODULE_PASSWORD.toString(16),
    ...Object.values(PERSON), ...MRZ_LINES, ...MRZ_LINES.map((line) => line.slice(0, 20)),
  ];
}

describe('diagnostics.writeSupportBundle', () => {
  it('writes one JSON file with what support needs and none of the kiosk\'s secrets or personal data', async () => {
    const { screen, events } = await h.loggedIn('technician');
    const before = auditHeadSeq(h.kiosk);
    const written = outputOf<{ file: string; bytes: number }>(await h.call(screen, 'diagnostics.writeSupportBundle', { folder: stick }));

    expect(path.dirname(written.file)).toBe(stick);
    expect(path.basename(written.file)).toMatch(/^gatehouse-support-[0-9a-f-]+-\d{8}T\d{6}Z\.json$/);
    expect(fs.readdirSync(stick)).toEqual([path.basename(written.file)]); // no partial file left
    const bytes = fs.readFileSync(written.file);
    expect(bytes.length).toBe(written.bytes);

    const text = bytes.toString('utf8');
    const leaked = forbiddenStrings().filter((secret) => secret.length >= 6 && (text.includes(secret) || text.includes(secret.toLowerCase())));
    expect(leaked).toEqual([]);

    const bundle = JSON.parse(text) as {
      versions: object; settings: object; devices: { fingerprint: object }; outbox: object; log: { lines: string[] };
      diagnostics: { checks: Array<{ id: string }>; devices: unknown[] };
    };
    expect(bundle).toMatchObject({ format: 'gatehouse-support-bundle', version: 1, kiosk: { name: 'Front desk' } });
    expect(bundle.versions).toMatchObject({ kiosk: expect.any(String), node: process.versions.node, sqlite: expect.any(String), migration: expect.any(Number) });
    expect(bundle.settings).toMatchObject({ idleTimeoutSeconds: expect.any(Number) });
    expect(bundle.devices.fingerprint).toEqual({ kind: 'r30x', path: '/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0', baud: 57600, address: '[removed]', password: '[removed]' });
    expect(bundle.outbox).toEqual({ queued: 2 });
    expect(bundle.diagnostics.checks.map((check) => check.id)).toContain('audit-chain');
    expect(bundle.diagnostics.devices.length).toBeGreaterThan(0);
    const careless = bundle.log.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.message === 'read refused');
    expect(careless).toMatchObject({ component: 'document-reader', documentNumber: '[removed]', detail: expect.stringContaining('[mrz removed]') });

    expect(auditRowsAfter(h.kiosk, before).map((row) => [row.action, JSON.parse(row.details) as unknown])).toEqual([
      ['diagnostics.support-bundle-written', { file: path.basename(written.file), bytes: written.bytes }],
    ]);
    // The screen saw the checks run.
    const progress = events.filter((event) => event.name === 'diagnostics.progress');
    expect(progress.length).toBeGreaterThan(15);
  });

  it('refuses a folder that is not there (no stick) and writes nothing', async () => {
    const { screen } = await h.loggedIn('technician');
    const before = auditHeadSeq(h.kiosk);
    const missing = path.join(stick, 'not-mounted');
    expect(errorOf(await h.call(screen, 'diagnostics.writeSupportBundle', { folder: missing })).code).toBe('SUPPORT_BUNDLE_FOLDER_MISSING');
    expect(fs.existsSync(missing)).toBe(false);
    expect(auditRowsAfter(h.kiosk, before)).toEqual([]);
  });
});
