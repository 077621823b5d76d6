// A record followed from the kiosk to the authority's decision and back, with real processes:
// a kiosk on simulated devices registered with a real authority seals an enrollment (its number
// in the record, the queue and on the slip), syncs it, an authority operator decides it with
// `gatehouse-authority decide`, the kiosk's next sync pulls the decision, and `gatehouse records
// --json` shows it. The slip, printed to PDF with Chromium, is read by an independent QR decoder
// (zbarimg) and the payload checked by `gatehouse-authority slip verify`.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnrollmentNumber } from '../../../../protocol/enrollment-number.js';
import { openSealedRecord, readSealedHeader } from '../../../../protocol/sealed-record.js';
import type { SealedEnrollment } from '../../../../main/rpc/procedures/enrollment.js';
import type { PrintedSlip, RecordEntry } from '../../../../main/rpc/procedures/records.js';
import { readEnvelope } from '../../../../main/store/outbox.js';
import { enrollmentOnReview } from '../../../fixtures/enrollment-on-review.js';
import { outputOf } from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk, type SimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';
import { startHarness, type Harness } from '../../authority/authority-harness.js';
import { gatehouseBin, projectRoot } from '../cli/run-cli.js';

const authorityBin = path.join(projectRoot, 'bin', 'gatehouse-authority.js');

let kiosk: SimulatedKiosk;
let authority: Harness;
beforeAll(async () => {
  authority = await startHarness();
  authority.advance((Date.now() - authority.now().getTime()) / 1000); // the kiosk signs with the real clock
  kiosk = await openSimulatedKiosk({ provisioned: false });
  const technician = await kiosk.screen('technician');
  outputOf(await kiosk.h.call(technician.screen, 'provisioning.register', {
    authorityUrl: authority.url, token: await authority.token(), name: 'Hall C, desk 3',
  }));
});
afterAll(async () => {
  await kiosk?.h.kiosk.sync.stop();
  await kiosk?.close();
  await authority?.close();
});

/** The authority's command line on its data directory (the harness's authority stays open; SQLite allows both). */
function authorityCli(...args: string[]): { code: number | null; stdout: string } {
  const run = spawnSync(process.execPath, [authorityBin, '--data', authority.dataDir, ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout };
}
const kioskRecords = () => JSON.parse(execFileSync(process.execPath, [gatehouseBin, '--data', kiosk.h.dataDir, 'records', '--json'], { encoding: 'utf8' })) as {
  records: Array<Pick<z.infer<typeof RecordEntry>, 'number' | 'state' | 'decision' | 'reason' | 'decidedAt' | 'flow'>>;
};

describe('a record from the kiosk to the authority\'s decision', () => {
  let sealed: z.infer<typeof SealedEnrollment>;

  it('numbers the sealed record (check characters, the kiosk\'s code, in the envelope, the queue and the record)', async () => {
    const recorded = await enrollmentOnReview(kiosk, { language: 'de' });
    const { name, pin } = kiosk.h.operator('supervisor');
    sealed = outputOf(await kiosk.h.call(recorded.screen, 'enrollment.approve', { credential: { method: 'pin', name, pin } }));
    const parsed = parseEnrollmentNumber(sealed.number);
    expect(parsed).toMatchObject({ ok: true, number: sealed.number, parts: { kioskCode: kiosk.h.kiosk.provisioning.require().identity.code, sequence: 1 } });
    const envelope = readEnvelope(kiosk.h.kiosk.db, sealed.recordId);
    expect(readSealedHeader(envelope).number).toBe(sealed.number);
    expect(openSealedRecord(envelope, {
      authoritySealingPrivateKey: authority.authority.keys.sealing.privateKey,
      kioskSigningPublicKey: kiosk.h.kiosk.provisioning.require().keys.signing.publicKey,
    }).json).toMatchObject({ number: sealed.number });
    expect(outputOf(await kiosk.h.call(recorded.screen, 'enrollment.finished'))).toMatchObject({ number: sealed.number, state: 'sealed', ahead: 0 });
    expect(kioskRecords().records).toEqual([expect.objectContaining({ number: sealed.number, state: 'sealed', decision: null })]);
  });

  it('shows the record sent, then received, then decided as the authority decides it', async () => {
    expect((await kiosk.h.kiosk.sync.runOnce()).delivered).toBe(1);
    expect(kioskRecords().records[0]).toMatchObject({ number: sealed.number, state: 'received' });
    expect(JSON.parse(authorityCli('status', sealed.number, '--json').stdout)).toMatchObject({ number: sealed.number, state: 'received' });

    // A mistyped number is caught by its check characters before anything is looked up.
    const typo = sealed.number.slice(0, 12) + (sealed.number[12] === '1' ? '2' : '1') + sealed.number.slice(13);
    expect(authorityCli('decide', typo, 'accepted').code).toBe(2);
    expect(authorityCli('decide', sealed.number, 'rejected', '--reason', 'Photo page damaged; come back with a new passport').code).toBe(0);

    const round = await kiosk.h.kiosk.sync.runOnce();
    expect(round.statusChanges).toBeGreaterThan(0);
    expect(kioskRecords().records).toEqual([expect.objectContaining({
      number: sealed.number, flow: 'person', state: 'decided', decision: 'rejected',
      reason: 'Photo page damaged; come back with a new passport', decidedAt: expect.any(String),
    })]);
    // Nothing personal leaves the kiosk's command line: numbers and states only.
    expect(JSON.stringify(kioskRecords())).not.toMatch(/ERIKSSON|Storgatan|Olga|Sven/);
  });

  it('prints a slip whose QR code an independent decoder reads and the authority verifies', async () => {
    const supervisor = await kiosk.screen('supervisor');
    const printed = outputOf<z.infer<typeof PrintedSlip>>(await kiosk.h.call(supervisor.screen, 'records.printSlip', { recordId: sealed.recordId }));
    expect(printed).toMatchObject({ number: sealed.number, delivery: { kind: 'saved', file: expect.stringContaining(sealed.number) } });
    expect(printed.picture).toMatch(/^data:image\/png;base64,/);
    const pdf = path.join(kiosk.h.dataDir, 'slip.pdf');
    execFileSync(process.execPath, [gatehouseBin, '--data', kiosk.h.dataDir, 'slip', '--record', sealed.number, '--out', pdf]);
    expect(fs.statSync(pdf).mode & 0o077).toBe(0);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain(sealed.number);
    expect(text).toContain('Bestätigung der Erfassung'); // the language the person read the consent in
    expect(text).toContain('ERIKSSON');

    execFileSync('pdftoppm', ['-png', '-r', '200', '-singlefile', pdf, path.join(kiosk.h.dataDir, 'slip')]);
    const payload = execFileSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', path.join(kiosk.h.dataDir, 'slip.png')], { encoding: 'utf8' }).trim();
    expect(payload).toMatch(/^GHS1:/);
    const verdict = authorityCli('slip', 'verify', payload, '--json');
    expect(verdict.code).toBe(0);
    expect(JSON.parse(verdict.stdout)).toMatchObject({ genuine: true, number: sealed.number, recordId: sealed.recordId, state: 'rejected' });

    const forged = payload.slice(0, -6) + (payload.endsWith('A') ? 'BBBBBB' : 'AAAAAA');
    expect(authorityCli('slip', 'verify', forged, '--json').code).toBe(1);
  });
});
