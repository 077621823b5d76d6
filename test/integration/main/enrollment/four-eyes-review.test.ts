// Four eyes and the supervisor's review queue, through the RPC of a real kiosk on simulated
// devices: an officer alone cannot seal an enrollment with exceptions; a supervisor's own PIN
// or finger can, and the sealed record names who ran it, who approved it and why a second
// approval was needed (the audit log too). With nobody else at hand the officer holds it: it
// rests encrypted (the database holds no plain name, MRZ or image of it), survives a restart,
// and a supervisor approves it from the queue, or rejects it and nothing of it stays on disk.

import fs from 'node:fs';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealedRecord } from '../../../../protocol/sealed-record.js';
import { openKiosk, type Kiosk } from '../../../../main/kiosk/kiosk.js';
import { silentLog } from '../../../../main/log.js';
import type { Enrollment } from '../../../../main/rpc/contract.js';
import type { HeldEnrollment, ReviewQueue } from '../../../../main/rpc/procedures/review-queue.js';
import type { SealedEnrollment } from '../../../../main/rpc/procedures/enrollment.js';
import { readEnvelope } from '../../../../main/store/outbox.js';
import {
  enrollmentOnReview, FACE_NOTE, FACE_PHOTO, FINGER_NOTE, FINGER_PHOTO, MRZ_LINES,
} from '../../../fixtures/enrollment-on-review.js';
import { auditHeadSeq, auditRowsAfter, errorOf, outputOf, type FixtureKey, type RecordedScreen } from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk, SimulatedPerson, type SimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';


type EnrollmentView = z.infer<typeof Enrollment>;

let kiosk: SimulatedKiosk;
beforeAll(async () => {
  kiosk = await openSimulatedKiosk();
});
afterAll(async () => {
  await kiosk?.close();
});

const call = (recorded: RecordedScreen, method: string, input: unknown = {}) => kiosk.h.call(recorded.screen, method, input);
const view = async (recorded: RecordedScreen, method: string, input: unknown = {}) => outputOf<EnrollmentView>(await call(recorded, method, input));
const pinOf = (key: FixtureKey) => ({ method: 'pin', name: kiosk.h.operator(key).name, pin: kiosk.h.operator(key).pin });
const ref = (key: FixtureKey) => ({ id: kiosk.h.operator(key).id, name: kiosk.h.operator(key).name, role: kiosk.h.operator(key).role });
const state = (db: Kiosk['db'], id: string) => (db.prepare('SELECT state FROM enrollments WHERE id = ?').get(id) as { state: string }).state;

const onReview = (atSensor?: SimulatedPerson) => enrollmentOnReview(kiosk, { atSensor });

function openRecord(recordId: string) {
  return openSealedRecord(readEnvelope(kiosk.h.kiosk.db, recordId), {
    authoritySealingPrivateKey: kiosk.h.authorityKeys!.sealing.privateKey,
    kioskSigningPublicKey: kiosk.h.kiosk.provisioning.require().keys.signing.publicKey,
  });
}

/** Every file of the kiosk's database (main file and write-ahead log) as one buffer. */
function databaseBytes(dataDir: string): Buffer {
  const files = fs.readdirSync(dataDir).filter((name) => name.startsWith('gatehouse.sqlite'));
  expect(files).toContain('gatehouse.sqlite');
  return Buffer.concat(files.map((name) => fs.readFileSync(`${dataDir}/${name}`)));
}

function expectNothingPlain(bytes: Buffer): void {
  for (const text of ['ERIKSSON', 'L898902C3', MRZ_LINES[0]!, MRZ_LINES[1]!, 'Storgatan', FACE_NOTE, FINGER_NOTE]) {
    expect(bytes.includes(Buffer.from(text)), text).toBe(false);
  }
  for (const photo of [FACE_PHOTO, FINGER_PHOTO]) expect(bytes.includes(Buffer.from(photo, 'base64').subarray(0, 200))).toBe(false);
  expect(bytes.includes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(false); // no finger PNG
}

describe('four eyes at the screen', () => {
  it('refuses the officer who ran it alone, keeps it on review, and seals it with a supervisor\'s own PIN', async () => {
    const recorded = await onReview();
    const start = auditHeadSeq(kiosk.h.kiosk);
    const alone = errorOf(await call(recorded, 'enrollment.approve', { credential: { method: 'pin', pin: kiosk.h.operator('officer').pin } }));
    expect(alone).toMatchObject({ code: 'ENROLLMENT_SECOND_APPROVER_REQUIRED', details: { reasons: ['face-exception', 'finger-exception'] } });
    // A second officer is not enough where the station wants a supervisor.
    expect(errorOf(await call(recorded, 'enrollment.approve', { credential: pinOf('target') })).code).toBe('ENROLLMENT_SUPERVISOR_REQUIRED');
    expect((await view(recorded, 'enrollment.current')).step).toBe('review');
    expect(state(kiosk.h.kiosk.db, recorded.id)).toBe('review');

    const sealed = outputOf<z.infer<typeof SealedEnrollment>>(await call(recorded, 'enrollment.approve', { credential: pinOf('supervisor') }));
    expect(state(kiosk.h.kiosk.db, recorded.id)).toBe('sealed');
    const record = openRecord(sealed.recordId);
    expect(record.json).toMatchObject({
      enrollmentId: recorded.id,
      ranBy: ref('officer'),
      document: { acceptedBy: ref('officer'), fields: { surname: 'ERIKSSON' } },
      faceException: { reason: 'injured', note: FACE_NOTE, by: ref('officer'), photoPart: 'face-exception.jpg' },
      fingerprints: [
        { position: 2, capturedBy: ref('officer'), duplicateOf: null },
        { position: 7, exception: { reason: 'missing', note: FINGER_NOTE, by: ref('officer'), photoPart: 'finger-7-exception.jpg' } },
      ],
      approval: {
        by: ref('supervisor'), method: 'pin', heldForReview: null,
        secondApproval: { required: true, reasons: ['face-exception', 'finger-exception'] },
      },
    });
    expect(Buffer.from(record.parts.find((part) => part.name === 'face-exception.jpg')!.bytes)).toEqual(Buffer.from(FACE_PHOTO, 'base64'));

    const audit = auditRowsAfter(kiosk.h.kiosk, start).filter((row) => row.action === 'enrollment.approve').map((row) => JSON.parse(row.details));
    expect(audit).toEqual([
      expect.objectContaining({ operatorId: ref('officer').id, outcome: 'refused', refusal: 'ENROLLMENT_SECOND_APPROVER_REQUIRED' }),
      expect.objectContaining({ operatorId: ref('target').id, outcome: 'refused', refusal: 'ENROLLMENT_SUPERVISOR_REQUIRED' }),
      expect.objectContaining({
        operatorId: ref('supervisor').id, outcome: 'approved', recordId: sealed.recordId, secondApproval: ['face-exception', 'finger-exception'],
      }),
    ]);
    for (const row of auditRowsAfter(kiosk.h.kiosk, start)) for (const text of [FACE_NOTE, FINGER_NOTE, 'ERIKSSON']) expect(row.details).not.toContain(text);
  });

  it('takes a supervisor\'s finger as their credential', async () => {
    // The supervisor enrolls a login finger first (after a PIN login), then approves on the officer's screen by placing it.
    const supervisorScreen = await kiosk.screen('supervisor', new SimulatedPerson(kiosk.h.operator('supervisor').name, () => 3));
    outputOf(await call(supervisorScreen, 'auth.enrollFingerprint', { position: 3 }));

    const atSensor = new SimulatedPerson('applicant');
    const recorded = await onReview(atSensor);
    atSensor.name = kiosk.h.operator('supervisor').name; // the supervisor steps up to the sensor
    atSensor.choose = () => 3;
    const sealed = outputOf<z.infer<typeof SealedEnrollment>>(await call(recorded, 'enrollment.approve', { credential: { method: 'fingerprint' } }));
    kiosk.fingers.liftFinger();
    expect(openRecord(sealed.recordId).json).toMatchObject({ ranBy: ref('officer'), approval: { by: ref('supervisor'), method: 'fingerprint' } });
  });
});

describe('the supervisor\'s review queue', () => {
  it('holds an enrollment encrypted, keeps it over a restart, and a supervisor approves it from the queue', async () => {
    const recorded = await onReview();
    expect(errorOf(await call(recorded, 'reviewQueue.list')).code).toBe('RPC_FORBIDDEN'); // officers have no queue
    const held = outputOf<{ enrollmentId: string; held: number }>(await call(recorded, 'enrollment.holdForReview'));
    expect(held).toEqual({ enrollmentId: recorded.id, held: 1 });
    expect(outputOf(await call(recorded, 'enrollment.current'))).toBeNull();
    expect(state(kiosk.h.kiosk.db, recorded.id)).toBe('awaiting-review');

    // Restart: the same data directory opened by a new kiosk; the database holds no plain personal data of it.
    const { dataDir } = kiosk.h;
    kiosk.h.kiosk.db.pragma('wal_checkpoint(TRUNCATE)');
    expectNothingPlain(databaseBytes(dataDir));
    const restarted = openKiosk({ dataDir, host: 'browser', log: silentLog });
    try {
      const screen = restarted.openScreen(() => undefined);
      const supervisor = kiosk.h.operator('supervisor');
      outputOf(await restarted.dispatcher.call(screen, 'auth.login', { name: supervisor.name, pin: supervisor.pin }));
      const queue = outputOf<z.infer<typeof ReviewQueue>>(await restarted.dispatcher.call(screen, 'reviewQueue.list', {}));
      expect(queue.enrollments).toEqual([expect.objectContaining({
        id: recorded.id, flow: 'person', heldBy: ref('officer'), ranBy: ref('officer'), reasons: ['face-exception', 'finger-exception'], overdue: false,
      })]);
      expect(JSON.stringify(queue)).not.toContain('ERIKSSON');

      const opened = outputOf<z.infer<typeof HeldEnrollment>>(await restarted.dispatcher.call(screen, 'reviewQueue.open', { id: recorded.id }));
      expect(opened.enrollment).toMatchObject({
        state: 'awaiting-review', faceException: { reason: 'injured', note: FACE_NOTE, photo: true },
        document: { fields: expect.arrayContaining([expect.objectContaining({ name: 'surname', value: 'ERIKSSON' })]) },
      });
      expect(opened.media.faceExceptionPhoto).toBe(`data:image/jpeg;base64,${FACE_PHOTO}`);
      expect(opened.media.fingers).toEqual([
        { position: 2, image: expect.stringMatching(/^data:image\/png;base64,/), exceptionPhoto: null },
        { position: 7, image: null, exceptionPhoto: `data:image/jpeg;base64,${FINGER_PHOTO}` },
      ]);

      // The supervisor confirms with their own PIN; another operator's credential is refused.
      expect(errorOf(await restarted.dispatcher.call(screen, 'reviewQueue.approve', { id: recorded.id, credential: pinOf('target') })).code)
        .toBe('REVIEW_CREDENTIAL_NOT_YOURS');
      const sealed = outputOf<z.infer<typeof SealedEnrollment>>(await restarted.dispatcher.call(screen, 'reviewQueue.approve', {
        id: recorded.id, credential: { method: 'pin', pin: supervisor.pin },
      }));
      expect(state(restarted.db, recorded.id)).toBe('sealed');
      expect(restarted.db.prepare('SELECT count(*) AS n FROM held_enrollments').get()).toEqual({ n: 0 });
      const record = openSealedRecord(readEnvelope(restarted.db, sealed.recordId), {
        authoritySealingPrivateKey: kiosk.h.authorityKeys!.sealing.privateKey,
        kioskSigningPublicKey: restarted.provisioning.require().keys.signing.publicKey,
      });
      expect(record.json).toMatchObject({
        ranBy: ref('officer'),
        approval: { by: ref('supervisor'), heldForReview: { by: ref('officer'), at: queue.enrollments[0]!.heldAt } },
      });
      const actions = restarted.db.prepare("SELECT action FROM audit WHERE details LIKE ? ORDER BY seq").all(`%${recorded.id}%`);
      expect(actions.map((row) => (row as { action: string }).action)).toEqual(expect.arrayContaining([
        'enrollment.held', 'enrollment.review-opened', 'enrollment.review-approved',
      ]));
    } finally {
      restarted.close();
    }
  });

  it('rejects a held enrollment with a reason and leaves nothing of it on disk', async () => {
    const recorded = await onReview();
    outputOf(await call(recorded, 'enrollment.holdForReview'));
    const db = kiosk.h.kiosk.db;
    const envelope = (db.prepare('SELECT envelope FROM held_enrollments WHERE enrollment_id = ?').get(recorded.id) as { envelope: Buffer }).envelope;
    const supervisor = await kiosk.screen('supervisor');
    const start = auditHeadSeq(kiosk.h.kiosk);
    expect(errorOf(await call(supervisor, 'reviewQueue.reject', { id: recorded.id, reason: 'unsure' })).code).toBe('RPC_INVALID_INPUT');
    outputOf(await call(supervisor, 'reviewQueue.reject', { id: recorded.id, reason: 'identity-doubt' }));
    expect(db.prepare('SELECT state, rejection_reason, decided_by FROM enrollments WHERE id = ?').get(recorded.id))
      .toEqual({ state: 'rejected', rejection_reason: 'identity-doubt', decided_by: ref('supervisor').id });
    expect(db.prepare('SELECT count(*) AS n FROM held_enrollments WHERE enrollment_id = ?').get(recorded.id)).toEqual({ n: 0 });
    expect(auditRowsAfter(kiosk.h.kiosk, start).map((row) => [row.action, JSON.parse(row.details)])).toEqual([
      ['enrollment.review-rejected', { enrollmentId: recorded.id, operatorId: ref('supervisor').id, reason: 'identity-doubt' }],
    ]);
    // Not the envelope, not a piece of its ciphertext, anywhere in the database's files.
    const bytes = databaseBytes(kiosk.h.dataDir);
    for (const offset of [0, 4096, Math.floor(envelope.length / 2), envelope.length - 256]) {
      expect(bytes.includes(envelope.subarray(offset, offset + 128)), `envelope bytes at ${offset}`).toBe(false);
    }
    expectNothingPlain(bytes);
    expect(errorOf(await call(supervisor, 'reviewQueue.open', { id: recorded.id })).code).toBe('ENROLLMENT_NOT_HELD');
  });

  it('flags held enrollments older than the station allows and refuses new ones past the limit', async () => {
    const technician = await kiosk.screen('technician');
    outputOf(await call(technician, 'settings.update', { heldEnrollmentLimit: 1, heldEnrollmentMaxAgeHours: 1 }));
    try {
      const recorded = await onReview();
      outputOf(await call(recorded, 'enrollment.holdForReview'));
      kiosk.h.kiosk.db.prepare("UPDATE enrollments SET held_at = '2000-01-01T00:00:00.000Z' WHERE id = ?").run(recorded.id);
      const supervisor = await kiosk.screen('supervisor');
      const queue = outputOf<z.infer<typeof ReviewQueue>>(await call(supervisor, 'reviewQueue.list'));
      expect(queue.enrollments.find((held) => held.id === recorded.id)).toMatchObject({ overdue: true });
      expect(outputOf<{ enrollmentBlocked: string }>(await call(supervisor, 'system.status')).enrollmentBlocked).toBe('held-limit');
      const officer = await kiosk.screen('officer');
      expect(errorOf(await call(officer, 'enrollment.start', { flow: 'person' })).code).toBe('ENROLLMENT_HELD_LIMIT');
      outputOf(await call(supervisor, 'reviewQueue.reject', { id: recorded.id, reason: 'incomplete' }));
      expect(outputOf(await call(officer, 'enrollment.start', { flow: 'person' }))).toMatchObject({ step: 'document' });
    } finally {
      outputOf(await call(technician, 'settings.update', { heldEnrollmentLimit: 20, heldEnrollmentMaxAgeHours: 24 }));
    }
  });

  it('refuses to hold an enrollment the person has not consented to', async () => {
    const recorded = await onReview();
    await view(recorded, 'enrollment.acceptConsent', { accepted: false, version: '2026-01', language: 'en' });
    expect(errorOf(await call(recorded, 'enrollment.holdForReview')).code).toBe('ENROLLMENT_NO_CONSENT');
    outputOf(await call(recorded, 'enrollment.cancel'));
  });
});
